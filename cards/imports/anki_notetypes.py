"""Anki's note types as prep's card kinds. A note type is recognised by its
structure, whatever its name or language: a cloze type is marked so; one card
template over two fields is basic; two templates asking the first and then the
second field are reversed, and optionally reversed when the second template
shows only when a third field is filled in. Any other type is read as basic
from its first two fields, and the preview names it."""

import json
import re
import sqlite3
from dataclasses import dataclass, field

from ..models import Card
from .protobuf import proto_fields

BASIC, REVERSED, OPTIONAL, CLOZE, OTHER = "basic", "reversed", "optional", "cloze", "other"
OCCLUSION = "occlusion"
OCCLUSION_STOCK_KIND = 6  # Anki's OriginalStockKind for Image Occlusion
MAX_TYPE_LINES = 20  # note types named one by one in the preview
# Anki's own names, for a type whose templates this reading cannot see.
STOCK_NAMES = {
    "basic": BASIC,
    "basic (type in the answer)": BASIC,
    "basic (and reversed card)": REVERSED,
    "basic (optional reversed card)": OPTIONAL,
    "cloze": CLOZE,
    "image occlusion": OCCLUSION,
}
_TAG = re.compile(r"<[^>]*>")


@dataclass
class NoteType:
    name: str
    fields: list[str]
    questions: list[str] = field(default_factory=list)  # each card template's front
    cloze: bool = False
    stock_kind: int = 0  # the stock type it was made from (Anki's OriginalStockKind)
    shape: str = OTHER
    flag: int | None = None  # OPTIONAL: the field that turns the reverse card on
    count: int = 0  # notes read of this type
    width: int = 0  # fields, when their names are unknown: the most a note filled in

    def __post_init__(self):
        self.shape, self.flag = _shape(self)

    @classmethod
    def named(cls, name: str) -> "NoteType":
        """A type known only by its name (a text export's note type column):
        Anki's stock types by their English names, any other as OTHER."""
        note_type = cls(name=name, fields=[])
        note_type.shape = STOCK_NAMES.get(name.strip().lower(), OTHER)
        note_type.flag = 2 if note_type.shape == OPTIONAL else None
        return note_type

    def kind(self, values: list[str]) -> str | None:
        """The row's kind option for a note's fields: reversed, or None (basic,
        or a cloze, which is told from its text)."""
        if self.shape == REVERSED:
            return Card.Kind.REVERSED
        if self.shape == OPTIONAL and self.flag is not None and self.flag < len(values):
            return Card.Kind.REVERSED if filled(values[self.flag]) else None
        return None

    def faces(self) -> tuple[int, int]:
        """Which fields are the front and the back: the first two, but for a
        cloze type whose deletions are in another field, that field and then
        the first other one."""
        front = 0
        if self.shape == CLOZE and self.questions:
            named = re.search(r"\{\{(?:[^{}:]*:)*cloze:([^{}]+)\}\}", self.questions[0])
            if named and named.group(1).strip() in self.fields:
                front = self.fields.index(named.group(1).strip())
        return front, 1 if front == 0 else 0

    def used(self) -> set[int]:
        """The fields a card is made from (front, back, and the flag)."""
        return {*self.faces()} | ({self.flag} if self.flag is not None else set())


def filled(value: str) -> bool:
    """Whether Anki counts a field as filled: text left once its tags, no-break
    spaces and white space are gone."""
    return bool(_TAG.sub("", value).replace("&nbsp;", " ").strip())


def _asks(question: str, name: str) -> bool:
    """Whether a template's front shows the field, plainly or through filters."""
    return re.search(r"\{\{(?:[^{}:]*:)*" + re.escape(name) + r"\}\}", question) is not None


def _shape(note_type: NoteType) -> tuple[str, int | None]:
    if note_type.stock_kind == OCCLUSION_STOCK_KIND or any(
        "image-occlusion" in question for question in note_type.questions
    ):
        return OCCLUSION, None
    if note_type.cloze:
        return CLOZE, None
    names, questions = note_type.fields, note_type.questions
    known = any(questions)
    if len(names) == 2 and len(questions) == 1 and (not known or _asks(questions[0], names[0])):
        return BASIC, None
    if len(names) >= 2 and len(questions) == 2:
        first, second = questions
        mirrored = not known or (_asks(first, names[0]) and _asks(second, names[1]))
        if mirrored and len(names) == 2:
            return REVERSED, None
        if mirrored and len(names) == 3:
            flag = re.search(r"\{\{#" + re.escape(names[2]) + r"\}\}", second)
            if flag or not known:
                return OPTIONAL, 2
    stock = STOCK_NAMES.get(note_type.name.strip().lower())
    if stock == OPTIONAL:
        return (OPTIONAL, 2) if len(names) >= 3 else (BASIC, None)
    return (stock, None) if stock else (OTHER, None)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def read_note_types(db: sqlite3.Connection, tables: set[str]) -> dict[int, NoteType]:
    """Every note type of a collection by id: from the notetypes, fields and
    templates tables (Anki 2.1.28 and later), else from col.models' JSON.
    Raises ValueError when they are damaged."""
    if {"notetypes", "fields", "templates"} <= tables:
        fields: dict[int, list[str]] = {}
        for type_id, name in db.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
            fields.setdefault(type_id, []).append(str(name))
        questions: dict[int, list[str]] = {}
        for type_id, config in db.execute("SELECT ntid, config FROM templates ORDER BY ntid, ord"):
            front = proto_fields(config).get(1, [b""])[0] if isinstance(config, bytes) else b""
            questions.setdefault(type_id, []).append(_text(front))
        types = {}
        for type_id, name, config in db.execute("SELECT id, name, config FROM notetypes"):
            settings = proto_fields(config) if isinstance(config, bytes) else {}
            types[type_id] = NoteType(
                name=str(name),
                fields=fields.get(type_id, []),
                questions=questions.get(type_id, []),
                cloze=settings.get(1, [0])[0] == 1,
                stock_kind=settings.get(9, [0])[0],
            )
        return types
    row = db.execute("SELECT models FROM col LIMIT 1").fetchone()
    models = json.loads(row[0]) if row and row[0] else {}
    try:
        return {
            int(type_id): NoteType(
                name=str(model.get("name", "")),
                fields=[str(item["name"]) for item in model.get("flds", [])],
                questions=[str(item.get("qfmt", "")) for item in model.get("tmpls", [])],
                cloze=model.get("type") == 1,
                stock_kind=model.get("originalStockKind") or 0,
            )
            for type_id, model in models.items()
        }
    except (TypeError, KeyError, AttributeError) as error:
        raise ValueError(error) from None


def left_out_notes(types: dict[int, NoteType] | dict[str, NoteType]) -> list[str]:
    """A line for the preview about each note type whose notes are left out."""
    lines = []
    for note_type in _read_types(types, OCCLUSION):
        count = note_type.count
        lines.append(
            f"{_notes_of(note_type)} {'were' if count > 1 else 'was'} left out: an image "
            "occlusion card asks about parts of an image that Anki hides, and has no text "
            "of its own."
        )
    return lines


def other_type_notes(types: dict[int, NoteType] | dict[str, NoteType]) -> list[str]:
    """The lines of ``left_out_notes``, and one about each note type read as
    basic for want of a better match (the first MAX_TYPE_LINES, then a count)."""
    others = _read_types(types, OTHER)
    lines = left_out_notes(types) + [
        f"{_notes_of(note_type)} {'were' if note_type.count > 1 else 'was'} imported as "
        f"basic cards, with {_faces_and_rest(note_type)}"
        for note_type in others[:MAX_TYPE_LINES]
    ]
    if len(others) > MAX_TYPE_LINES:
        rest = others[MAX_TYPE_LINES:]
        lines.append(
            f"{sum(t.count for t in rest):,} notes of {len(rest):,} more note types were "
            "imported as basic cards the same way."
        )
    return lines


def _read_types(types, shape: str) -> list[NoteType]:
    """The types of the shape that notes were read of, by name."""
    chosen = [t for t in types.values() if t.shape == shape and t.count]
    return sorted(chosen, key=lambda t: t.name.lower())


def _notes_of(note_type: NoteType) -> str:
    count = note_type.count
    return f"{count:,} note{'s' if count > 1 else ''} of the note type “{note_type.name}”"


def _faces_and_rest(note_type: NoteType) -> str:
    """Which fields became front and back, and which were left out."""
    names, rest = note_type.fields[:2], note_type.fields[2:]
    if not names:
        more = note_type.width - 2
        left = f"; {more} more field{'s are' if more > 1 else ' is'} left out." if more > 0 else "."
        return "their first two fields as front and back" + left
    fields = " and ".join(f"“{name}”" for name in names)
    left = ", ".join(f"“{name}”" for name in rest)
    return f"{fields} as front and back" + (
        f"; {left} {'is' if len(rest) == 1 else 'are'} left out." if rest else "."
    )
