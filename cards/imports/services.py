"""An import's life: the upload is kept and read by a worker into rows, which wait
on the job for the person's preview; confirming has a worker write them (all or
nothing, writing.py). Views and tasks call these; each step is one short
transaction, and the job's row says where it stands."""

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from prep_site import jobs, words
from prep_site.jobs import BUSY, has_job_under_way

from ..models import ImportJob
from .anki_media import check_images_room
from .parsing import parse_upload
from .planning import check_room, plan_import
from .rows import ImportRejected, ParsedFile
from .writing import import_rows

logger = logging.getLogger(__name__)

# Said when a worker started the job again after the one running it died, more
# often than PREP_TASK_ATTEMPTS allows: whatever it had written was rolled back.
READ_STOPPED = (
    "Reading the file stopped before it finished (the worker doing it was stopped), so "
    "nothing was imported. Upload the file again."
)
WRITE_STOPPED = (
    "The import stopped before it finished (the worker doing it was stopped), so nothing "
    "was written. Its cards are still here: confirm to import them again."
)
PROGRESS_EVERY_BYTES = 256 * 1024
READ_TASK = "cards.imports.tasks.read_upload"
WRITE_TASK = "cards.imports.tasks.write_import"
FAILURE_HOOK = "cards.imports.tasks.job_failed"


class TooManyPending(ImportRejected):
    """The person has PREP_IMPORT_MAX_PENDING imports not settled yet; ``jobs``
    are they, for the page to link to."""

    def __init__(self, jobs: list[ImportJob]):
        limit = settings.PREP_IMPORT_MAX_PENDING
        super().__init__(
            f"You already have {words.count(len(jobs), 'import')} waiting or under way, "
            f"and {limit} is the most at a time. "
            "Confirm or cancel one of them, then upload this file again."
        )
        self.jobs = jobs


def pending_imports(user):
    """The person's imports not settled yet: being read, waiting for their
    confirmation, or being written; the oldest first."""
    return (
        ImportJob.objects.filter(owner=user, status__in=ImportJob.pending)
        .defer("rows", "errors")
        .order_by("created_at")
    )


def receive_upload(
    *, user, upload, default_topic: str = "", reading: dict | None = None
) -> ImportJob:
    """Keep the uploaded file and have a worker read it (``reading``: how, when
    the person chose a format; see ImportJob.reading). Nothing is parsed here.
    Refused while the person has PREP_IMPORT_MAX_PENDING imports pending, or a
    job of any kind under way."""
    try:
        with transaction.atomic():
            busy = has_job_under_way(user)  # locks the person's row: one upload at a time
            pending = list(pending_imports(user))
            if len(pending) >= settings.PREP_IMPORT_MAX_PENDING:
                raise TooManyPending(pending)
            if busy:
                raise ImportRejected(BUSY)
            job = ImportJob(
                owner=user,
                filename=Path(upload.name).name[:255] or "upload",
                default_topic=default_topic,
                reading=reading or {},
                status=ImportJob.Status.CHECKING,
                total=upload.size,
                stage="Waiting for a worker to read the file",
            )
            job.upload.save(job.filename, upload, save=False)
            job.full_clean(exclude=["owner", "upload"])
            job.save()
            jobs.enqueue_after_commit(READ_TASK, job, on_failure=FAILURE_HOOK)
    except IntegrityError:  # the constraint behind has_job_under_way, in a race
        raise ImportRejected(BUSY) from None
    return job


class _CountingReader:
    """A file that reports how much of it has been read."""

    def __init__(self, file, report):
        self._file, self._report, self._reported = file, report, 0

    def read(self, size=-1):
        data = self._file.read(size)
        position = self._file.tell()
        if position - self._reported >= PROGRESS_EVERY_BYTES:
            self._reported = position
            self._report(position)
        return data

    def __getattr__(self, name):
        return getattr(self._file, name)


def read_upload(*, job_id: int) -> ImportJob:
    """The worker's part of an upload: parse and check every row, keep them on the
    job for the preview, and delete the file."""
    if not jobs.claim_attempt(ImportJob, job_id, running={"status": ImportJob.Status.CHECKING}):
        return _stop(job_id, status=ImportJob.Status.CHECKING, failure=READ_STOPPED)
    job = ImportJob.objects.get(pk=job_id)
    job.record_progress(done=0, stage="Reading the file")
    try:
        with job.upload.open("rb") as file:
            reader = _CountingReader(file, lambda done: job.record_progress(done=done))
            parsed = parse_upload(
                file=reader,
                filename=job.filename,
                default_topic=job.default_topic,
                reading=job.reading,
            )
    except ImportRejected as error:
        return _fail(job, failure=str(error))
    except Exception:
        logger.exception("Reading import %s failed", job_id)
        return _fail(job, failure="The server met an error while reading the file.")
    job.end(
        running={"status": ImportJob.Status.CHECKING},
        status=ImportJob.Status.PREVIEW,
        source=parsed.source,
        rows=parsed.rows,
        errors=parsed.errors,
        error_count=parsed.error_count,
        notes=parsed.notes,
        done=job.total,
        attempts=0,
    )
    return job


@transaction.atomic
def create_import_job(*, user, filename: str, parsed: ParsedFile) -> ImportJob:
    """A job with rows already read, waiting for the person's confirmation."""
    job = ImportJob(
        owner=user,
        filename=Path(filename).name[:255] or "upload",
        status=ImportJob.Status.PREVIEW,
        source=parsed.source,
        rows=parsed.rows,
        errors=parsed.errors,
        error_count=parsed.error_count,
        notes=parsed.notes,
    )
    job.full_clean(exclude=["owner", "upload"])
    job.save()
    return job


def start_import(*, job: ImportJob, on_duplicate: str) -> None:
    """Confirm an import, once: the job moves from preview to running (a second
    click finds it running and is refused), and a worker writes it once that
    has committed."""
    if on_duplicate not in ImportJob.OnDuplicate.values:
        raise ImportRejected("Choose whether to skip or update the cards you already have.")
    # Checked again by the worker, inside its transaction; here, so a file that
    # cannot fit is refused at once, with the preview still on screen.
    plan = plan_import(user=job.owner_id, rows=job.rows, unit=job.unit)
    check_room(user=job.owner_id, plan=plan)
    check_images_room(job.owner_id, plan.new)
    try:
        with transaction.atomic():
            if has_job_under_way(job.owner, besides=job):
                raise ImportRejected(BUSY)
            started = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
                status=ImportJob.Status.RUNNING,
                on_duplicate=on_duplicate,
                started_at=timezone.now(),
                failure="",
                attempts=0,
                done=0,
                total=0,
                stage="Waiting for a worker",
            )
            if not started:
                raise ImportRejected("This import was already confirmed.")
            jobs.enqueue_after_commit(WRITE_TASK, job, on_failure=FAILURE_HOOK)
    except IntegrityError:
        raise ImportRejected(BUSY) from None
    job.refresh_from_db(fields=["status", "on_duplicate", "started_at", "failure", "stage"])


def run_import(*, job_id: int) -> ImportJob:
    """The worker's part of a confirmed import: write it; if anything fails,
    nothing is written and the job says so."""
    if not jobs.claim_attempt(ImportJob, job_id, running={"status": ImportJob.Status.RUNNING}):
        return _stop(job_id, status=ImportJob.Status.RUNNING, failure=WRITE_STOPPED)
    job = ImportJob.objects.get(pk=job_id)
    rows = len(job.rows)
    job.record_progress(
        done=0, total=rows, stage=f"Writing {rows:,} card{'s' if rows != 1 else ''}"
    )
    try:
        with jobs.progress_aside(job) as report:
            import_rows(job_id=job_id, progress=report)
    except ImportRejected as error:  # no room any more: back to the preview, which says why
        job.end(
            running={"status": ImportJob.Status.RUNNING},
            status=ImportJob.Status.PREVIEW,
            failure=str(error)[:2000],
            started_at=None,
        )
    except Exception as error:
        logger.exception("Import %s failed", job_id)
        job.end(
            running={"status": ImportJob.Status.RUNNING},
            status=ImportJob.Status.FAILED,
            failure=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
    return ImportJob.objects.defer("rows").get(pk=job_id)


def _stop(job_id: int, *, status: str, failure: str) -> ImportJob:
    """A job a worker must not run: already settled, or started too often. A
    write that stopped goes back to its preview (its rows are still here); a
    read that stopped fails, its file deleted."""
    job = ImportJob.objects.defer("rows").get(pk=job_id)
    if status == ImportJob.Status.RUNNING:
        job.end(
            running={"status": status},
            status=ImportJob.Status.PREVIEW,
            failure=failure,
            started_at=None,
        )
        return job
    return _fail(job, failure=failure)


def _fail(job: ImportJob, *, failure: str) -> ImportJob:
    """The file could not be read: the job says why, and its file goes."""
    job.end(
        running={"status": ImportJob.Status.CHECKING},
        status=ImportJob.Status.FAILED,
        failure=failure[:2000],
        finished_at=timezone.now(),
    )
    return job


def settle_failed(*, job_id: int, reason: str) -> None:
    """django-q2 recorded the job's task as failed (it timed out, or raised):
    nothing it wrote was kept, and the job says so."""
    job = ImportJob.objects.defer("rows").filter(pk=job_id).first()
    if job is None:
        return  # deleted with its person meanwhile
    if job.status == ImportJob.Status.RUNNING:
        _stop(job_id, status=job.status, failure=f"The import failed: {reason}. {WRITE_STOPPED}")
    else:
        _fail(job, failure=f"The file could not be read: {reason}. Upload it again.")


def purge_stale(*, now=None) -> int:
    """Delete, with their rows: previews nobody confirmed within
    PREP_IMPORT_PREVIEW_HOURS of the upload (ImportJob.kept_until), failed jobs
    that long after they failed, and finished imports' records after
    PREP_IMPORT_HISTORY_DAYS; then the kept uploads no job reads any more.
    Jobs under way are left alone. Returns how many jobs went."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.PREP_IMPORT_PREVIEW_HOURS)
    history = now - timedelta(days=settings.PREP_IMPORT_HISTORY_DAYS)
    Status = ImportJob.Status
    stale = ImportJob.objects.alias(ended=Coalesce("finished_at", "created_at")).filter(
        Q(status=Status.PREVIEW, created_at__lt=cutoff)
        | Q(status=Status.FAILED, ended__lt=cutoff)
        | Q(status=Status.DONE, ended__lt=history)
    )
    deleted, _ = stale.delete()
    readers = ImportJob.objects.filter(status__in=ImportJob.under_way)
    jobs.delete_unread_files("imports", readers=readers, older_than=cutoff)
    return deleted
