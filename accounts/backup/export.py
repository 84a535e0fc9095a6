"""Writing a backup: every section's rows, read from the database as they are
written, as UTF-8 JSON with one row a line (optionally gzipped)."""

import json
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime

from .fields import STARTER, when_text
from .file import READ_CHUNK
from .sections import Section, sections

FORMAT = "prep-backup"
VERSION = 7
# The rows of a section are fetched from the database this many at a time.
FETCH_CHUNK = 2000


class Export:
    """What the sections of one backup share while it is written: the file ids
    given to each section's rows, and what their fields read ahead."""

    chunk = FETCH_CHUNK

    def __init__(self, user):
        self.user = user
        self.own_ids: dict[str, dict[int, str]] = {}
        self.starter_keys: dict[str, dict[int, str]] = {}
        self.by_name = {section.name: section for section in sections()}
        self._kept: dict[object, object] = {}

    def ref(self, to: str, pk: int | None) -> str | None:
        """The file's reference to row ``pk`` of section ``to``: its file id, or
        "starter:<key>" for a starter row; None for anything else."""
        ids = self.own_ids.get(to, {})
        if pk in ids:
            return ids[pk]
        if to not in self.starter_keys:
            section = self.by_name[to]
            self.starter_keys[to] = (
                dict(section.starter_rows().values_list("pk", section.starter_key))
                if section.starter_key
                else {}
            )
        key = self.starter_keys[to].get(pk)
        return None if key is None else STARTER + key

    def keep(self, key, value) -> None:
        self._kept[key] = value

    def kept(self, key, default=None):
        return self._kept.get(key, default)


def backup_document(*, user, now: datetime) -> dict:
    """Everything of one person, as a JSON-ready dict (every section a list)."""
    return {
        key: list(value) if isinstance(value, Iterator) else value
        for key, value in backup_sections(user=user, now=now).items()
    }


def backup_sections(*, user, now: datetime) -> dict:
    """The backup as ``backup_document`` has it, except that the sections that grow
    with the collection (``streamed``) are read from the database as they are
    written: a person with 100,000 cards and 1,000,000 reviews is never held in
    memory at once. Each section can be read once."""
    export = Export(user)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": when_text(now),
        "user": {"username": user.get_username()},
    }
    for section in sections():
        document[section.name] = section_rows(section, export)
    return document


def section_rows(section: Section, export: Export):
    if not isinstance(section, Section):  # a part that is one object (the settings)
        return section.dump(export)
    rows = section.rows(export.user)
    section.assign_ids(export, rows)
    dumped = section.dump_rows(export, rows)
    return dumped if section.streamed else list(dumped)


def backup_json_chunks(document: dict) -> Iterator[bytes]:
    """The document as UTF-8 JSON, in pieces of about 64 KB, ending with a newline.
    Each top-level key starts a line and each row of a section has a line of its
    own, encoded as it comes: a section may be any iterable (``backup_sections``)
    and is never held whole."""
    pending, size = [], 0
    for piece in _json_pieces(document):
        pending.append(piece)
        size += len(piece)
        if size >= READ_CHUNK:
            yield "".join(pending).encode()
            pending, size = [], 0
    pending.append("\n")
    yield "".join(pending).encode()


def _json_pieces(document: dict) -> Iterator[str]:
    # Each row is encoded whole, by the json module's C encoder (which an
    # indented dump cannot use): a 1,000,000-review backup in seconds, not minutes.
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    lists = {section.name for section in sections() if isinstance(section, Section)}
    separator = "{\n "
    for key, value in document.items():
        yield f"{separator}{encode(key)}: "
        separator = ",\n "
        if key not in lists:
            yield encode(value)
            continue
        before_row = "[\n  "
        for row in value:
            yield before_row + encode(row)
            before_row = ",\n  "
        yield "[]" if before_row == "[\n  " else "\n ]"
    yield "\n}"


def backup_bytes(document: dict) -> bytes:
    return b"".join(backup_json_chunks(document))


def gzip_chunks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """gzip without a timestamp in its header, so the same data packs to the same bytes.
    zlib's default level: level 9 packs a backup 7% smaller in four times as long."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    for chunk in chunks:
        packed = packer.compress(chunk)
        if packed:
            yield packed
    yield packer.flush()
