"""The starter library's text, checked as a strict reviewer would: every Python
sample runs and its asserts hold, every card renders, cloze numbers have no
gaps, no two fronts say the same thing, every topic a card names exists, tags
are written one way, and the spelling is American throughout.

These read the files alone (no database): the tests of loading them are in
tests/cards/test_starter.py and tests/interviews/test_starter.py."""

import re
import time
import tomllib
from itertools import combinations

import pytest
from rapidfuzz import fuzz

from cards.markdown import CLOZE_PATTERN, cloze_numbers, cloze_side, render_markdown
from cards.starter import STARTER_DIR as CARDS_DIR
from cards.starter import read_entries
from interviews.starter import STARTER_DIR as QUESTIONS_DIR

pytestmark = pytest.mark.db_independent

LIBRARY = read_entries(CARDS_DIR, "topics", "cards")
CARDS = LIBRARY["cards"]
INTERVIEWER = read_entries(QUESTIONS_DIR / "interviewer_questions", "questions")["questions"]
TO_ASK = tomllib.loads((QUESTIONS_DIR / "questions_to_ask.toml").read_text(encoding="utf-8"))
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
TAG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

# British spellings (and their forms) with the American one the library uses.
BRITISH = re.compile(
    r"\b(?:(?:behav|col|fav|hon|lab|neighb|rum|hum|vap|arm)our\w*|"
    r"\w*(?:optimis|normalis|generalis|regularis|minimis|maximis|organis|recognis|"
    r"standardis|tokenis|serialis|initialis|summaris|visualis|prioritis|characteris|"
    r"categoris|customis|utilis|parallelis|synchronis|randomis|emphasis|specialis)"
    r"(?:e|es|ed|ing|ation|ations|er|ers)|"
    r"analys(?:e|ed|ing)|modelling|modelled|labelled|labelling|travelled|cancelled|"
    r"centre|centres|licence|defence|catalogue|programme|whilst|artefacts?|judgement)\b",
    re.I,
)
# Words matched above that are American all the same (none so far).
AMERICAN: set[str] = set()


def _faces(card: dict) -> str:
    return f"{card['front']}\n{card.get('back', '')}"


def _blocks() -> list[tuple[str, int, str]]:
    found = []
    for card in CARDS:
        for n, code in enumerate(PYTHON_BLOCK.findall(_faces(card)), start=1):
            found.append((card["key"], n, code))
    return found


@pytest.mark.parametrize(("key", "number", "code"), _blocks(), ids=lambda v: str(v)[:40])
def test_every_python_sample_runs_and_its_asserts_hold(key, number, code):
    started = time.perf_counter()
    exec(compile(code, f"<{key} block {number}>", "exec"), {"__name__": "__sample__"})  # noqa: S102
    assert time.perf_counter() - started < 2, f"{key}: a sample should run in well under 2 s"


def test_every_python_sample_checks_what_it_claims():
    """A sample that only defines a function proves nothing: each asserts a result."""
    silent = [f"{key} block {n}" for key, n, code in _blocks() if "assert" not in code]
    assert silent == []


def test_every_card_names_a_topic_and_writes_its_tags_one_way():
    slugs = {topic["slug"] for topic in LIBRARY["topics"]}
    assert all(topic.get("description") for topic in LIBRARY["topics"])
    assert [card["key"] for card in CARDS if card["topic"] not in slugs] == []
    bad_tags = [
        (card["key"], tag)
        for card in CARDS
        for tag in card.get("tags", [])
        if not TAG.fullmatch(tag)
    ]
    assert bad_tags == []
    assert [card["key"] for card in CARDS if not card.get("tags")] == []


def test_every_card_renders_and_its_cloze_numbers_have_no_gaps():
    problems = []
    for card in CARDS:
        kind = card.get("kind", "basic")
        if kind == "cloze":
            numbers = cloze_numbers(card["front"])
            if numbers != list(range(1, len(numbers) + 1)):
                problems.append(f"{card['key']}: cloze numbers {numbers}")
            sides = [
                cloze_side(card["front"], n, reveal=reveal)
                for n in numbers
                for reveal in (False, True)
            ]
        else:
            if "{{c" in card["front"]:
                problems.append(f"{card['key']}: a cloze deletion on a {kind} card")
            sides = [card["front"], card.get("back", "")]
        for html in map(render_markdown, [*sides, card.get("back", "")]):
            if "{{c" in html or "```" in html:
                problems.append(f"{card['key']}: left unrendered: {html[:80]}")
        if not render_markdown(card.get("back", "") or card["front"]).strip():
            problems.append(f"{card['key']}: renders empty")
    assert problems == []


def test_every_cloze_answer_is_whole():
    """A deletion ends at the first ``}}``: braces inside one (TeX's ``\\frac{a}{b}``)
    would cut its answer short and leave the rest outside it."""
    cut = [
        (card["key"], match.group(2))
        for card in CARDS
        if card.get("kind") == "cloze"
        for match in CLOZE_PATTERN.finditer(card["front"])
        if match.group(2).count("{") != match.group(2).count("}")
    ]
    assert cut == []


def _normal(text: str) -> str:
    text = re.sub(r"\{\{c\d+::(.*?)(::.*?)?\}\}", r"\1", text)
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text.lower()).split())


# Fronts this alike (rapidfuzz's ratio of their words, 0-100) ask one thing:
# "...with no labels, what do you do?" reworded scores 93; "questions about the
# role" against "questions about the team" scores 90.
NEAR = 92


@pytest.mark.parametrize(
    "fronts",
    [
        [(card["key"], card["front"]) for card in CARDS],
        [(question["key"], question["text"]) for question in INTERVIEWER],
        [(question["key"], question["text"]) for question in TO_ASK["questions"]],
    ],
    ids=["cards", "interviewer questions", "questions to ask"],
)
def test_no_two_fronts_say_the_same_thing(fronts):
    """Within the cards, and within each bank of questions: a flashcard and a
    mock interview question may well ask the same thing."""
    normal = [(key, _normal(text)) for key, text in fronts]
    near = [
        (a, b, round(score))
        for (a, x), (b, y) in combinations(normal, 2)
        if (score := fuzz.ratio(x, y)) >= NEAR
    ]
    assert near == []


def test_keys_are_unique_across_the_whole_library():
    keys = [card["key"] for card in CARDS] + [q["key"] for q in INTERVIEWER]
    keys += [q["key"] for q in TO_ASK["questions"]]
    assert len(keys) == len(set(keys))


def test_the_spelling_is_american_throughout():
    texts = [(card["key"], _faces(card)) for card in CARDS]
    texts += [
        (topic["slug"], f"{topic['name']} {topic['description']}") for topic in LIBRARY["topics"]
    ]
    for question in INTERVIEWER:
        words = " ".join([question["text"], *question["key_points"], question["model_answer"]])
        texts.append((question["key"], words))
    texts += [(question["key"], question["text"]) for question in TO_ASK["questions"]]
    british = [
        (key, match.group(0))
        for key, text in texts
        for match in BRITISH.finditer(text)
        if match.group(0).lower() not in AMERICAN
    ]
    assert british == []


def test_the_library_covers_the_whole_interview_loop():
    """At least 450 cards over the topics a data, ML or backend loop asks about;
    130 interviewer questions, each with key points and a model answer; 60
    questions to ask, in all six categories."""
    topics = {card["topic"] for card in CARDS}
    assert len(CARDS) >= 450
    assert topics >= {
        "sql",
        "statistics",
        "databases",
        "distributed-systems",
        "api-design",
        "regression-classification",
        "neural-networks",
        "feature-engineering",
        "mlops",
        "algorithms",
        "system-design-interview",
    }
    assert len(INTERVIEWER) >= 130
    assert all(q["key_points"] and q["model_answer"].strip() for q in INTERVIEWER)
    categories = [question["category"] for question in TO_ASK["questions"]]
    assert len(categories) >= 60
    assert set(categories) == {"team", "role", "growth", "culture", "tech", "process"}
