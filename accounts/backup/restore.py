"""Restoring a backup: the file read part by part, each part checked and then
written by its section, the large ones a batch at a time, all in one
transaction, so a problem anywhere leaves nothing written."""

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from prep_site import planner

from .export import FORMAT, VERSION
from .fields import Row, parse_when, problem
from .file import BackupFile, BackupRejected
from .report import RestoreReport, refuse_non_empty
from .sections import Section, Single, batches, row_limits, sections, streamed

DEFAULT_MAX_BYTES = 400 * 1024 * 1024
DEFAULT_MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
# The sections that grow with the collection (``Section.streamed``) are read from
# the file and written STREAM_CHUNK rows at a time.
STREAM_CHUNK = 2000


def max_backup_bytes() -> int:
    """The largest backup file a restore takes, packed as it was sent."""
    return getattr(settings, "PREP_BACKUP_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_unpacked_bytes() -> int:
    """The most a backup file may unpack to (a restore reads it as a stream)."""
    return getattr(settings, "PREP_BACKUP_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)


def top_level(version: int = VERSION) -> tuple[str, ...]:
    """The document's keys in a file of this format version, in the order prep writes them."""
    parts = (s.name for s in sections() if s.since <= version)
    return ("format", "version", "exported_at", "user", *parts)


def read_backup(
    file, *, max_bytes: int | None = None, max_unpacked: int | None = None
) -> BackupFile:
    """Open an uploaded or opened backup file (plain JSON, gzip or zip) for a
    restore, with a limit on the file and on what it unpacks to. The size, the
    packing and the start of the text are checked here; the rest is read as
    restore_backup goes (see backup.file)."""
    opened = BackupFile(
        file,
        max_bytes=max_backup_bytes() if max_bytes is None else max_bytes,
        max_unpacked=max_unpacked_bytes() if max_unpacked is None else max_unpacked,
        streamed=streamed(),
        row_limits=row_limits(),
    )
    opened.open()
    return opened


class _Parts:
    """A document's top-level parts, taken one by one in the order a restore
    writes them (top_level): from a parsed document, or from a file as it is read.
    A part the file holds before its turn is kept until then."""

    def __init__(self, data):
        self.names, self.version = top_level(), VERSION
        self.early: dict[str, object] = {}
        self.file = data if isinstance(data, BackupFile) else None
        if self.file is not None:
            self.pairs = self.file.parts()
            return
        check_header(data)
        self.version = data["version"]
        self.names = top_level(self.version)
        for name in self.names:
            if name not in data:
                raise problem(name, "missing")
        self.pairs = iter(data.items())

    def take(self, name: str, *, required: bool = True):
        if name in self.early:
            return self.early.pop(name)
        for key, value in self.pairs:
            if key not in self.names:
                raise problem(key, f"is not a part of a prep backup (format {self.version})")
            if key == name:
                return value
            # Out of the order prep writes: read now (within the file's limits), used later.
            if isinstance(value, Iterator):
                value = self.file.keep_rows(key, value)
            self.early[key] = value
        if required:
            raise problem(name, "missing")
        return None

    def header(self) -> int:
        """Checks what the document says of itself; returns its format version."""
        _check_format(self.take("format", required=False))
        version = self.take("version", required=False)
        _check_version(version)
        self.version, self.names = version, top_level(version)
        exported_at = self.take("exported_at")
        if not isinstance(exported_at, str):
            raise problem("exported_at", "must be a date and time")
        parse_when(exported_at, "exported_at")
        Row(self.take("user"), "user", ("username",)).text("username")
        return version

    def finish(self) -> None:
        """Reads what is left of the file: only a part prep does not write can be there."""
        for key in itertools.chain(self.early, (key for key, _value in self.pairs)):
            raise problem(key, f"is not a part of a prep backup (format {self.version})")


def check_header(document) -> None:
    if not isinstance(document, dict):
        _check_format(None)
    _check_format(document.get("format"))
    _check_version(document.get("version"))


def _check_format(value) -> None:
    if value != FORMAT:
        raise BackupRejected(
            "The file is not a prep backup: it has no “format”: “prep-backup” at the top."
        )


def _check_version(version) -> None:
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BackupRejected("version: must be a format number such as 1.")
    if version > VERSION:
        raise BackupRejected(
            f"This backup was made by a newer version of prep (format {version}); "
            f"this version reads format {VERSION}."
        )


class Restore:
    """One restore as the sections check and write it: the file ids each
    section's rows have (to check references), the rows they became once written
    (to resolve them), the starter library by key, and the report."""

    def __init__(self, *, user, merge: bool, version: int, after_batch=lambda: None):
        self.user, self.merge, self.version = user, merge, version
        self.after_batch = after_batch
        self.report = RestoreReport(merge=merge)
        self.sections = {section.name: section for section in sections()}
        self.file_ids: dict[str, dict[str, object]] = defaultdict(dict)
        self.written: dict[str, dict[str, object]] = defaultdict(dict)
        self.shared: dict[str, object] = {}  # what an app's sections pass each other
        self._starter: dict[str, dict] = {}
        self._undo: list[Callable[[], None]] = []

    def on_failure(self, undo: Callable[[], None]) -> None:
        """Run ``undo`` if the restore fails (for what a rollback cannot take
        back, such as a file written to storage)."""
        self._undo.append(undo)

    def failed(self) -> None:
        for undo in reversed(self._undo):
            undo()

    def starter(self, section: Section) -> dict:
        """The starter library's rows of ``section`` on this server, by key."""
        if section.name not in self._starter:
            self._starter[section.name] = {
                getattr(row, section.starter_key): row for row in section.starter_rows()
            }
        return self._starter[section.name]

    def batches(self, rows: Iterable) -> Iterator[list]:
        """The rows a batch at a time; call ``after_batch`` when each is written."""
        return batches(rows, STREAM_CHUNK)


@transaction.atomic
def restore_backup(
    *, user, data, merge: bool, progress: Callable[[int, int], None] | None = None
) -> RestoreReport:
    """Check the backup (a parsed document, or a file from read_backup) and write
    it into the person's account, in one transaction: each part is checked and
    then written, the large ones a batch at a time as the file is read. An
    account that already has data is refused unless ``merge``. Raises
    BackupRejected, with nothing written, when anything is wrong. ``progress``,
    for a file, hears after every batch how many of its bytes have been read."""
    # One restore at a time per person: the emptiness check holds until commit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    parts = _Parts(data)
    version = parts.header()

    def after_batch():
        if progress is not None and isinstance(data, BackupFile):
            progress(data.position(), data.size)

    restore = Restore(user=user, merge=merge, version=version, after_batch=after_batch)
    # The parts that are one object (the settings) come first, and are checked
    # before an account's emptiness is.
    # A part newer than the file's format is not in it: the defaults.
    singles = [
        (section, section.check(restore, parts.take(section.name)))
        if section.since <= version
        else (section, None)
        for section in sections()
        if isinstance(section, Single)
    ]
    if not merge:
        refuse_non_empty(user)
    try:
        with transaction.atomic():
            for section, values in singles:
                section.write(restore, values)
            for section in sections():
                if isinstance(section, Section) and section.since <= version:
                    section.write(restore, section.check_rows(restore, parts.take(section.name)))
            parts.finish()
            planner.analyze_after_commit(sum(restore.report.added.values()))
            return restore.report
    except IntegrityError as error:
        restore.failed()
        raise BackupRejected(
            f"The backup could not be written ({error}); nothing was restored."
        ) from error
    except BaseException:
        restore.failed()
        raise
