"""The optimizer's background task, run by django-q2's workers: it loads the
job by id, calls its service and lets the service record the outcome."""

from prep_site import jobs

from . import services


def optimize(job_id: int) -> str:
    job = services.optimize_run(job_id=job_id)
    return job.status if job else "gone"


def job_failed(task) -> None:
    """django-q2's hook: settle the job if the task failed."""
    jobs.settle_failure(task, services.settle_failed)
