"""The restore's background task, run by django-q2's workers: it loads the job
by id, calls the service, and the service records the outcome."""

from datetime import timedelta

from django.utils import timezone

from prep_site import jobs

from . import restore_jobs


def restore(job_id: int) -> str:
    return restore_jobs.run_restore(job_id=job_id).status


def job_failed(task) -> None:
    """django-q2's hook after the task: settle the job if the task failed."""
    reason = jobs.failure_of(task)
    if reason is not None:
        restore_jobs.settle_failed(job_id=task.args[0], reason=reason)


def purge_stale() -> int:
    """Scheduled daily (migration 0005): kept backups no restore will read."""
    return restore_jobs.purge_stale(older_than=timezone.now() - timedelta(days=1))
