"""Restoring a large backup in the background, with its progress on a page.

A backup that unpacks to more than PREP_RESTORE_INLINE_BYTES would keep the
page waiting for minutes (and past gunicorn's worker timeout), so its file is
copied to this server's disk and a thread of the same process restores it: the
request returns at once, and the page polls the progress, which the thread
keeps in the cache (shared by every app server when REDIS_URL is set). The
restore itself is restore_backup's: one transaction, nothing written unless all
of it is. A restore whose process was stopped (its progress still for
STALE_AFTER) is settled as failed when it is next shown, and the next upload
deletes the files left behind.
"""

import contextlib
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from prep_site import jobs
from prep_site.jobs import STALE_AFTER, JobProgress

from . import backup
from .models import RestoreJob

logger = logging.getLogger(__name__)

COPY_CHUNK = 1024 * 1024
FILE_PREFIX = "prep-restore-"
FILE_SUFFIX = ".backup"
INTERRUPTED = (
    "Nothing was restored: the restore stopped before it finished (the server it ran on "
    "was restarted). Upload the file again."
)


def _restore_dir() -> Path:
    return Path(settings.PREP_RESTORE_DIR or tempfile.gettempdir())


def restores_inline(opened: backup.BackupFile) -> bool:
    """Whether a backup is small enough to restore while the page waits."""
    return opened.unpacked_size <= settings.PREP_RESTORE_INLINE_BYTES


@transaction.atomic
def start_restore(*, user, upload, merge: bool) -> RestoreJob:
    """Keep the uploaded file and start restoring it once the job is committed."""
    remove_abandoned_files()
    handle, path = tempfile.mkstemp(prefix=FILE_PREFIX, suffix=FILE_SUFFIX, dir=_restore_dir())
    try:
        with os.fdopen(handle, "wb") as kept:
            upload.seek(0)
            for chunk in upload.chunks(COPY_CHUNK):
                kept.write(chunk)
        job = RestoreJob.objects.create(
            user=user, filename=upload.name[:255], size=upload.size, merge=merge, path=path
        )
    except BaseException:
        os.unlink(path)
        raise
    job_id = job.pk
    transaction.on_commit(lambda: run_in_background(job_id))
    return job


def run_in_background(job_id: int) -> None:
    """A thread of this process: the file is on this server's disk."""
    jobs.run_in_thread(f"restore-{job_id}", lambda: run_restore(job_id=job_id))


def _progress_key(job_id: int) -> str:
    return f"restore-progress:{job_id}"


def run_restore(*, job_id: int) -> RestoreJob:
    """Restore the job's file; whatever happens, the job says how it ended and
    the file is deleted."""
    job = RestoreJob.objects.select_related("user").get(pk=job_id)
    if job.status != RestoreJob.Status.RUNNING:
        return job  # already run: nothing to do

    def report(done: int, total: int) -> None:
        jobs.report_progress(_progress_key(job_id), done, total)

    report(0, job.size)
    outcome = {"status": RestoreJob.Status.FAILED}
    try:
        with open(job.path, "rb") as file:
            opened = backup.read_backup(file)
            result = backup.restore_backup(
                user=job.user, data=opened, merge=job.merge, progress=report
            )
        outcome = {"status": RestoreJob.Status.DONE, "report": str(result)}
    except backup.BackupRejected as error:
        outcome["failure"] = f"Nothing was restored: {error}"
    except Exception:
        logger.exception("Restore %s failed", job_id)
        outcome["failure"] = "Nothing was restored: the server met an error while restoring."
    finally:
        RestoreJob.objects.filter(pk=job_id, status=RestoreJob.Status.RUNNING).update(
            path="", finished_at=timezone.now(), **outcome
        )
        cache.delete(_progress_key(job_id))
        _remove(job.path)
    return RestoreJob.objects.get(pk=job_id)


def restore_progress(*, job: RestoreJob) -> JobProgress:
    """How much of the file a running restore has read (from the cache). A
    restore found interrupted is settled as failed (``job`` is updated)."""
    if job.status == RestoreJob.Status.RUNNING:
        key = _progress_key(job.pk)
        progress = jobs.live_progress(key, total=job.size, since=job.created_at)
        if progress is not None:
            return progress
        _settle_interrupted(job)
    return JobProgress(done=job.size, total=job.size, finished=True)


def _settle_interrupted(job: RestoreJob) -> None:
    """A restore that died with its process (its thread went with it): it ends
    as failed, and its file goes if it is on this server's disk. The restore
    was one transaction, so the database rolled back whatever it had written."""
    path = job.path
    settled = RestoreJob.objects.filter(pk=job.pk, status=RestoreJob.Status.RUNNING).update(
        status=RestoreJob.Status.FAILED, failure=INTERRUPTED, finished_at=timezone.now(), path=""
    )
    job.refresh_from_db(fields=["status", "failure", "report", "finished_at", "path"])
    if settled:
        _remove(path)


def settle_interrupted(jobs_shown) -> None:
    """Settle those of ``jobs_shown`` (a page's list) that were interrupted."""
    for job in jobs_shown:
        restore_progress(job=job)


def remove_abandoned_files() -> int:
    """Delete the kept files of restores that will never run: their process was
    stopped mid-restore, or mid-upload before its job existed. A file is only
    looked at once it is older than STALE_AFTER, so a restore being started
    now (its job not yet committed) keeps its file; one whose restore is still
    running keeps it too. Returns how many files went."""
    too_old = (timezone.now() - STALE_AFTER).timestamp()
    removed = 0
    for path in _restore_dir().glob(f"{FILE_PREFIX}*{FILE_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime >= too_old:
                continue
            job = RestoreJob.objects.filter(path=str(path)).first()
            if job is not None and not restore_progress(job=job).finished:
                continue  # still running, and reading it
            _remove(str(path))
            removed += 1
    return removed


def _remove(path: str) -> None:
    if path:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
