"""The import's background tasks, run by django-q2's workers. Each loads the
job by id, calls its service and lets the service record the outcome."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from prep_site import jobs

from ..images import services as image_services
from . import services


def read_upload(job_id: int) -> str:
    return services.read_upload(job_id=job_id).status


def write_import(job_id: int) -> str:
    return services.run_import(job_id=job_id).status


def job_failed(task) -> None:
    """django-q2's hook after either task: settle the job if the task failed."""
    reason = jobs.failure_of(task)
    if reason is not None:
        services.settle_failed(job_id=task.args[0], reason=reason)


def purge_stale() -> int:
    """Scheduled hourly (migrations 0013, 0014): previews never confirmed, failed
    jobs, old records of finished ones, and files no import will read; the
    images added in the card editor that no card took; and the records of bulk
    actions and optimizer runs that ended PREP_JOB_HISTORY_DAYS ago (each
    person's latest stays). Returns how many jobs went."""
    image_services.purge_stale()
    history = timezone.now() - timedelta(days=settings.PREP_JOB_HISTORY_DAYS)
    return services.purge_stale() + jobs.purge_finished(older_than=history)
