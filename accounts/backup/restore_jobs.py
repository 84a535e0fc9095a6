"""Restoring a large backup in the background, with its progress on a page.

A backup that unpacks to more than PREP_RESTORE_INLINE_BYTES would keep the
page waiting for minutes (and past gunicorn's worker timeout), so its file is
kept in the default storage and a worker restores it: the request returns at
once, and the page polls the job's row. The restore itself is restore_backup's:
one transaction, nothing written unless all of it is. The file is deleted when
the job ends; a worker that dies mid-restore leaves the job to be tried again
or settled (prep_site/jobs.py).
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import backup
from accounts.models import RestoreJob
from prep_site import jobs
from prep_site.jobs import BUSY, has_job_under_way

logger = logging.getLogger(__name__)

RESTORE_TASK = "accounts.backup.tasks.restore"
FAILURE_HOOK = "accounts.backup.tasks.job_failed"
STOPPED = (
    "Nothing was restored: the restore stopped before it finished (the worker doing it was "
    "stopped). Upload the file again."
)


def restores_inline(opened: backup.BackupFile) -> bool:
    """Whether a backup is small enough to restore while the page waits."""
    return opened.unpacked_size <= settings.PREP_RESTORE_INLINE_BYTES


def start_restore(*, user, upload, merge: bool) -> RestoreJob:
    """Keep the uploaded file and have a worker restore it once the job is committed."""
    try:
        with transaction.atomic():
            if has_job_under_way(user):
                raise backup.BackupRejected(BUSY)
            if not merge:  # said now, rather than on the job's page (the job checks again)
                backup.refuse_non_empty(user)
            job = RestoreJob(
                user=user,
                filename=upload.name[:255],
                size=upload.size,
                merge=merge,
                total=upload.size,
                stage="Waiting for a worker",
            )
            upload.seek(0)
            job.upload.save(job.filename, upload, save=False)
            job.save()
            jobs.enqueue_after_commit(RESTORE_TASK, job, on_failure=FAILURE_HOOK)
    except IntegrityError:  # the constraint behind has_job_under_way, in a race
        raise backup.BackupRejected(BUSY) from None
    return job


def run_restore(*, job_id: int) -> RestoreJob:
    """The worker's part: restore the job's file; whatever happens, the job says
    how it ended and the file is deleted."""
    running = {"status": RestoreJob.Status.RUNNING}
    if not jobs.claim_attempt(RestoreJob, job_id, running=running):
        return _finish(job_id, status=RestoreJob.Status.FAILED, failure=STOPPED)
    job = RestoreJob.objects.select_related("user").get(pk=job_id)
    job.record_progress(done=0, stage="Restoring")
    outcome = {"status": RestoreJob.Status.FAILED}
    try:
        with job.upload.open("rb") as file, jobs.progress_aside(job) as report:
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
    return _finish(job_id, **outcome)


def _finish(job_id: int, **outcome) -> RestoreJob:
    job = RestoreJob.objects.get(pk=job_id)
    done = job.size if outcome["status"] == RestoreJob.Status.DONE else job.done
    job.end(
        running={"status": RestoreJob.Status.RUNNING},
        finished_at=timezone.now(),
        done=done,
        **outcome,
    )
    return job


def settle_failed(*, job_id: int, reason: str) -> None:
    """django-q2 recorded the restore's task as failed (it timed out, or raised):
    its transaction rolled back, and the job says so."""
    _finish(
        job_id,
        status=RestoreJob.Status.FAILED,
        failure=f"Nothing was restored: {reason}. Upload the file again.",
    )


def purge_stale(*, older_than) -> int:
    """Delete kept backups that no running restore will read."""
    readers = RestoreJob.objects.filter(status__in=RestoreJob.under_way)
    return jobs.delete_unread_files("restores", readers=readers, older_than=older_than)
