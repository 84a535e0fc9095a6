"""Importing cards from a file: CSV or TSV, Anki's “Notes in Plain Text” export,
and Anki deck packages (.apkg).

Nothing in an upload is trusted. Text is read a line at a time and must be
UTF-8 without NUL bytes; every row goes through ``ImportRowForm``; a package's
zip entries are checked for names that climb out of it and for sizes or
compression ratios only a zip bomb has, and its SQLite collection is unpacked
(capped) to a temporary file and only ever read, with a time limit.

The flow: ``parse_upload`` turns the file into valid rows and per-line errors,
``create_import_job`` keeps them on an ImportJob until the person has seen the
preview (``preview_import``), ``start_import`` confirms it, and ``run_import``
writes everything in one transaction, in a background thread, reporting its
progress through the cache.
"""

import csv
import itertools
import json
import logging
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path, PurePosixPath

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from prep_site import jobs, planner
from prep_site.jobs import JobProgress

from .import_forms import ImportRowForm
from .markdown import cloze_numbers
from .models import MAX_FACE_LENGTH, Card, ImportJob, Prompt, Topic

logger = logging.getLogger(__name__)

MAX_ROWS = 100_000
MAX_TOPICS = 500  # distinct topic names in one file
MAX_STORED_ERRORS = 500
PREVIEW_ROWS = 20
SHOWN_ERRORS = 200
SHOWN_DUPLICATE_LINES = 30
BATCH_SIZE = 1000
READ_CHUNK = 64 * 1024

# Anki packages.
COLLECTION_NAMES = ("collection.anki21", "collection.anki2")
PACKAGE_FILES = {*COLLECTION_NAMES, "collection.anki21b", "media", "meta"}
MAX_COLLECTION_BYTES = 256 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100  # a real collection compresses 3-10 times
MAX_ZIP_ENTRIES = 100_000
SQLITE_SECONDS = 30

# A running import whose progress has been still for STALE_AFTER died with its
# process: its transaction rolled back, so nothing was written.
INTERRUPTED = (
    "The import stopped before it finished (the server it ran on was restarted), so "
    "nothing was written. Its cards are still here: confirm to import them again."
)

COLUMN_ROLES = {
    "front": "front",
    "question": "front",
    "back": "back",
    "answer": "back",
    "topic": "topic",
    "deck": "topic",
    "tags": "tags",
    "tag": "tags",
}
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
    r"|notetype|tags|if matches|match scope):(.*)",
    re.IGNORECASE,
)


class ImportRejected(Exception):
    """The file (or the confirmation) cannot go ahead at all; ``str(error)``
    says why, for the person, naming the line or the part of the file."""


@dataclass
class ParsedFile:
    source: str
    rows: list[list] = field(default_factory=list)  # [line, front, back, topic, [tags]]
    errors: list[list] = field(default_factory=list)  # [line, reason]
    error_count: int = 0
    notes: list[str] = field(default_factory=list)
    topic_names: set[str] = field(default_factory=set)

    def add(self, line: int, values: dict[str, str]) -> None:
        """Validate one row with the row form and keep it or its error."""
        if len(self.rows) + self.error_count >= MAX_ROWS:
            raise ImportRejected(
                f"The file has more than {MAX_ROWS:,} rows; split it into smaller files."
            )
        form = ImportRowForm(values)
        if not form.is_valid():
            self.error(line, form.reason())
            return
        data = form.cleaned_data
        self.topic_names.add(data["topic"].lower())
        if len(self.topic_names) > MAX_TOPICS:
            raise ImportRejected(
                f"The file names more than {MAX_TOPICS} different topics (line {line} names "
                f"another); import at most {MAX_TOPICS} at a time."
            )
        self.rows.append([line, data["front"], data["back"], data["topic"], data["tags"]])

    def error(self, line: int, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append([line, reason])


def parse_upload(*, file, filename: str, default_topic: str = "") -> ParsedFile:
    """The rows of an uploaded file, validated, and the reason for every row left
    out. Raises ImportRejected when the file as a whole cannot be read."""
    file.seek(0)
    if PurePosixPath(filename.lower()).suffix == ".apkg":
        return _parse_package(file, default_topic=default_topic)
    return _parse_text(file, filename=filename, default_topic=default_topic)


# Text: CSV, TSV and Anki's plain-text notes ---------------------------------------------


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


def _text_lines(file) -> Iterator[str]:
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


def _csv_error(error: csv.Error) -> str:
    message = str(error)
    if "field larger than field limit" in message:
        return (
            f"a field is longer than {csv.field_size_limit():,} characters; a card face holds "
            f"at most {MAX_FACE_LENGTH} characters"
        )
    return f"the line cannot be read ({message})"


def _parse_text(file, *, filename: str, default_topic: str) -> ParsedFile:
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
    lines = _text_lines(file)
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

    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
    records = _records(reader, offset=header_lines, parsed=parsed)
    if source == ImportJob.Source.ANKI_TEXT:
        _read_anki_text(records, directives, parsed=parsed, default_topic=default_topic)
    else:
        _read_table(records, parsed=parsed, default_topic=default_topic)
    if not parsed.rows and not parsed.error_count:
        raise ImportRejected("The file has no cards in it: every line is empty.")
    return parsed


def _records(reader, *, offset: int, parsed: ParsedFile) -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) of every non-blank record; unreadable ones
    become errors of their line."""
    while True:
        line = offset + reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            parsed.error(line, _csv_error(error))
            continue
        if any(cell.strip() for cell in record):
            yield line, record


def _read_table(records, *, parsed: ParsedFile, default_topic: str) -> None:
    """CSV or TSV: the columns a header line names, or front, back, topic, tags."""
    first = next(records, None)
    if first is None:
        return
    line, record = first
    names = [cell.strip().lower() for cell in record]
    # A header names at least two columns, or only columns: one word that happens
    # to be a column name (a topic called “Topic”) does not make a line a header.
    known = sum(name in COLUMN_ROLES for name in names)
    columns: dict[str, int]
    if known >= 2 or (known and known == sum(1 for name in names if name)):
        columns = {}
        for index, name in enumerate(names, start=1):
            if name not in COLUMN_ROLES:
                shown = f"“{record[index - 1].strip()}”" if name else "no name"
                raise ImportRejected(
                    f"Line {line}: column {index} of the header has {shown}; the columns are "
                    "front, back, topic and tags. Nothing was imported."
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
        width, header_line, rows = len(names), line, records
    else:
        columns = {role: index for index, role in enumerate(POSITIONAL_COLUMNS)}
        width, header_line, rows = len(POSITIONAL_COLUMNS), None, itertools.chain([first], records)

    for line, record in rows:
        if len(record) > width:
            if header_line:
                reason = (
                    f"{len(record)} fields, but the header on line {header_line} names "
                    f"{width} columns"
                )
            else:
                reason = (
                    f"{len(record)} fields; without a header line a row has at most {width}: "
                    "front, back, topic, tags"
                )
            parsed.error(line, reason)
            continue
        values = {
            role: record[index] if index < len(record) else "" for role, index in columns.items()
        }
        values["topic"] = values.get("topic", "").strip() or default_topic
        parsed.add(line, values)


def _read_anki_text(records, directives, *, parsed: ParsedFile, default_topic: str) -> None:
    """Anki's “Notes in Plain Text”: the header lines say which columns hold the
    tags, deck, note type and id; the other columns are the note's fields, of
    which the first two become the front and the back."""
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
    extra_tags = directives.get("tags", (0, ""))[1].strip()
    skipped = set(special.values())
    longer = 0
    for line, record in records:
        fields = [cell for index, cell in enumerate(record) if index not in skipped]
        if any(cell.strip() for cell in fields[2:]):
            longer += 1

        def cell(role: str, record=record) -> str:
            index = special.get(role)
            return record[index] if index is not None and index < len(record) else ""

        parsed.add(
            line,
            {
                "front": fields[0] if fields else "",
                "back": fields[1] if len(fields) > 1 else "",
                "topic": cell("topic").strip() or deck or default_topic,
                "tags": " ".join([cell("tags"), extra_tags]),
            },
        )
    if longer:
        parsed.notes.append(
            f"{longer} note{'s have' if longer > 1 else ' has'} more than two fields; only the "
            "first two (front and back) are imported."
        )


# Anki packages --------------------------------------------------------------------------


def _check_entry(info: zipfile.ZipInfo) -> None:
    name = info.filename
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or re.match(r"[A-Za-z]:", name) or "\x00" in name:
        raise ImportRejected(
            f"The package contains a file named “{name}”, which points outside the package. "
            "It was refused and nothing was imported."
        )
    if info.file_size > MAX_COLLECTION_BYTES:
        raise ImportRejected(
            f"The package's “{name}” would unpack to {info.file_size:,} bytes, more than the "
            f"{MAX_COLLECTION_BYTES:,} allowed. It was refused and nothing was imported."
        )
    if info.file_size > 1024 * 1024 and info.file_size > MAX_COMPRESSION_RATIO * max(
        info.compress_size, 1
    ):
        ratio = info.file_size // max(info.compress_size, 1)
        raise ImportRejected(
            f"The package's “{name}” would unpack to {ratio:,} times its packed size, which "
            "only a zip bomb does. It was refused and nothing was imported."
        )


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target) -> None:
    """Copy one entry out, never more than it declares (and the cap allows)."""
    limit = min(info.file_size, MAX_COLLECTION_BYTES)
    written = 0
    try:
        with archive.open(info) as source:
            while chunk := source.read(READ_CHUNK):
                written += len(chunk)
                if written > limit:
                    raise ImportRejected(
                        f"The package's “{info.filename}” unpacks to more than it declares. It "
                        "was refused and nothing was imported."
                    )
                target.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError) as error:
        # RuntimeError: encrypted; NotImplementedError is caught by the caller.
        raise ImportRejected(
            f"The package's “{info.filename}” cannot be unpacked ({error}). Nothing was imported."
        ) from None
    target.flush()


def _parse_package(file, *, default_topic: str) -> ParsedFile:
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise ImportRejected(
            "This .apkg file is not a zip archive, so it is not an Anki deck package (export "
            "the deck from Anki again). Nothing was imported."
        ) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise ImportRejected(
                f"The package holds {len(entries):,} files, more than an Anki deck has. "
                "Nothing was imported."
            )
        for info in entries:
            _check_entry(info)
        by_name = {info.filename: info for info in entries}
        collection = next((by_name[n] for n in COLLECTION_NAMES if n in by_name), None)
        if collection is None or (
            "collection.anki21b" in by_name and collection.filename != "collection.anki21"
        ):
            if "collection.anki21b" in by_name:
                raise ImportRejected(
                    "The package is in the newer Anki format (collection.anki21b), which this "
                    "import cannot read. In Anki, export it again with “Support older Anki "
                    "versions” ticked. Nothing was imported."
                )
            raise ImportRejected(
                "The package has no collection inside (collection.anki2 or collection.anki21): "
                "it is not an Anki deck package. Nothing was imported."
            )
        media = sum(1 for info in entries if info.filename not in PACKAGE_FILES)
        with tempfile.TemporaryDirectory(prefix="prep-import-") as folder:
            path = Path(folder) / "collection.sqlite3"
            with path.open("wb") as target:
                try:
                    _unpack(archive, collection, target)
                except NotImplementedError as error:
                    raise ImportRejected(
                        f"The package's “{collection.filename}” is compressed in a way this "
                        f"import cannot read ({error}). Nothing was imported."
                    ) from None
            parsed = _read_collection(path, collection.filename, default_topic=default_topic)
    if media:
        parsed.notes.append(
            f"The package holds {media} media file{'s' if media > 1 else ''} (images, sounds); "
            "media is not imported, so cards that show them will show the file name or a "
            "broken image instead."
        )
    if not parsed.rows and not parsed.error_count:
        raise ImportRejected("The package's collection has no notes in it.")
    return parsed


def _deck_names(db: sqlite3.Connection, part: str) -> dict[int, str]:
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not {"notes", "cards", "col"} <= tables:
        raise ImportRejected(
            f"The package's “{part}” has no notes, cards or col table: it is not an Anki "
            "collection. Nothing was imported."
        )
    if "decks" in tables:  # newer collections keep decks in a table, levels split by \x1f
        return {
            deck_id: str(name).replace("\x1f", "::")
            for deck_id, name in db.execute("SELECT id, name FROM decks")
        }
    row = db.execute("SELECT decks FROM col LIMIT 1").fetchone()
    try:
        decks = json.loads(row[0]) if row and row[0] else {}
        return {int(deck_id): str(deck["name"]) for deck_id, deck in decks.items()}
    except (TypeError, ValueError, KeyError, AttributeError):
        raise ImportRejected(
            f"The deck list in the package's “{part}” (col.decks) is damaged. Nothing was imported."
        ) from None


def _topic_name(deck: str) -> str:
    """A deck's name as a topic name: nested decks keep Anki's “::”, and a name
    too long for a topic keeps its last level."""
    if len(deck) <= 80:
        return deck
    return deck.rsplit("::", 1)[-1][:80]


def _read_collection(path: Path, part: str, *, default_topic: str) -> ParsedFile:
    parsed = ParsedFile(source=ImportJob.Source.APKG)
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as error:
        raise ImportRejected(f"The package's “{part}” cannot be opened ({error}).") from None
    deadline = time.monotonic() + SQLITE_SECONDS
    # A crafted database could hide endless work behind a view; give up in time.
    db.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        db.execute("PRAGMA trusted_schema = OFF")
        decks = _deck_names(db, part)
        deck_of: dict[int, int] = {}
        for note_id, deck_id in db.execute(
            "SELECT nid, CASE WHEN odid THEN odid ELSE did END FROM cards ORDER BY nid, ord"
        ):
            deck_of.setdefault(note_id, deck_id)
        longer = 0
        notes = db.execute("SELECT id, flds, tags FROM notes ORDER BY id")
        for number, (note_id, fields, tags) in enumerate(notes, start=1):
            if not isinstance(fields, str) or not isinstance(tags, str | None):
                parsed.error(number, "its fields are not text")
                continue
            values = fields.split("\x1f")
            if any(value.strip() for value in values[2:]):
                longer += 1
            deck = decks.get(deck_of.get(note_id), "")
            parsed.add(
                number,
                {
                    "front": values[0],
                    "back": values[1] if len(values) > 1 else "",
                    "topic": _topic_name(deck) or default_topic,
                    "tags": " ".join((tags or "").split()),
                },
            )
    except sqlite3.DatabaseError as error:
        if "interrupted" in str(error):
            raise ImportRejected(
                f"Reading the package's “{part}” took longer than {SQLITE_SECONDS} seconds, so "
                "it was stopped. Nothing was imported."
            ) from None
        raise ImportRejected(
            f"The package's “{part}” is not a readable Anki collection ({error}). Nothing was "
            "imported."
        ) from None
    finally:
        db.close()
    if longer:
        parsed.notes.append(
            f"{longer} note{'s have' if longer > 1 else ' has'} more than two fields; only the "
            "first two (front and back) are imported."
        )
    return parsed


# Jobs, preview and import ----------------------------------------------------------------


@transaction.atomic
def create_import_job(*, user, filename: str, parsed: ParsedFile) -> ImportJob:
    """Keep the parsed rows until the person confirms. Previews they walked away
    from more than a day ago go (their rows can be large)."""
    ImportJob.objects.filter(
        owner=user,
        status=ImportJob.Status.PREVIEW,
        created_at__lt=timezone.now() - timedelta(days=1),
    ).delete()
    job = ImportJob(
        owner=user,
        filename=Path(filename).name[:255] or "upload",
        source=parsed.source,
        rows=parsed.rows,
        errors=parsed.errors,
        error_count=parsed.error_count,
        notes=parsed.notes,
    )
    job.full_clean(exclude=["owner"])
    job.save()
    return job


@dataclass
class PlannedRow:
    line: int
    front: str
    back: str
    topic_name: str
    tags: list[str]
    topic: Topic | None  # None: a topic the import creates
    duplicate_of: int | None = None  # the person's card with the same front in the topic

    @property
    def kind(self) -> str:
        return Card.Kind.CLOZE if cloze_numbers(self.front) else Card.Kind.BASIC


@dataclass
class ImportPlan:
    rows: list[PlannedRow]  # in file order, repeats left out
    new: list[PlannedRow]
    duplicates: list[PlannedRow]
    repeats: list[list]  # [line, reason]: rows repeating an earlier row of the file
    new_topics: dict[str, str]  # lower-case name -> name as first written


def plan_import(*, user, rows: list[list], unit: str = "line") -> ImportPlan:
    """What confirming would do: which rows are new cards, which duplicate a card
    the person (a user or their id) has, same front in the same topic, which
    repeat an earlier row, and which topics would be created. Two queries,
    whatever the size of the file."""
    topics: dict[str, Topic] = {}
    for topic in Topic.objects.visible_to(user).only("pk", "name", "owner_id"):
        key = topic.name.lower()
        if key not in topics or topic.owner_id is not None:  # one's own topic first
            topics[key] = topic
    wanted = {row[3].lower() for row in rows}
    topic_ids = [topics[key].pk for key in wanted if key in topics]
    existing: dict[tuple[int, str], int] = {}
    if topic_ids:
        cards = (
            Card.objects.owned_by(user)
            .filter(topic_id__in=topic_ids)
            .order_by("pk")
            .values_list("pk", "topic_id", "front")
        )
        for card_id, topic_id, front in cards:
            existing.setdefault((topic_id, front.strip()), card_id)

    plan = ImportPlan(rows=[], new=[], duplicates=[], repeats=[], new_topics={})
    seen: dict[tuple, int] = {}
    for line, front, back, topic_name, tags in rows:
        topic = topics.get(topic_name.lower())
        key = (topic.pk if topic else topic_name.lower(), front)
        if key in seen:
            shown = topic.name if topic else topic_name
            plan.repeats.append(
                [
                    line,
                    f"the same front as {unit.lower()} {seen[key]} in “{shown}”; only "
                    f"{unit.lower()} {seen[key]} is imported",
                ]
            )
            continue
        seen[key] = line
        row = PlannedRow(line, front, back, topic_name, tags, topic)
        plan.rows.append(row)
        if topic is None:
            plan.new_topics.setdefault(topic_name.lower(), topic_name)
            plan.new.append(row)
        elif (topic.pk, front) in existing:
            row.duplicate_of = existing[(topic.pk, front)]
            plan.duplicates.append(row)
        else:
            plan.new.append(row)
    return plan


@dataclass
class ImportPreview:
    plan: ImportPlan
    first_rows: list[PlannedRow]
    errors: list[list]  # [line, reason], the first SHOWN_ERRORS of them, in line order
    error_count: int

    @property
    def hidden_errors(self) -> int:
        return self.error_count - len(self.errors)

    @property
    def importable(self) -> int:
        return len(self.plan.new) + len(self.plan.duplicates)

    @property
    def duplicate_lines(self) -> str:
        """Where the duplicates are: “2, 7, 9” (the first few, then “…”)."""
        lines = [str(row.line) for row in self.plan.duplicates[:SHOWN_DUPLICATE_LINES]]
        more = len(self.plan.duplicates) > SHOWN_DUPLICATE_LINES
        return ", ".join(lines) + (", …" if more else "")


def preview_import(*, job: ImportJob) -> ImportPreview:
    plan = plan_import(user=job.owner_id, rows=job.rows, unit=job.unit)
    errors = sorted(job.errors + plan.repeats, key=lambda error: error[0])
    return ImportPreview(
        plan=plan,
        first_rows=plan.rows[:PREVIEW_ROWS],
        errors=errors[:SHOWN_ERRORS],
        error_count=job.error_count + len(plan.repeats),
    )


@transaction.atomic
def start_import(*, job: ImportJob, on_duplicate: str) -> None:
    """Confirm an import, once: the job moves from preview to running (a second
    click finds it running and is refused) and the work starts once that has
    committed, so the thread finds the job running."""
    if on_duplicate not in ImportJob.OnDuplicate.values:
        raise ImportRejected("Choose whether to skip or update the cards you already have.")
    started = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
        status=ImportJob.Status.RUNNING,
        on_duplicate=on_duplicate,
        started_at=timezone.now(),
        failure="",
    )
    if not started:
        raise ImportRejected("This import was already confirmed.")
    job.refresh_from_db(fields=["status", "on_duplicate", "started_at", "failure"])
    job_id = job.pk
    transaction.on_commit(lambda: run_in_background(job_id))


def run_in_background(job_id: int) -> None:
    """A thread of this process: the request that confirmed returns at once and
    the page polls the progress."""
    jobs.run_in_thread(f"import-{job_id}", lambda: run_import(job_id=job_id))


def _progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def _report_progress(job_id: int, done: int, total: int) -> None:
    jobs.report_progress(_progress_key(job_id), done, total)


def job_progress(*, job: ImportJob) -> JobProgress:
    """How far a running import has got (kept in the cache by the thread that
    runs it; the job row only changes when the import commits). An import found
    interrupted goes back to its preview (``job`` is updated)."""
    if job.status == ImportJob.Status.DONE:
        count = job.result.get("created", 0) + job.result.get("updated", 0)
        return JobProgress(done=count, total=count, finished=True)
    if job.status != ImportJob.Status.RUNNING:
        return JobProgress(done=0, total=0)
    progress = jobs.live_progress(_progress_key(job.pk), total=0, since=job.started_at)
    if progress is not None:
        return progress
    _settle_interrupted(job)
    return JobProgress(done=0, total=0)


def _settle_interrupted(job: ImportJob) -> None:
    """An import that died with its process (its thread went with it) wrote
    nothing, and its rows are still in the job: it goes back to the preview,
    saying what happened, for the person to confirm again."""
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
        status=ImportJob.Status.PREVIEW, failure=INTERRUPTED, started_at=None
    )
    job.refresh_from_db(fields=["status", "failure", "started_at", "result", "finished_at"])


def settle_interrupted(jobs_shown) -> None:
    """Settle those of ``jobs_shown`` (a page's list) that were interrupted."""
    for job in jobs_shown:
        job_progress(job=job)


def run_import(*, job_id: int) -> ImportJob:
    """Write a confirmed import; if anything fails, nothing is written and the
    job says so."""
    try:
        import_rows(job_id=job_id)
    except Exception as error:
        logger.exception("Import %s failed", job_id)
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED,
            failure=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
    finally:
        cache.delete(_progress_key(job_id))
    return ImportJob.objects.defer("rows").get(pk=job_id)


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def import_rows(*, job_id: int) -> ImportJob:
    """Everything in one transaction: the new topics, the cards with their
    prompts and tags, the updates to duplicates (when asked for) and the job's
    result. Progress goes to the cache after every batch."""
    job = ImportJob.objects.select_for_update().select_related("owner").get(pk=job_id)
    if job.status != ImportJob.Status.RUNNING:
        return job  # already run (or never confirmed): nothing to do
    user = job.owner
    plan = plan_import(user=user, rows=job.rows, unit=job.unit)
    update = job.on_duplicate == ImportJob.OnDuplicate.UPDATE
    updating = plan.duplicates if update else []
    total, done = len(plan.new) + len(updating), 0
    _report_progress(job.pk, done, total)

    created_topics = _create_topics(user=user, names=list(plan.new_topics.values()))
    for row in plan.new:
        if row.topic is None:
            row.topic = created_topics[row.topic_name.lower()]
    tag_ids = _tag_ids(tag for row in plan.new + updating for tag in row.tags)
    card_type = ContentType.objects.get_for_model(Card)

    for batch in _batches(plan.new, BATCH_SIZE):
        cards = []
        for row in batch:
            # Ids rather than instances: at 50,000 rows Django's descriptors add up.
            card = Card(
                owner_id=user.pk,
                topic_id=row.topic.pk,
                kind=row.kind,
                front=row.front,
                back=row.back,
            )
            card.full_clean(
                exclude=["owner", "topic"], validate_unique=False, validate_constraints=False
            )
            cards.append(card)
        Card.objects.bulk_create(cards)
        Prompt.objects.bulk_create(
            [Prompt(card_id=card.pk, ordinal=n) for card in cards for n in card.prompt_ordinals()]
        )
        _tag(cards, batch, tag_ids=tag_ids, card_type=card_type)
        done += len(batch)
        _report_progress(job.pk, done, total)

    now = timezone.now()
    for batch in _batches(updating, BATCH_SIZE):
        cards = [Card(pk=row.duplicate_of, back=row.back, updated_at=now) for row in batch]
        Card.objects.bulk_update(cards, ["back", "updated_at"])
        retagged = [(card, row) for card, row in zip(cards, batch, strict=True) if row.tags]
        TaggedItem.objects.filter(
            content_type=card_type, object_id__in=[card.pk for card, _ in retagged]
        ).delete()
        _tag(
            [card for card, _ in retagged],
            [row for _, row in retagged],
            tag_ids=tag_ids,
            card_type=card_type,
        )
        done += len(batch)
        _report_progress(job.pk, done, total)

    topics = {row.topic.pk: row.topic.name for row in plan.rows if row.topic is not None}
    job.status = ImportJob.Status.DONE
    job.rows = []
    job.result = {
        "created": len(plan.new),
        "updated": len(updating),
        "skipped": len(plan.duplicates) - len(updating),
        "topics": sorted(([pk, name] for pk, name in topics.items()), key=lambda t: t[1].lower()),
    }
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "rows", "result", "finished_at"])
    planner.analyze_after_commit(len(plan.new) + len(updating))
    return job


def _create_topics(*, user, names: list[str]) -> dict[str, Topic]:
    """The person's new topics, each with a slug none of their topics has yet."""
    if not names:
        return {}
    taken = set(Topic.objects.owned_by(user).values_list("slug", flat=True))
    topics = []
    for name in names:
        base = slugify(name, allow_unicode=True)[:90] or "topic"
        slug, number = base, 2
        while slug in taken:
            suffix = f"-{number}"
            slug, number = base[: 90 - len(suffix)] + suffix, number + 1
        taken.add(slug)
        topic = Topic(owner=user, name=name, slug=slug)
        topic.full_clean(exclude=["owner"], validate_unique=False, validate_constraints=False)
        topics.append(topic)
    Topic.objects.bulk_create(topics)
    return {topic.name.lower(): topic for topic in topics}


def _tag_ids(names: Iterable[str]) -> dict[str, int]:
    """Tag ids by lower-case name (tags are case-insensitive here), creating the
    tags nobody has used yet."""
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(name.lower(), name)
    ids: dict[str, int] = {}
    keys = list(wanted)
    for batch in _batches(keys, 500):
        tags = Tag.objects.annotate(key=Lower("name")).filter(key__in=batch)
        for tag_id, key in tags.values_list("pk", "key"):
            ids.setdefault(key, tag_id)
    missing = [wanted[key] for key in keys if key not in ids]
    slugs = {name: Tag().slugify(name) for name in missing}
    taken: set[str] = set()
    for batch in _batches([slug for slug in slugs.values() if slug], 500):
        taken.update(Tag.objects.filter(slug__in=batch).values_list("slug", flat=True))
    plain, awkward = [], []
    for name in missing:
        slug = slugs[name]
        if slug and slug not in taken:
            taken.add(slug)
            plain.append(Tag(name=name, slug=slug))
        else:
            awkward.append(name)
    for tag in Tag.objects.bulk_create(plain, batch_size=500):
        ids[tag.name.lower()] = tag.pk
    for name in awkward:  # an empty or clashing slug: taggit finds a free one
        tag = Tag(name=name)
        tag.save()
        ids[name.lower()] = tag.pk
    return ids


def _tag(cards: list[Card], rows: list[PlannedRow], *, tag_ids, card_type) -> None:
    TaggedItem.objects.bulk_create(
        [
            TaggedItem(content_type_id=card_type.pk, object_id=card.pk, tag_id=tag_ids[tag.lower()])
            for card, row in zip(cards, rows, strict=True)
            for tag in row.tags
        ]
    )
