"""Importing cards from a file (/import/): CSV or TSV, Anki's “Notes in Plain
Text” export, and Anki deck packages.

The upload is kept (services.receive_upload) and a worker reads it into checked
rows (parsing, text, apkg, rows), which wait on the ImportJob for the person's
preview (planning); confirming has a worker write them, all or nothing
(writing). views.py is the HTTP side, tasks.py the worker's.
"""

from .parsing import parse_upload
from .planning import ImportPlan, ImportPreview, PlannedRow, plan_import, preview_import
from .rows import MAX_ROWS, MAX_TOPICS, ImportRejected, ParsedFile
from .services import (
    create_import_job,
    purge_stale,
    read_upload,
    receive_upload,
    run_import,
    start_import,
)
from .writing import import_rows

__all__ = [
    "MAX_ROWS",
    "MAX_TOPICS",
    "ImportPlan",
    "ImportPreview",
    "ImportRejected",
    "ParsedFile",
    "PlannedRow",
    "create_import_job",
    "import_rows",
    "parse_upload",
    "plan_import",
    "preview_import",
    "purge_stale",
    "read_upload",
    "receive_upload",
    "run_import",
    "start_import",
]
