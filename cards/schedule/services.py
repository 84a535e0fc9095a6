"""Your schedule's workflows: saving the retention you aim for, and running
the optimizer over your reviews on a worker (tasks.py)."""

from django.db import transaction
from django.utils import timezone

from prep_site import figures, jobs

from ..models import OptimizeJob, ReviewLog, SchedulerSettings
from . import optimizer
from . import reschedule as rescheduling

UNDER_WAY = (
    "Your schedule is already being optimized: wait for this run to finish (this page "
    "shows how far it has got), then try again."
)
STEPS = 3  # reading the reviews, fitting, saving
STOPPED = (
    "The optimizer was stopped more than once before it could finish (the worker doing it "
    "was stopped). Your schedule was left as it was; try again later."
)


class OptimizeRefused(Exception):
    """The optimizer was not started; ``str(error)`` says why, for the person."""


def too_few(count: int) -> str:
    needed = optimizer.MIN_REVIEWS - count
    return (
        f"Not enough reviews to optimize yet: it needs {optimizer.MIN_REVIEWS} reviews of "
        f"cards you had already studied on an earlier day, and you have {count}. "
        f"Study for a few more days ({needed} more such review{'s' if needed != 1 else ''}), "
        "then try again. Nothing was changed."
    )


def settings_for(user) -> SchedulerSettings:
    """The person's settings, or the defaults (unsaved) when they have none."""
    found = SchedulerSettings.objects.filter(user=user).first()
    return found or SchedulerSettings(user=user)


def latest_job(user) -> OptimizeJob | None:
    return OptimizeJob.objects.filter(user=user).first()


@transaction.atomic
def retention_save(
    *,
    user,
    retention: float,
    light_weekdays: list[int] | None = None,
    light_dates: list[str] | None = None,
    interview_days_light: bool | None = None,
) -> SchedulerSettings:
    """Set the retention future intervals aim for, and the light days given
    (weekdays 0 Monday to 6 Sunday, dates as "2026-12-24", whether interview
    days are light). Due dates already set stay."""
    row, _created = SchedulerSettings.objects.select_for_update().get_or_create(user=user)
    row.desired_retention = retention
    fields = ["desired_retention"]
    given = {
        "light_weekdays": None if light_weekdays is None else sorted(set(light_weekdays)),
        "light_dates": None if light_dates is None else sorted(set(light_dates)),
        "interview_days_light": interview_days_light,
    }
    for name, value in given.items():
        if value is not None:
            setattr(row, name, value)
            fields.append(name)
    row.full_clean()
    row.save(update_fields=fields)
    return row


NOTHING_TO_RESCHEDULE = (
    "Nothing to reschedule yet: you have not graded any card. Nothing was changed."
)


def optimize_start(*, user, fit: bool = True, reschedule: bool = False) -> OptimizeJob:
    """Have a worker fit the person's parameters, then (``reschedule``) replay
    their cards through the schedule, once the job is committed."""
    if fit:
        count = optimizer.countable_reviews(user_id=user.pk)
        if count < optimizer.MIN_REVIEWS:
            raise OptimizeRefused(too_few(count))
    elif not ReviewLog.objects.filter(user=user).exists():
        raise OptimizeRefused(NOTHING_TO_RESCHEDULE)
    job = jobs.start_one(
        OptimizeJob,
        user=user,
        task="cards.schedule.tasks.optimize",
        on_failure="cards.schedule.tasks.job_failed",
        fit=fit,
        reschedule=reschedule or not fit,
        total=STEPS,
        stage="Waiting for a worker",
    )
    if job is None:
        raise OptimizeRefused(UNDER_WAY)
    return job


def optimize_run(*, job_id: int) -> OptimizeJob | None:
    """Fit the parameters (kept if they predict the person's recall better than
    the defaults) and/or reschedule their cards, as the job asks. None when the
    job is gone (its person deleted) or already settled."""
    if not OptimizeJob.claim(job_id, stopped=STOPPED):
        return OptimizeJob.objects.filter(pk=job_id).first()
    OptimizeJob.mark_running(job_id, started_at=timezone.now())
    job = OptimizeJob.objects.get(pk=job_id)
    outcome = [_fit(job)] if job.fit else []
    if job.reschedule:
        outcome.append(_reschedule(job))
    OptimizeJob.mark_done(job_id, done=job.total, outcome=" ".join(outcome))
    figures.changed(job.user_id)  # a new schedule: what is due, the forecast
    return OptimizeJob.objects.get(pk=job_id)


def _fit(job: OptimizeJob) -> str:
    """Fit and keep the better parameters; what happened, in a sentence."""
    job.record_progress(done=0, total=STEPS, stage="Reading your reviews")
    items = optimizer.histories(user_id=job.user_id)
    if len(items) < optimizer.MIN_REVIEWS:
        return too_few(len(items))
    job.record_progress(done=1, stage=f"Fitting FSRS to {len(items):,} reviews")
    result = optimizer.fit(items)
    del items
    job.record_progress(done=2, stage="Saving")
    with transaction.atomic():
        row, _created = SchedulerSettings.objects.select_for_update().get_or_create(
            user_id=job.user_id
        )
        if result.better:
            row.parameters = result.parameters
            outcome = "Your own parameters predict your recall better than FSRS's defaults: "
            outcome += "your next intervals use them."
        else:
            outcome = "FSRS's defaults still predict your recall as well as parameters fitted "
            outcome += "to your reviews: your schedule was left as it was."
        row.optimized_at = timezone.now()
        row.metrics = result.metrics()
        row.full_clean()
        row.save()
    job.record_progress(done=STEPS)
    return outcome


def _reschedule(job: OptimizeJob) -> str:
    """Replay the person's cards through their schedule as it is now."""

    def on_chunk(done: int, total: int) -> None:
        job.record_progress(
            done=done, total=total, stage=f"Rescheduling your cards: {done:,} of {total:,}"
        )

    job.record_progress(done=0, stage="Rescheduling your cards")
    found = rescheduling.reschedule(user_id=job.user_id, on_chunk=on_chunk)
    return (
        f"Rescheduled {found.cards:,} card{'s' if found.cards != 1 else ''} with your "
        f"schedule as it is now: {found.earlier:,} now due earlier, {found.later:,} later."
    )


def settle_failed(*, job_id: int, reason: str) -> None:
    OptimizeJob.mark_failed(
        job_id, f"The optimizer stopped: {reason}. Your schedule was left as it was."
    )
