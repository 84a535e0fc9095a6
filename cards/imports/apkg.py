"""Reading Anki packages: decks (.apkg) and whole collections (.colpkg), in the
older format (collection.anki2 or .anki21) and in Anki 2.1.50's
(collection.anki21b, compressed with zstd). Nothing in one is trusted: its zip
entries are checked for names that climb out of it and for sizes or compression
ratios only a zip bomb has, its collection is unpacked (capped, as a stream) to
a temporary file and only ever read, with a time limit."""

import json
import re
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path, PurePosixPath

import zstandard
from django.template.defaultfilters import filesizeformat

from ..exports.formats import tags_from_anki
from ..models import MAX_MEDIA_BYTES, ImportJob
from .anki_history import read_history
from .anki_media import image_names, keep_for_import, read_media_map, screen, without_sounds
from .anki_notetypes import (
    CLOZE,
    OCCLUSION,
    OTHER,
    NoteType,
    left_out_notes,
    other_type_notes,
    read_note_types,
)
from .rows import READ_CHUNK, ImportRejected, ParsedFile

# The newest first: a newer package also holds an old collection.anki2 whose
# only note asks to update Anki.
COLLECTION_NAMES = ("collection.anki21b", "collection.anki21", "collection.anki2")
COMPRESSED = "collection.anki21b"
PACKAGE_FILES = {*COLLECTION_NAMES, "media", "meta"}
MAX_COLLECTION_BYTES = 256 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100  # a real collection compresses 3-10 times
MAX_ZIP_ENTRIES = 100_000
SQLITE_SECONDS = 30


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


def _copy(source, target, *, limit: int, too_much: str) -> None:
    """Copy a stream in chunks, refusing (with ``too_much``) past ``limit`` bytes
    before writing them."""
    written = 0
    while chunk := source.read(READ_CHUNK):
        written += len(chunk)
        if written > limit:
            raise ImportRejected(too_much + " It was refused and nothing was imported.")
        target.write(chunk)
    target.flush()


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target) -> None:
    """Copy one entry out, never more than it declares (and the cap allows)."""
    try:
        with archive.open(info) as source:
            _copy(
                source,
                target,
                limit=min(info.file_size, MAX_COLLECTION_BYTES),
                too_much=f"The package's “{info.filename}” unpacks to more than it declares.",
            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError) as error:
        # RuntimeError: encrypted; NotImplementedError is caught by the caller.
        raise ImportRejected(
            f"The package's “{info.filename}” cannot be unpacked ({error}). Nothing was imported."
        ) from None


def _decompress(packed: Path, target, name: str) -> None:
    """Unpack a zstd-compressed collection as a stream, up to the cap."""
    try:
        with packed.open("rb") as file, zstandard.ZstdDecompressor().stream_reader(file) as source:
            _copy(
                source,
                target,
                limit=MAX_COLLECTION_BYTES,
                too_much=f"The package's “{name}” unpacks to more than "
                f"{MAX_COLLECTION_BYTES:,} bytes, the most allowed.",
            )
    except zstandard.ZstdError as error:
        raise ImportRejected(
            f"The package's “{name}” cannot be decompressed ({error}). Nothing was imported."
        ) from None


def parse_package(file, *, default_topic: str, suffix: str = ".apkg") -> ParsedFile:
    """The notes of an Anki package as rows (``suffix``: the file's, .apkg or
    .colpkg, for the messages)."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise ImportRejected(
            f"This {suffix} file is not a zip archive, so it is not an Anki package (export "
            "it from Anki again). Nothing was imported."
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
        if collection is None:
            raise ImportRejected(
                "The package has no collection inside (collection.anki21b, collection.anki21 "
                "or collection.anki2): it is not an Anki package. Nothing was imported."
            )
        media_files = read_media_map(archive, by_name)
        media = screen(archive, media_files)
        packed_media = sum(1 for info in entries if info.filename not in PACKAGE_FILES)
        with tempfile.TemporaryDirectory(prefix="prep-import-") as folder:
            path = Path(folder) / "collection.sqlite3"
            packed = Path(folder) / "collection.zst" if collection.filename == COMPRESSED else path
            with packed.open("wb") as target:
                try:
                    _unpack(archive, collection, target)
                except NotImplementedError as error:
                    raise ImportRejected(
                        f"The package's “{collection.filename}” is compressed in a way this "
                        f"import cannot read ({error}). Nothing was imported."
                    ) from None
            if packed != path:
                with path.open("wb") as target:
                    _decompress(packed, target, collection.filename)
                packed.unlink()
            parsed = _read_collection(
                path, collection.filename, default_topic=default_topic, media=media
            )
        images = keep_for_import(archive, media_files, parsed.rows)
    if images:
        parsed.notes.append(
            f"{images} image{'s come' if images > 1 else ' comes'} with the cards; only you "
            "will see them."
        )
    if packed_media and not media_files:
        parsed.notes.append(
            f"The package holds {packed_media} media file{'s' if packed_media > 1 else ''} "
            "but no list of their names that can be read, so they are not imported: cards "
            "that show them will show a broken image."
        )
    if not parsed.rows and not parsed.error_count:
        raise ImportRejected("The package's collection has no notes in it.")
    return parsed


def _tables(db: sqlite3.Connection, part: str) -> set[str]:
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not {"notes", "cards", "col"} <= tables:
        raise ImportRejected(
            f"The package's “{part}” has no notes, cards or col table: it is not an Anki "
            "collection. Nothing was imported."
        )
    return tables


def _deck_names(db: sqlite3.Connection, part: str, tables: set[str]) -> dict[int, str]:
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


def _note_types(db: sqlite3.Connection, part: str, tables: set[str]) -> dict[int, NoteType]:
    try:
        return read_note_types(db, tables)
    except (ValueError, IndexError):
        raise ImportRejected(
            f"The note types in the package's “{part}” are damaged. Nothing was imported."
        ) from None


def _topic_name(deck: str) -> str:
    """A deck's name as a topic name: nested decks keep Anki's “::” (so that the
    topic goes back to the same nested deck in Anki), and a name too long for a
    topic keeps its last level."""
    if len(deck) <= 80:
        return deck
    return deck.rsplit("::", 1)[-1][:80]


def _media_notes(sounds: set[str], missing: set[str], refused: dict[str, str]) -> list[str]:
    notes = []
    large = sum(reason == "large" for reason in refused.values())
    other = len(refused) - large
    if large:
        notes.append(
            f"{large} image{'s are' if large > 1 else ' is'} larger than "
            f"{filesizeformat(MAX_MEDIA_BYTES)}, the most kept for one image, and "
            f"{'are' if large > 1 else 'is'} left out. In Anki, make "
            f"{'them' if large > 1 else 'it'} smaller and export again."
        )
    if other:
        notes.append(
            f"{other} file{'s' if other > 1 else ''} the cards show as images "
            f"{'are' if other > 1 else 'is'} not PNG, JPEG, GIF or WebP and "
            f"{'are' if other > 1 else 'is'} left out (SVG is not kept: it can hold scripts)."
        )
    if sounds:
        notes.append(
            f"{len(sounds)} sound{'s are' if len(sounds) > 1 else ' is'} left out of the "
            "cards: sounds are not supported."
        )
    if missing:
        notes.append(
            f"{len(missing)} image{'s' if len(missing) > 1 else ''} the cards show "
            f"{'are' if len(missing) > 1 else 'is'} not in the package; "
            f"{'they show' if len(missing) > 1 else 'it shows'} as a broken image."
        )
    return notes


def _read_collection(
    path: Path, part: str, *, default_topic: str, media: dict[str, str] | None = None
) -> ParsedFile:
    """The collection's notes as rows; ``media``: the package's media files by
    name, with why each would not be kept as an image ("" if it would)."""
    media = media or {}
    parsed = ParsedFile(source=ImportJob.Source.APKG)
    refused: dict[str, str] = {}
    sounds: set[str] = set()
    missing: set[str] = set()
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as error:
        raise ImportRejected(f"The package's “{part}” cannot be opened ({error}).") from None
    deadline = time.monotonic() + SQLITE_SECONDS
    # A crafted database could hide endless work behind a view; give up in time.
    db.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        db.execute("PRAGMA trusted_schema = OFF")
        tables = _tables(db, part)
        decks = _deck_names(db, part, tables)
        types = _note_types(db, part, tables)
        history = read_history(db, tables)
        deck_of: dict[int, int] = {}
        for note_id, deck_id in db.execute(
            "SELECT nid, CASE WHEN odid THEN odid ELSE did END FROM cards ORDER BY nid, ord"
        ):
            deck_of.setdefault(note_id, deck_id)
        longer = 0
        notes = db.execute("SELECT id, mid, flds, tags FROM notes ORDER BY id")
        for number, (note_id, type_id, fields, tags) in enumerate(notes, start=1):
            if not isinstance(fields, str) or not isinstance(tags, str | None):
                parsed.error(number, "its fields are not text")
                continue
            values = fields.split("\x1f")
            if type_id not in types:
                types[type_id] = NoteType(name=f"unknown (id {type_id})", fields=[])
            note_type = types[type_id]
            note_type.count += 1
            if note_type.shape == OCCLUSION:  # said in the preview
                continue
            used = note_type.used()
            extra = any(value.strip() for n, value in enumerate(values) if n not in used)
            longer += extra and note_type.shape != OTHER  # OTHER's fields are named apart
            deck = decks.get(deck_of.get(note_id), "")
            kind = note_type.kind(values)
            front, back = note_type.faces()
            options = history.options(note_id, cloze=note_type.shape == CLOZE)
            faces = []
            for face in (front, back):
                text, heard = without_sounds(values[face] if len(values) > face else "")
                sounds.update(heard)
                faces.append(text)
            images = image_names(faces[0] + faces[1])
            missing.update(name for name in images if name not in media)
            refused.update((name, media[name]) for name in images if media.get(name))
            kept_images = [name for name in images if media.get(name) == ""]
            if kept_images:
                options["media"] = kept_images
            kept = len(parsed.rows)
            parsed.add(
                number,
                {
                    "front": faces[0],
                    "back": faces[1],
                    "topic": _topic_name(deck) or default_topic,
                    "tags": tags_from_anki(tags or ""),
                },
                **({"kind": kind} if kind else {}),
                **options,
                html=True,
            )
            if len(parsed.rows) > kept:
                history.count(options)
                history.count_queues(note_id, options)
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
    if not parsed.rows and not parsed.error_count and (left_out := left_out_notes(types)):
        raise ImportRejected(
            " ".join(["The package has no notes that can be imported.", *left_out])
        )
    parsed.notes.extend(history.notes())
    parsed.notes.extend(_media_notes(sounds, missing, refused))
    parsed.notes.extend(other_type_notes(types))
    if longer:
        parsed.notes.append(
            f"{longer} note{'s have' if longer > 1 else ' has'} more than two fields; only the "
            "first two (front and back) are imported."
        )
    return parsed
