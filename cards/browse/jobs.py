"""Bulk actions on more than BACKGROUND_ABOVE cards, run on a worker
(django-q2) while the person watches a progress bar (views.card_bulk_job).

The action itself is ``bulk.run_bulk_action``, as for a few cards: one
transaction, so that it is done whole or not at all, and one undo. Its
progress is reported by phase, not card by card: the job says how many cards
it is changing before the transaction starts, and is done when it commits. On
PostgreSQL the bar also moves once the cards are read, written through a
second connection (``jobs.progress_aside``); on SQLite the transaction is the
one writer, so the bar waits for the end there. Changing the cards in chunks
of their own transactions would move the bar more often, but a failure half
way would leave some cards changed and the undo split: not worth it for an
action of a few seconds (10,000 cards take about 1 s).

The person has one such job at a time; a second submit while one is under
way is refused in words (and by the table's constraint, in a race)."""

from django.db import IntegrityError, transaction

from prep_site import jobs

from ..models import BulkJob, Topic
from .bulk import BulkRefused, run_bulk_action
from .query import cards_matching
from .terms import QueryError

BACKGROUND_ABOVE = 1_000
UNDER_WAY = (
    "An action on many of your cards is already under way: wait for it to finish "
    "(its page shows how far it has got), then try again. Nothing was changed."
)
STOPPED = (
    "The action was stopped more than once before it could finish (the worker doing "
    "it was stopped); nothing was changed. Try again."
)
STEPS = 3  # waiting, cards read, done


def matching_count(user, text: str) -> int:
    """How many cards an action on all that ``text`` finds would be for (0 for
    a search that cannot be read: the action says why)."""
    try:
        return cards_matching(user, text).count()
    except QueryError:
        return 0


def start_bulk_job(*, user, action: str, text: str, topic: Topic | None, tags: list[str]):
    """Have a worker run the action on every card ``text`` finds, once the job
    is committed."""
    params = {"text": text, "topic": topic.pk if topic else None, "tags": tags}
    try:
        with transaction.atomic():
            under_way = BulkJob.objects.select_for_update().filter(
                user=user, status__in=BulkJob.under_way
            )
            if under_way.exists():
                raise BulkRefused(UNDER_WAY)
            job = BulkJob.objects.create(
                user=user, action=action, params=params, total=STEPS, stage="Waiting for a worker"
            )
            jobs.enqueue_after_commit(
                "cards.browse.tasks.run_job", job, on_failure="cards.browse.tasks.job_failed"
            )
    except IntegrityError:  # the constraint behind the check, in a race
        raise BulkRefused(UNDER_WAY) from None
    return job


def _finish(job_id: int, **changes) -> bool:
    """Move the job out of its running states, once, whoever tries first."""
    return jobs.finish(BulkJob, job_id, **changes)


def run_bulk_job(*, job_id: int) -> BulkJob | None:
    """Run the job's action and keep its message and undo. None when the job is
    gone (its person deleted)."""
    running = {"status__in": BulkJob.under_way}
    if not jobs.claim_attempt(BulkJob, job_id, running=running):
        if BulkJob.objects.filter(pk=job_id, **running).exists():
            _finish(job_id, status=BulkJob.Status.FAILED, message=STOPPED)
        return BulkJob.objects.filter(pk=job_id).first()
    job = BulkJob.objects.select_related("user").get(pk=job_id)
    count = matching_count(job.user, job.params["text"])
    BulkJob.objects.filter(pk=job_id).update(status=BulkJob.Status.RUNNING)
    job.record_progress(done=0, total=STEPS, stage=f"Reading and changing {count:,} cards")
    topic = Topic.objects.filter(pk=job.params["topic"], owner=job.user).first()
    if job.action == "move" and topic is None:
        gone = "The topic to move the cards to was deleted; nothing was changed."
        _finish(job_id, status=BulkJob.Status.FAILED, message=gone)
        return BulkJob.objects.get(pk=job_id)
    try:
        with jobs.progress_aside(job) as report:
            outcome = run_bulk_action(
                user=job.user,
                action=job.action,
                ids=[],
                text=job.params["text"],
                topic=topic,
                tags=job.params["tags"],
                report=lambda: report(1, STEPS),
            )
    except BulkRefused as error:
        _finish(job_id, status=BulkJob.Status.FAILED, message=str(error))
    else:
        _finish(
            job_id,
            status=BulkJob.Status.DONE,
            done=STEPS,
            message=outcome.message,
            undo=outcome.undo,
        )
    return BulkJob.objects.get(pk=job_id)


def settle_failed(*, job_id: int, reason: str) -> None:
    _finish(
        job_id,
        status=BulkJob.Status.FAILED,
        message=f"The action stopped: {reason}. Nothing was changed.",
    )
