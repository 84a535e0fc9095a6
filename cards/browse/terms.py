"""The terms of a search, each read and checked from its text alone: a filter
(``is:due``, ``prop:r<0.8``, ...) or a run of free words. Everything wrong
with one is a QueryError naming the limit, at the term's position."""

import re
from dataclasses import dataclass

from cards.models import Card
from cards.search import WORD

MAX_DAYS = 3650  # added:N and rated:N
MAX_COUNT = 1_000_000  # prop:lapses and prop:reps
MAX_STABILITY = 36_500  # prop:s, in days (FSRS keeps intervals under 100 years)
MAX_VALUE_LENGTH = 100  # a topic's or a tag's name

IS_VALUES = ("due", "new", "suspended", "leech", "hidden")
KINDS = tuple(Card.Kind.values)
PROPERTIES = ("r", "d", "s", "lapses", "reps")
OPERATORS = ("<=", ">=", "!=", "<", ">", "=")
PROPERTY = re.compile(r"^([a-z]+)(<=|>=|!=|<|>|=)(.*)$", re.IGNORECASE)
NUMBER = re.compile(r"^\d+(\.\d+)?$|^\.\d+$")


class QueryError(ValueError):
    """A search that cannot be read: ``message`` in words, ``position`` the
    character it points at (counted from 1)."""

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Term:
    position: int


@dataclass(frozen=True)
class Words(Term):
    words: tuple[str, ...]


@dataclass(frozen=True)
class Is(Term):
    what: str  # one of IS_VALUES


@dataclass(frozen=True)
class Owner(Term):
    mine: bool  # mine: the person's own cards; else the starter library's


@dataclass(frozen=True)
class Kind(Term):
    kind: str


@dataclass(frozen=True)
class Named(Term):
    """topic:… or tag:…; ``prefix`` when it ended in ``*``."""

    field: str  # "topic" or "tag"
    name: str
    prefix: bool


@dataclass(frozen=True)
class Added(Term):
    days: int


@dataclass(frozen=True)
class Rated(Term):
    days: int
    rating: int | None


@dataclass(frozen=True)
class Prop(Term):
    name: str  # one of PROPERTIES
    operator: str  # one of OPERATORS
    value: float


def read_words(text: str, *, position: int, quoted: bool = False) -> Term:
    """A free word or a quoted phrase; ``mine`` and ``starter`` unquoted are filters."""
    if not quoted and text.lower() in {"mine", "starter"}:
        return Owner(position=position, mine=text.lower() == "mine")
    words = tuple(word.lower() for word in WORD.findall(text))
    if not words:
        shown = text if text else '""'
        raise QueryError(
            f"“{shown}” at position {position} has no letters or digits to search for", position
        )
    return Words(position=position, words=words)


def read_filter(name: str, value: str, *, quoted: bool, position: int) -> Term:
    """The filter ``name:value`` (the value without its quotes)."""
    name = name.lower()
    reader = READERS.get(name)
    if reader is None:
        raise QueryError(
            f"Unknown filter “{name}:” at position {position}: use topic:, tag:, is:, "
            "kind:, added:, rated: or prop: (put words with a “:” in quotes)",
            position,
        )
    if not value:
        raise QueryError(f"“{name}:” at position {position} needs a value", position)
    return reader(value, quoted=quoted, position=position)


def _one_of(value: str, choices: tuple[str, ...], *, what: str, position: int) -> str:
    """``value`` in lower case when it is one of ``choices``; an error naming them else."""
    if value.lower() in choices:
        return value.lower()
    *others, last = [f"{what}:{choice}" for choice in choices]
    raise QueryError(
        f"Unknown filter “{what}:{value}” at position {position}: use {', '.join(others)} "
        f"or {last}",
        position,
    )


def _is(value: str, *, quoted: bool, position: int) -> Term:
    return Is(position=position, what=_one_of(value, IS_VALUES, what="is", position=position))


def _kind(value: str, *, quoted: bool, position: int) -> Term:
    return Kind(position=position, kind=_one_of(value, KINDS, what="kind", position=position))


def _named(field: str):
    def read(value: str, *, quoted: bool, position: int) -> Term:
        prefix = value.endswith("*") and not quoted
        name = value[:-1] if prefix else value
        if len(name) > MAX_VALUE_LENGTH:
            raise QueryError(
                f"A {field} name has at most {MAX_VALUE_LENGTH} characters; the one at "
                f"position {position} has {len(name):,}.",
                position,
            )
        if not name or (not quoted and "*" in name):
            raise QueryError(
                f"“{field}:{value}” at position {position}: a “*” may only end a name "
                f"that starts with something, as in {field}:sys*",
                position,
            )
        return Named(position=position, field=field, name=name, prefix=prefix)

    return read


def _days(value: str, *, what: str, position: int) -> int:
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_DAYS:
        raise QueryError(
            f"{what} at position {position} needs a whole number of days from 1 to "
            f"{MAX_DAYS:,} (1 is today)",
            position,
        )
    return int(value)


def _added(value: str, *, quoted: bool, position: int) -> Term:
    return Added(position=position, days=_days(value, what="added:", position=position))


def _rated(value: str, *, quoted: bool, position: int) -> Term:
    days, _, rating = value.partition(":")
    found = _days(days, what="rated:", position=position)
    if not rating:
        return Rated(position=position, days=found, rating=None)
    if rating not in {"1", "2", "3", "4"}:
        raise QueryError(
            f"rated:{days}:{rating} at position {position}: the grade is 1 (Again), 2 (Hard), "
            "3 (Good) or 4 (Easy)",
            position,
        )
    return Rated(position=position, days=found, rating=int(rating))


def _prop(value: str, *, quoted: bool, position: int) -> Term:
    match = PROPERTY.match(value)
    if match is None or match.group(1).lower() not in PROPERTIES:
        raise QueryError(
            f"Unknown property “prop:{value}” at position {position}: use prop:r, prop:d, "
            "prop:s, prop:lapses or prop:reps, then <, <=, >, >=, = or != and a number",
            position,
        )
    name, operator, number = match.group(1).lower(), match.group(2), match.group(3)
    if name in {"r", "d"}:
        low, high, what = 0, 1, "a number between 0 and 1"
    elif name == "s":
        low, high, what = 0, MAX_STABILITY, f"a number of days from 0 to {MAX_STABILITY:,}"
    else:
        low, high, what = 0, MAX_COUNT, f"a whole number from 0 to {MAX_COUNT:,}"
    whole = name in {"lapses", "reps"}
    if (
        not number.isascii()
        or not NUMBER.match(number)
        or (whole and "." in number)
        or not low <= float(number) <= high
    ):
        raise QueryError(f"prop:{name} at position {position} needs {what}", position)
    return Prop(position=position, name=name, operator=operator, value=float(number))


READERS = {
    "is": _is,
    "kind": _kind,
    "topic": _named("topic"),
    "tag": _named("tag"),
    "added": _added,
    "rated": _rated,
    "prop": _prop,
}
