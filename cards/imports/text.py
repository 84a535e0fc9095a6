"""Reading text files: CSV, TSV and Anki's “Notes in Plain Text” export. Text
is read a line at a time and must be UTF-8 without NUL bytes; every row goes
through ``ImportRowForm`` (``ParsedFile.add``)."""

import csv
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import PurePosixPath

from ..exports.formats import (
    ANKI_GUID_PREFIXES,
    markdown_from_anki_field,
    tags_from_anki,
    unneutralize_formula,
)
from ..models import MAX_FACE_LENGTH, Card, ImportJob
from .anki_notetypes import OCCLUSION, OTHER, NoteType, left_out_notes, other_type_notes
from .rows import READ_CHUNK, ImportRejected, ParsedFile

COLUMN_ROLES = {
    "front": "front",
    "question": "front",
    "back": "back",
    "answer": "back",
    "topic": "topic",
    "deck": "topic",
    "tags": "tags",
    "tag": "tags",
    "kind": "kind",
}
KINDS = ["", *Card.Kind.values]  # a kind column's values; empty is basic
POSITIONAL_COLUMNS = ("front", "back", "topic", "tags")
ANKI_SEPARATORS = {
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}
ANKI_HEADER = re.compile(
    r"#(separator|html|tags column|deck column|notetype column|guid column|columns|deck"
    r"|notetype|tags with spaces|tags|if matches|match scope):(.*)",
    re.IGNORECASE,
)


def _raw_lines(file) -> Iterator[bytes]:
    """The file's lines (ending in \\n), read a chunk at a time."""
    partial: list[bytes] = []
    while chunk := file.read(READ_CHUNK):
        start = 0
        while (end := chunk.find(b"\n", start)) != -1:
            partial.append(chunk[start : end + 1])
            yield b"".join(partial)
            partial = []
            start = end + 1
        if start < len(chunk):
            partial.append(chunk[start:])
    if partial:
        yield b"".join(partial)


def text_lines(file) -> Iterator[str]:
    """The lines as text, refusing a binary or non-UTF-8 file at its first bad line."""
    for number, raw in enumerate(_raw_lines(file), start=1):
        if b"\x00" in raw:
            raise ImportRejected(
                f"Line {number} contains a NUL byte: this is a binary file, not CSV or TSV "
                "text. Nothing was imported."
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ImportRejected(
                f"Line {number} is not UTF-8 text (byte 0x{raw[error.start]:02x} at position "
                f"{error.start + 1}). Save the file as UTF-8 and upload it again; nothing "
                "was imported."
            ) from None
        if number == 1:
            text = text.removeprefix("\ufeff")
        yield text


def _column_number(value: str, line: int, what: str) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        raise ImportRejected(f"Line {line}: “#{what}:{value}” is not a column number.")
    return int(value) - 1


def _unclosed_quote() -> str:
    return (
        "the double quote that opens a field on this line is never closed, so the line was "
        "left out and the lines after it were read on their own — close the quote, or double "
        'a quote that is part of the text ("")'
    )


def _csv_error(error: csv.Error) -> str:
    message = str(error)
    if "field larger than field limit" in message:
        return (
            f"a field is longer than {csv.field_size_limit():,} characters; a card face holds "
            f"at most {MAX_FACE_LENGTH} characters"
        )
    if "expected after" in message:
        return (
            "a quoted field goes on after its closing quote — put the whole field in double "
            'quotes and double each quote inside it: """X"" — who?"'
        )
    return f"the line cannot be read ({message})"


def parse_text(file, *, filename: str, default_topic: str) -> ParsedFile:
    head = file.read(READ_CHUNK)
    file.seek(0)
    if b"\x00" in head:
        line = head[: head.index(b"\x00")].count(b"\n") + 1
        hint = (
            " (a zip archive: an Anki package must be named .apkg)"
            if head[:4] == b"PK\x03\x04"
            else ""
        )
        raise ImportRejected(
            f"Line {line} contains a NUL byte: this is a binary file{hint}, not CSV or TSV "
            "text. Nothing was imported."
        )
    lines = text_lines(file)
    directives: dict[str, tuple[int, str]] = {}
    header_lines = 0
    first = None
    for line in lines:
        match = ANKI_HEADER.fullmatch(line.rstrip("\r\n"))
        if match is None:
            first = line
            break
        header_lines += 1
        directives[match.group(1).lower()] = (header_lines, match.group(2))
    if first is None:
        if header_lines:
            raise ImportRejected("The file has Anki header lines but no notes after them.")
        raise ImportRejected("The file is empty: there is nothing in it to import.")

    suffix = PurePosixPath(filename.lower()).suffix
    if "separator" in directives:
        line, value = directives["separator"]
        delimiter = ANKI_SEPARATORS.get(value.strip().lower(), value if len(value) == 1 else "")
        if not delimiter:
            raise ImportRejected(f"Line {line}: “#separator:{value}” is not a separator.")
    elif suffix == ".tsv" or (suffix != ".csv" and "\t" in first):
        delimiter = "\t"
    else:
        delimiter = ","
    if directives:
        source = ImportJob.Source.ANKI_TEXT
    else:
        source = ImportJob.Source.TSV if delimiter == "\t" else ImportJob.Source.CSV
    parsed = ParsedFile(source=source)

    records = _records(
        itertools.chain([first], lines), delimiter=delimiter, offset=header_lines, parsed=parsed
    )
    if source == ImportJob.Source.ANKI_TEXT:
        _read_anki_text(records, directives, parsed=parsed, default_topic=default_topic)
    else:
        _read_table(records, delimiter=delimiter, parsed=parsed, default_topic=default_topic)
    if not parsed.rows and not parsed.error_count:
        raise ImportRejected("The file has no cards in it: every line is empty.")
    return parsed


class _Lines:
    """Lines to a csv reader, with the lines of the record being read kept so
    that a record that cannot be read gives its lines after the first back."""

    def __init__(self, lines: Iterator[str], first_number: int):
        self._lines = lines
        self._back: list[tuple[int, str]] = []
        self.taken: list[tuple[int, str]] = []
        self.next_number = first_number

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self._back:
            number, line = self._back.pop()
        else:
            line = next(self._lines)
            number = self.next_number
            self.next_number += 1
        self.taken.append((number, line))
        return line

    def give_back_all_but_first(self) -> None:
        self._back.extend(reversed(self.taken[1:]))


def _records(
    lines: Iterator[str], *, delimiter: str, offset: int, parsed: ParsedFile
) -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) of every non-blank record, quoted the CSV way,
    strictly: a quoted field ends at a delimiter or at the end of a line. A
    record that cannot be read is an error of its first line; when its quote
    ran on over later lines, those lines are read again on their own, so one
    stray quote costs one line, not the rest of the file."""
    source = _Lines(lines, offset + 1)
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    while True:
        source.taken = []
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = source.taken[0][0]
            if len(source.taken) > 1 or "unexpected end of data" in str(error):
                parsed.error(line, _unclosed_quote())
                source.give_back_all_but_first()
            else:
                parsed.error(line, _csv_error(error))
            continue
        if any(cell.strip() for cell in record):
            yield source.taken[0][0], record


def _read_table(records, *, delimiter: str, parsed: ParsedFile, default_topic: str) -> None:
    """CSV or TSV: the columns a header line names, or front, back, topic, tags.
    A line with more columns than the header (or, without one, than the file's
    other lines) is an error: a field holding the separator was not quoted."""
    first = next(records, None)
    if first is None:
        return
    line, record = first
    names = [cell.strip().lower() for cell in record]
    # A header names at least two columns, or only columns: one word that happens
    # to be a column name (a topic called “Topic”) does not make a line a header.
    known = sum(name in COLUMN_ROLES for name in names)
    if known >= 2 or (known and known == sum(1 for name in names if name)):
        columns = _header_columns(line, record, names)
        width, rows = len(names), records
        too_wide = f"the header (line {line}) has {width}"
    else:
        columns = {role: index for index, role in enumerate(POSITIONAL_COLUMNS)}
        rows = [first, *records]
        counts = Counter(len(record) for _, record in rows)
        usual = max(counts, key=lambda width: (counts[width], width))  # ties: the wider
        if usual <= len(POSITIONAL_COLUMNS):
            width, too_wide = usual, f"the file's other lines have {usual}"
        else:
            width = len(POSITIONAL_COLUMNS)
            too_wide = f"without a header line a line has at most {width}: front, back, topic, tags"
        if any(2 < len(record) <= width and any(record[2:4]) for _, record in rows):
            parsed.notes.append(
                "The file has no header line, so its columns were read as front, back, topic "
                "and tags, in that order."
            )
    separator = {"\t": "tabs", ",": "commas", ";": "semicolons"}.get(delimiter, delimiter)
    for line, record in rows:
        if len(record) > width:
            parsed.error(
                line,
                f"the line has {len(record)} columns; {too_wide} — put a field with "
                f"{separator} in double quotes",
            )
            continue
        values = {
            role: record[index] if index < len(record) else "" for role, index in columns.items()
        }
        values["topic"] = values.get("topic", "").strip() or default_topic
        if "kind" not in columns:
            parsed.add(line, values)
            continue
        # prep's own export: its kind column, and the apostrophe it puts before a
        # cell a spreadsheet would run as a formula.
        kind = values.pop("kind").strip()
        values = {role: unneutralize_formula(value) for role, value in values.items()}
        if kind.lower() not in KINDS:
            parsed.error(line, f"the kind “{kind}” is not one of {', '.join(KINDS[1:])}")
        elif kind.lower() == Card.Kind.REVERSED:
            parsed.add(line, values, kind=Card.Kind.REVERSED)
        else:  # a cloze is told by its front
            parsed.add(line, values)


def _header_columns(line: int, record: list[str], names: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, name in enumerate(names, start=1):
        if name not in COLUMN_ROLES:
            shown = f"“{record[index - 1].strip()}”" if name else "no name"
            raise ImportRejected(
                f"Line {line}: column {index} of the header has {shown}; the columns are "
                "front, back, topic, tags and kind. Nothing was imported."
            )
        role = COLUMN_ROLES[name]
        if role in columns:
            raise ImportRejected(
                f"Line {line}: the header names the {role} column twice. Nothing was imported."
            )
        columns[role] = index - 1
    if "front" not in columns:
        raise ImportRejected(
            f"Line {line}: the header has no “front” column. Nothing was imported."
        )
    return columns


def _spaced_tags(directives) -> list[str]:
    """The names prep's own export lists as the tags that have spaces."""
    line, value = directives.get("tags with spaces", (0, "[]"))
    try:
        names = json.loads(value)
    except ValueError:
        names = None
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ImportRejected(
            f"Line {line}: “#tags with spaces:” is not a list of tags in double quotes, "
            'such as ["system design"]. Nothing was imported.'
        )
    return names


def _read_anki_text(records, directives, *, parsed: ParsedFile, default_topic: str) -> None:
    """Anki's “Notes in Plain Text”: the header lines say which columns hold the
    tags, deck, note type and id; the other columns are the note's fields, of
    which the first two become the front and the back, and a reversed note type
    (or an optional reversed one whose third field is filled in) a reversed card.
    With ``#html:true`` the fields are HTML cards; a note prep wrote (its id says
    so) comes back as the card it was, Markdown or HTML."""
    special: dict[str, int] = {}
    for key, role in (
        ("tags column", "tags"),
        ("deck column", "topic"),
        ("notetype column", "notetype"),
        ("guid column", "guid"),
    ):
        if key in directives:
            line, value = directives[key]
            special[role] = _column_number(value, line, key)
    deck = directives.get("deck", (0, ""))[1].strip()
    file_type = directives.get("notetype", (0, ""))[1].strip()
    extra_tags = directives.get("tags", (0, ""))[1]
    spaced = _spaced_tags(directives)
    html = directives.get("html", (0, ""))[1].strip().lower() == "true"
    skipped = set(special.values())
    types: dict[str, NoteType] = {}
    longer = 0
    for line, record in records:
        fields = [cell for index, cell in enumerate(record) if index not in skipped]

        def cell(role: str, record=record) -> str:
            index = special.get(role)
            return record[index] if index is not None and index < len(record) else ""

        name = cell("notetype").strip() or file_type
        note_type = None
        if name:
            note_type = types.get(name.lower()) or types.setdefault(
                name.lower(), NoteType.named(name)
            )
        if note_type is not None:
            note_type.count += 1
            if note_type.shape == OCCLUSION:  # said in the preview
                continue
        used = note_type.used() if note_type is not None else {0, 1}
        filled = [n for n, value in enumerate(fields) if value.strip()]
        if note_type is not None and note_type.shape == OTHER:  # its line names the rest
            note_type.width = max(note_type.width, max(filled, default=0) + 1)
        elif any(n not in used for n in filled):
            longer += 1
        values = {
            "front": fields[0] if fields else "",
            "back": fields[1] if len(fields) > 1 else "",
            "topic": cell("topic"),
            "tags": cell("tags"),
        }
        row_html = html
        guid = cell("guid")
        if guid.startswith(tuple(ANKI_GUID_PREFIXES.values())):
            # prep's own export: undo its apostrophes before formulas.
            values = {role: unneutralize_formula(value) for role, value in values.items()}
            row_html = guid.startswith(ANKI_GUID_PREFIXES[Card.TextFormat.HTML])
            if html and not row_html:
                values["front"] = markdown_from_anki_field(values["front"])
                values["back"] = markdown_from_anki_field(values["back"])
        values["topic"] = values["topic"].strip() or deck or default_topic
        values["tags"] = tags_from_anki(f"{values['tags']} {extra_tags}", spaced)
        options = {"html": True} if row_html else {}
        kind = note_type.kind(fields) if note_type is not None else None
        if kind:
            options["kind"] = kind
        parsed.add(line, values, **options)
    if not parsed.rows and not parsed.error_count and (left_out := left_out_notes(types)):
        raise ImportRejected(" ".join(["The file has no notes that can be imported.", *left_out]))
    parsed.notes.extend(other_type_notes(types))
    if longer:
        parsed.notes.append(
            f"{longer} note{'s have' if longer > 1 else ' has'} more than two fields; only the "
            "first two (front and back) are imported."
        )
