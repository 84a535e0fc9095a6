"""Reading a search: precedence, implicit AND, quotes, negation, and every
mistake told in words at its position, hostile input included."""

import pytest

from cards.browse.syntax import MAX_DEPTH, MAX_LENGTH, MAX_TERMS, And, Not, Or, parse, pointer
from cards.browse.terms import Is, QueryError, Words

pytestmark = pytest.mark.db_independent


def shape(node):
    """The tree as nested tuples of words and filters, positions left out."""
    if node is None:
        return None
    if isinstance(node, And | Or):
        return (type(node).__name__, *(shape(part) for part in node.parts))
    if isinstance(node, Not):
        return ("Not", shape(node.part))
    if isinstance(node, Words):
        return " ".join(node.words)
    fields = {k: v for k, v in vars(node).items() if k != "position"}
    return (type(node).__name__, *fields.values())


def error_of(text: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse(text)
    return caught.value


def test_words_side_by_side_must_all_match():
    assert shape(parse("kafka partition")) == ("And", "kafka", "partition")
    assert shape(parse("kafka and partition")) == ("And", "kafka", "partition")


def test_not_binds_tighter_than_and_and_and_tighter_than_or():
    assert shape(parse("a b OR c -d")) == ("Or", ("And", "a", "b"), ("And", "c", ("Not", "d")))
    assert shape(parse("a or b and c")) == ("Or", "a", ("And", "b", "c"))
    assert shape(parse("(a OR b) c")) == ("And", ("Or", "a", "b"), "c")
    assert shape(parse("-(a OR b)")) == ("Not", ("Or", "a", "b"))
    assert shape(parse("--a")) == "a"


def test_operators_in_any_case_and_words_that_start_with_them():
    assert shape(parse("a Or b")) == ("Or", "a", "b")
    assert shape(parse("andrew oracle")) == ("And", "andrew", "oracle")
    assert shape(parse('a "or" b')) == ("And", "a", "or", "b")


def test_a_quoted_phrase_is_its_words():
    assert shape(parse('"consumer groups" kafka')) == ("And", "consumer groups", "kafka")
    assert shape(parse("key-value")) == "key value"


def test_filters():
    assert shape(parse('topic:"System design"')) == ("Named", "topic", "System design", False)
    assert shape(parse("topic:sys*")) == ("Named", "topic", "sys", True)
    assert shape(parse("tag:Kafka -tag:slow")) == (
        "And",
        ("Named", "tag", "Kafka", False),
        ("Not", ("Named", "tag", "slow", False)),
    )
    assert shape(parse("IS:Due is:new is:suspended is:leech")) == (
        "And",
        *(("Is", what) for what in ("due", "new", "suspended", "leech")),
    )
    assert shape(parse("mine -starter")) == ("And", ("Owner", True), ("Not", ("Owner", False)))
    assert shape(parse('"mine"')) == "mine"
    assert shape(parse("kind:cloze")) == ("Kind", "cloze")
    assert shape(parse("added:7 rated:1 rated:2:1")) == (
        "And",
        ("Added", 7),
        ("Rated", 1, None),
        ("Rated", 2, 1),
    )
    assert shape(parse("prop:r<0.8 prop:d>.7 prop:s>=21 prop:lapses!=3 prop:reps=0")) == (
        "And",
        ("Prop", "r", "<", 0.8),
        ("Prop", "d", ">", 0.7),
        ("Prop", "s", ">=", 21.0),
        ("Prop", "lapses", "!=", 3.0),
        ("Prop", "reps", "=", 0.0),
    )


def test_an_empty_search_finds_every_card():
    assert parse("") is None
    assert parse("   ") is None


def test_positions_count_from_one():
    tree = parse("a  is:due")
    assert [part.position for part in tree.parts] == [1, 4]
    assert isinstance(tree.parts[1], Is)


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("kafka (a OR b))", "Unexpected “)” at position 15: no “(” before it is open", 15),
        ("a (b OR c", "The “(” at position 3 is never closed", 3),
        ("()", "Unexpected “)” at position 2", 2),
        (
            "a OR OR b",
            "Unexpected “OR” at position 6: put “OR” in quotes to search for the word",
            6,
        ),
        ("a AND", "The search ends after “AND” at position 3: a term must follow", 6),
        ("kafka -", "The search ends after “-” at position 7: a term must follow", 8),
        ('say "hello', "The quote at position 5 is never closed", 5),
        (
            "is:foo",
            "Unknown filter “is:foo” at position 1: use is:due, is:new, is:suspended, "
            "is:leech or is:hidden",
            1,
        ),
        (
            "x kind:image",
            "Unknown filter “kind:image” at position 3: use kind:basic, kind:reversed "
            "or kind:cloze",
            3,
        ),
        (
            "std::vector",
            "Unknown filter “std:” at position 1: use topic:, tag:, is:, kind:, added:, "
            "rated: or prop: (put words with a “:” in quotes)",
            1,
        ),
        ("tag:", "“tag:” at position 1 needs a value", 1),
        (
            "tag:a*b",
            "“tag:a*b” at position 1: a “*” may only end a name that starts with something, "
            "as in tag:sys*",
            1,
        ),
        ("prop:r<1.5", "prop:r at position 1 needs a number between 0 and 1", 1),
        ("prop:r<x", "prop:r at position 1 needs a number between 0 and 1", 1),
        ("a prop:d>7", "prop:d at position 3 needs a number between 0 and 1", 3),
        ("prop:s>99999", "prop:s at position 1 needs a number of days from 0 to 36,500", 1),
        (
            "prop:lapses>=2.5",
            "prop:lapses at position 1 needs a whole number from 0 to 1,000,000",
            1,
        ),
        (
            "prop:q<1",
            "Unknown property “prop:q<1” at position 1: use prop:r, prop:d, prop:s, "
            "prop:lapses or prop:reps, then <, <=, >, >=, = or != and a number",
            1,
        ),
        (
            "added:0",
            "added: at position 1 needs a whole number of days from 1 to 3,650 (1 is today)",
            1,
        ),
        (
            "rated:x",
            "rated: at position 1 needs a whole number of days from 1 to 3,650 (1 is today)",
            1,
        ),
        (
            "rated:1:5",
            "rated:1:5 at position 1: the grade is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)",
            1,
        ),
        ("a ☃", "“☃” at position 3 has no letters or digits to search for", 3),
    ],
)
def test_each_mistake_is_told_at_its_position(text, message, position):
    error = error_of(text)
    assert (error.message, error.position) == (message, position)


def test_the_pointer_puts_a_caret_under_the_position():
    error = error_of("kafka (a OR b))")
    assert pointer("kafka (a OR b))", error.position) == "kafka (a OR b))\n              ^"


def test_limits_are_named():
    assert error_of("a" * (MAX_LENGTH + 1)).message == (
        f"A search has at most {MAX_LENGTH} characters; this one has {MAX_LENGTH + 1}."
    )
    many = " ".join(f"w{n}" for n in range(MAX_TERMS + 1))
    error = error_of(many)
    assert error.message == (
        f"A search has at most {MAX_TERMS} terms; the one at position {many.rindex('w') + 1} "
        "is one too many."
    )
    deep = "(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1)
    assert error_of(deep).message == (
        f"Parentheses nest at most {MAX_DEPTH} deep; the one at position {MAX_DEPTH + 1} "
        "is one too deep."
    )
    assert parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH) == Words(
        position=MAX_DEPTH + 1, words=("a",)
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("(" * 1000 + "a" + ")" * 1000, "A search has at most 500 characters; this one has 2,001."),
        (
            "(" * 240 + "a" + ")" * 240,
            "Parentheses nest at most 10 deep; the one at position 11 is one too deep.",
        ),
        ("-" * 499 + "a", None),
        ("a\x00b", "A search cannot hold control characters (one at position 2)"),
        ("\x1b[31m", "A search cannot hold control characters (one at position 1)"),
        ("\u202e\u200b", "“\u202e\u200b” at position 1 has no letters or digits to search for"),
        ("\ud800", "“\ud800” at position 1 has no letters or digits to search for"),
        ("x" * 10_000_000, "A search has at most 500 characters; this one has 10,000,000."),
    ],
)
def test_hostile_input_is_told_not_crashed_on(text, message):
    if message is None:  # 499 minus signs: an odd number of nots
        assert parse(text) == Not(Words(position=500, words=("a",)))
        return
    assert error_of(text).message == message


def test_odd_but_fine_unicode_is_searched_for():
    assert shape(parse("Straße café ÆØÅ 日本語")) == ("And", "straße", "café", "æøå", "日本語")
    assert shape(parse("a\u00a0b")) == ("And", "a", "b")  # a no-break space parts words
