"""The card browser's background task, run by django-q2's workers: a bulk
action on many cards (jobs.py)."""

from prep_site import jobs as job_state

from . import jobs


def run_job(job_id: int) -> str:
    job = jobs.run_bulk_job(job_id=job_id)
    return job.status if job else "gone"


def job_failed(task) -> None:
    """django-q2's hook: settle the job if the task failed."""
    job_state.settle_failure(task, jobs.settle_failed)
