"""Reading a backup file as a stream: plain JSON, gzip or zip, never held whole.

A backup of 100,000 cards and 1,000,000 reviews is about 500 MB of JSON (60 MB
gzipped); parsed whole it would take gigabytes. ``BackupFile.parts`` yields the
document's top-level parts in the file's order. The large sections (``streamed``:
cards, progress and reviews) come as iterators of rows, each row built on its
own as the file is read; every other part is built whole.

What a file may cost is bounded three ways: the file itself (``max_bytes``),
what it unpacks to (``max_unpacked``), and what is held in memory at once:
``HELD_LIMIT`` bytes of the file for the parts built whole, and ``ROW_LIMIT``
for one row of a large section. ijson (with yajl's C parser) reads the JSON:
no constants such as NaN, no numbers beyond 64 bits, no trailing text; this
module adds refusing a key twice in one object and nesting deeper than
``MAX_DEPTH``.
"""

import codecs
import gzip
import io
import zipfile
import zlib
from collections.abc import Iterator

import ijson

from prep_site import words

READ_CHUNK = 64 * 1024
HELD_LIMIT = 64 * 1024 * 1024
ROW_LIMIT = 1024 * 1024
MAX_DEPTH = 64
BOM = b"\xef\xbb\xbf"
CONTAINERS = {"start_map": dict, "start_array": list}


class BackupRejected(Exception):
    """Nothing was written; ``str(error)`` says why, and where in the file."""


def human_size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n:,} bytes"


class _Counted:
    """The unpacked bytes, counted as the parser reads them. Past ``limit`` in
    all, or past the cap of a part being held in memory, reading stops with the
    error that says so."""

    def __init__(self, raw, *, limit: int, too_big: str, first: bytes):
        self.raw, self.limit, self.too_big = raw, limit, too_big
        self.first, self.total = first, len(first)
        self.mark, self.cap, self.cap_error = 0, None, ""

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks, to learn that this reads bytes
            return b""
        if self.first:
            chunk, self.first = self.first, b""
            return chunk
        chunk = self.raw.read(READ_CHUNK)
        self.total += len(chunk)
        if self.total > self.limit:
            raise BackupRejected(self.too_big)
        if self.cap is not None and self.total - self.mark > self.cap:
            raise BackupRejected(self.cap_error)
        return chunk

    def hold(self, cap: int, error: str) -> None:
        """From here, at most ``cap`` more bytes until ``release``."""
        self.mark, self.cap, self.cap_error = self.total, cap, error

    def release(self) -> int:
        """Stop counting against the cap; returns the bytes read since ``hold``."""
        self.cap = None
        return self.total - self.mark


def _json_error(error: Exception) -> BackupRejected:
    message = error.args[0] if error.args else str(error)
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    what = lines[0].rstrip(".") if lines else "it ends too soon"
    near = f", near “{lines[1][:60]}”" if len(lines) > 2 else ""
    return BackupRejected(f"The file is not valid JSON ({what}{near}).")


class BackupFile:
    """A backup file to read: ``open`` checks its start, ``parts`` reads it, once."""

    def __init__(
        self,
        file,
        *,
        max_bytes: int,
        max_unpacked: int,
        streamed: tuple[str, ...] = (),
        row_limits: dict[str, int] | None = None,
    ):
        self.file, self.max_bytes, self.max_unpacked = file, max_bytes, max_unpacked
        self.row_limits = row_limits or {}
        self.streamed = streamed  # the sections read a row at a time
        self.held, self.keeping = 0, False
        self.size = self.unpacked_size = 0  # known once opened
        self.reader: _Counted | None = None

    # Opening ---------------------------------------------------------------------------

    def _opened(self):
        """The file's unpacked bytes, as a file object; the packed size is checked here."""
        limit, file = self.max_bytes, self.file
        too_big = f"The file is larger than the limit of {human_size(limit)}."
        if getattr(file, "size", None) is not None and file.size > limit:
            raise BackupRejected(too_big)
        if getattr(file, "seekable", lambda: False)():
            file.seek(0, 2)
            self.size = file.tell()
            if self.size > limit:
                raise BackupRejected(too_big)
            file.seek(0)
        else:  # a pipe: read into memory, up to the limit
            data, size = [], 0
            while chunk := file.read(READ_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise BackupRejected(too_big)
                data.append(chunk)
            file = io.BytesIO(b"".join(data))
            self.size = size
        self.source = file
        self.unpacked_size = self.size
        magic = file.read(4)
        file.seek(0)
        if magic.startswith(b"\x1f\x8b"):
            if self.size >= 18:  # gzip ends with the unpacked size, modulo 4 GB
                file.seek(-4, 2)
                self.unpacked_size = int.from_bytes(file.read(4), "little")
                file.seek(0)
            return gzip.GzipFile(fileobj=file, mode="rb"), "gzip"
        if magic.startswith(b"PK\x03\x04"):
            return self._zip_member(file), "zip"
        return file, "plain"

    def _zip_member(self, file):
        try:
            archive = zipfile.ZipFile(file)
            members = [
                info
                for info in archive.infolist()
                if not info.is_dir() and not info.filename.startswith("__MACOSX/")
            ]
            if len(members) != 1 or not members[0].filename.lower().endswith(".json"):
                raise BackupRejected(
                    "The zip file must hold exactly one .json file, the backup; "
                    f"it holds {words.count(len(members), 'file')}."
                )
            self.unpacked_size = members[0].file_size
            if self.unpacked_size > self.max_unpacked:
                raise BackupRejected(self._unpacked_too_big())
            return archive.open(members[0])
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as error:
            raise BackupRejected(f"The zip file cannot be unpacked ({error}).") from None

    def _unpacked_too_big(self) -> str:
        return f"Unpacked, the backup is larger than the limit of {human_size(self.max_unpacked)}."

    def position(self) -> int:
        """How many bytes of the file, as packed, have been read so far."""
        return self.source.tell()

    def open(self) -> None:
        """Check the file's size and packing, and that its text starts as JSON
        text would (not empty, not binary)."""
        raw, self.packing = self._opened()
        if self.unpacked_size > self.max_unpacked:  # known ahead: refused before any work
            raise BackupRejected(self._unpacked_too_big())
        start = b""
        try:
            while not start.strip():  # past any leading whitespace, up to the limit
                chunk = raw.read(READ_CHUNK)
                if not chunk:
                    raise BackupRejected("The file is empty.")
                start += chunk
                if len(start) > self.max_unpacked:
                    raise BackupRejected(self._unpacked_too_big())
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as error:
            raise self._unpack_error(self.packing, error) from None
        if start.startswith(BOM):
            start = start[len(BOM) :]
        if b"\x00" in start:
            raise BackupRejected("The file is not a prep backup: it is binary, not JSON text.")
        try:  # a character cut at the chunk's end is not an error yet
            codecs.getincrementaldecoder("utf-8")().decode(start, final=False)
        except UnicodeDecodeError:
            raise BackupRejected(
                "The file is not a prep backup: it is binary, not JSON text."
            ) from None
        self.reader = _Counted(
            raw, limit=self.max_unpacked, too_big=self._unpacked_too_big(), first=start
        )

    def _unpack_error(self, packing: str, error: Exception) -> BackupRejected:
        if packing == "gzip":
            return BackupRejected(
                f"The file looks gzip-compressed but cannot be unpacked ({error})."
            )
        if packing == "zip":
            return BackupRejected(f"The zip file cannot be unpacked ({error}).")
        return BackupRejected(f"The file cannot be read ({error}).")

    # Parsing ---------------------------------------------------------------------------

    def _events(self) -> Iterator[tuple[str, object]]:
        if self.reader is None:
            self.open()
        try:
            yield from ijson.basic_parse(self.reader, use_float=True, buf_size=READ_CHUNK)
        except ijson.JSONError as error:
            raise _json_error(error) from None
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as error:
            raise self._unpack_error(self.packing, error) from None

    def parts(self) -> Iterator[tuple[str, object]]:
        """(name, value) for each key of the top-level object, in the file's order.
        A large section that is a list comes as an iterator of its rows, which
        must be read to its end before the next part is asked for."""
        events = self._events()
        event, _value = next(events, ("end", None))
        if event != "start_map":
            raise BackupRejected(
                "The file is not a prep backup: it has no “format”: “prep-backup” at the top."
            )
        seen = set()
        for event, name in events:
            if event == "end_map":
                break
            if name in seen:
                raise _twice(name)
            seen.add(name)
            event, value = next(events)
            if name in self.streamed and event == "start_array":
                rows = self._rows(events, name)
                yield name, rows
                for _row in rows:  # what the reader of the part left unread
                    pass
            else:
                yield name, self._held(events, event, value, name)
        for _event in events:  # yajl refuses anything after the object here
            pass

    def _held(self, events, event: str, value, name: str):
        """A whole part, counted against HELD_LIMIT for the whole file."""
        reader = self.reader
        reader.hold(HELD_LIMIT - self.held, self._held_error(name))
        built = _build(events, event, value)
        self.held += reader.release()
        return built

    def _rows(self, events, name: str) -> Iterator[object]:
        reader = self.reader
        n = 0
        for event, value in events:
            if event == "end_array":
                return
            if self.keeping:  # counted as a whole by keep_rows
                yield _build(events, event, value)
                continue
            limit = self.row_limits.get(name, ROW_LIMIT)
            reader.hold(limit, f"{name}[{n}]: the row is larger than {human_size(limit)}.")
            yield _build(events, event, value)
            reader.release()
            n += 1

    def keep_rows(self, name: str, rows: Iterator[object]) -> list:
        """All the rows of a large section, held in memory (a file that has the
        section before the parts it needs), counted against HELD_LIMIT."""
        self.reader.hold(HELD_LIMIT - self.held, self._held_error(name))
        self.keeping = True
        try:
            kept = list(rows)
        finally:
            self.keeping = False
        self.held += self.reader.release()
        return kept

    def _held_error(self, name: str) -> str:
        *most, last = self.streamed or ("none",)
        rows = f"{', '.join(most)} and {last}" if most else last
        return (
            f"{name}: this part of the backup is too large to restore. The parts read "
            f"whole may take {human_size(HELD_LIMIT)} in all; {rows} "
            "are read a row at a time where they come in the order prep writes them."
        )


def _twice(key: str) -> BackupRejected:
    return BackupRejected(
        f"The file is not a valid backup: the key “{key}” appears twice in one object."
    )


def _build(events, event: str, value):
    """One JSON value, whose first event is given, from the events that follow."""
    if event not in CONTAINERS:
        return value
    root = CONTAINERS[event]()
    stack: list = [root]
    key = None
    for event, value in events:
        container = stack[-1]
        if event == "map_key":
            if value in container:
                raise _twice(value)
            key = value
            continue
        if event in ("end_map", "end_array"):
            stack.pop()
            if not stack:
                return root
            continue
        item = CONTAINERS[event]() if event in CONTAINERS else value
        if isinstance(container, list):
            container.append(item)
        else:
            container[key] = item
        if event in CONTAINERS:
            if len(stack) >= MAX_DEPTH:
                raise BackupRejected("The file is not a prep backup: it is nested too deeply.")
            stack.append(item)
    raise BackupRejected("The file is not valid JSON (it ends too soon).")
