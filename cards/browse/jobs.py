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
    job = jobs.start_one(
        BulkJob,
        user=user,
        task="cards.browse.tasks.run_job",
        on_failure="cards.browse.tasks.job_failed",
        action=action,
        params=params,
        total=STEPS,
        stage="Waiting for a worker",
    )
    if job is None:
        raise BulkRefused(UNDER_WAY)
    return job


def run_bulk_job(*, job_id: int) -> BulkJob | None:
    """Run the job's action and keep its message and undo. None when the job is
    gone (its person deleted)."""
    if not BulkJob.claim(job_id, stopped=STOPPED):
        return BulkJob.objects.filter(pk=job_id).first()
    job = BulkJob.objects.select_related("user").get(pk=job_id)
    count = matching_count(job.user, job.params["text"])
    BulkJob.mark_running(job_id)
    job.record_progress(done=0, total=STEPS, stage=f"Reading and changing {count:,} cards")
    topic = Topic.objects.filter(pk=job.params["topic"], owner=job.user).first()
    if job.action == "move" and topic is None:
        BulkJob.mark_failed(
            job_id, "The topic to move the cards to was deleted; nothing was changed."
        )
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
        BulkJob.mark_failed(job_id, str(error))
    else:
        BulkJob.mark_done(job_id, done=STEPS, message=outcome.message, undo=outcome.undo)
    return BulkJob.objects.get(pk=job_id)


def settle_failed(*, job_id: int, reason: str) -> None:
    BulkJob.mark_failed(job_id, f"The action stopped: {reason}. Nothing was changed.")
