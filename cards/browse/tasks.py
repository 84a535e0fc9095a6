"""The card browser's background task, run by django-q2's workers: a bulk
action on many cards (jobs.py)."""

from prep_site import jobs as job_state

from . import jobs


def run_job(job_id: int) -> str:
    job = jobs.run_bulk_job(job_id=job_id)
    return job.status if job else "gone"


def job_failed(task) -> None:
    """django-q2's hook: settle the job if the task failed."""
    reason = job_state.failure_of(task)
    if reason is not None:
        jobs.settle_failed(job_id=task.args[0], reason=reason)
