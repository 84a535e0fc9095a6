"""Backup and restore of everything one person keeps in prep, as one JSON document.

The document (format "prep-backup", version 5) holds the person's settings,
their schedule (desired retention, fitted FSRS parameters), topics, cards with
their tags, FSRS progress, the review log, study sessions, quizzes, questions
to ask, interviews with their checklists, their own interviewer questions, and
mock interviews with the answers. Version 2 added each review's local day;
version 3 the order of new cards and the schedule; version 4 the synonyms of
interviewer questions' key points and the key points suggested for each mock
answer; version 5 each interview's calendar id and sequence, and each card's
text format (Markdown or HTML). Older files are still read: what they lack
takes its default, and a version 1 file's reviews are counted on their day in
the person's time zone.

Where things are:

- ``sections``: how an app declares its part of a backup (``Section``, ``Part``)
  and the list of parts, the setting ``PREP_BACKUP_PARTS``. Each app describes
  its own rows once: ``accounts.backup.profile`` (settings),
  ``cards.schedule.backup`` (the schedule), ``cards.backup``, ``interviews.backup``.
- ``fields``: the kinds of keys a row has, and how each value is checked.
- ``export``: writing a backup; ``restore``: reading one back; ``file``: reading
  the file as a stream; ``report``: what a restore did, in words.

Rows point at each other by ids that exist only inside the file ("t1", "c17"),
never by database ids. The shared starter library is not in a backup; what the
person did with it is, pointing at it by its stable key: "starter:<topic slug>"
for a topic, "starter:<card key>" for a card, "starter:<question key>" for an
interviewer question. A restore that points at starter content this server
does not have is refused, naming the row (load the starter library, then
restore again).

The same data exports to the same bytes: sections in creation order, keys in a
fixed order, datetimes in UTC with microseconds, floats written exactly. Only
``exported_at`` and the user name tell two exports of the same data apart.

A restore never trusts the file: it is read with a limit on its size and on
what it unpacks to, as JSON and nothing else, and every row is checked (types,
references, and the models' own validation). The file is read as a stream:
each part is checked, then written, the cards, progress and reviews a batch at
a time, all in one transaction, so a problem anywhere leaves nothing written.
"""

from .export import (
    FORMAT,
    VERSION,
    backup_bytes,
    backup_document,
    backup_json_chunks,
    backup_sections,
    gzip_chunks,
)
from .fields import when_text as _when
from .file import BackupFile, BackupRejected, human_size
from .report import RestoreReport, account_contents, counted, listing, refuse_non_empty
from .restore import (
    check_header,
    max_backup_bytes,
    max_unpacked_bytes,
    read_backup,
    restore_backup,
    top_level,
)

__all__ = [
    "FORMAT",
    "VERSION",
    "BackupFile",
    "BackupRejected",
    "RestoreReport",
    "_when",
    "account_contents",
    "backup_bytes",
    "backup_document",
    "backup_json_chunks",
    "backup_sections",
    "check_header",
    "counted",
    "gzip_chunks",
    "human_size",
    "listing",
    "max_backup_bytes",
    "max_unpacked_bytes",
    "read_backup",
    "refuse_non_empty",
    "restore_backup",
    "top_level",
]


def __getattr__(name: str):
    # The document's keys depend on the parts listed in settings, read once the
    # apps are loaded (an app's backup module imports this package).
    if name == "TOP_LEVEL":
        return top_level()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
