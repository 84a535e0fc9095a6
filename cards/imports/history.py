"""Writing the study history an import brings (rows.ROW_OPTIONS ``history``):
each studied prompt's reviews, replayed in order through the person's FSRS
scheduler, become its review log and its progress; Anki's own memory state and
due date, when the collection has one, are taken over as they are."""

from datetime import UTC, datetime

import fsrs
from django.db.models import Exists, OuterRef

from .. import leeches, review_days, scheduling
from ..models import Card, Progress, Prompt, ReviewDay, ReviewLog

# Rows per INSERT: PostgreSQL takes at most 65,535 parameters, a review row
# has 14. (SQLite's backend cuts statements smaller by itself.)
INSERT_ROWS = 2000


def _moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def replay(entry: dict, *, user_id: int, prompt: Prompt, topic_id: int, suspended: bool, by, zone):
    """The progress row and the review log rows of one prompt's history."""
    reviews = sorted(entry["reviews"])
    card = fsrs.Card(card_id=prompt.pk, due=_moment(reviews[0][0]))
    state_before, lapses, previous, logs = None, 0, None, []
    for number, (ms, rating, duration) in enumerate(reviews, start=1):
        at = _moment(ms)
        card, _ = by.review_card(card, fsrs.Rating(rating), review_datetime=at)
        lapses += scheduling.is_lapse(state_before, rating)
        logs.append(
            ReviewLog(
                user_id=user_id,
                card_id=prompt.card_id,
                prompt_id=prompt.pk,
                rating=rating,
                reviewed_at=at,
                duration_ms=duration,
                review_number=number,
                state_before=state_before,
                state_after=int(card.state),
                due_after=card.due,
                day=review_days.local_day(at, zone),
                previous=previous,
            )
        )
        state_before, previous = (
            int(card.state),
            scheduling.undo_snapshot(scheduling.progress_values(card), lapses=lapses),
        )
    memory = entry.get("memory")
    if memory:  # Anki's own FSRS state: its due date is the one the person expects
        card.stability, card.difficulty = memory["s"], memory["d"]
        card.due = datetime.fromtimestamp(memory["due"], UTC)
        card.state = fsrs.State(memory["state"])
        if card.state == fsrs.State.Review:
            card.step = None
        elif card.step is None:
            card.step = 0
        logs[-1].due_after, logs[-1].state_after = card.due, int(card.state)
    progress = Progress(
        user_id=user_id,
        prompt_id=prompt.pk,
        card_id=prompt.card_id,
        topic_id=topic_id,
        suspended=suspended,
        reps=len(logs),
        lapses=lapses,
        **scheduling.progress_values(card),
    )
    return progress, logs


def write_history(*, user_id: int, cards: list[Card], options: list[dict], prompts, by, zone):
    """The history of a batch of cards (``options``: each card's row options;
    ``prompts``: the cards' prompts): two bulk writes, and the cards it makes
    leeches marked as study marks them (leeches.mark_imported). Returns the
    number of reviews written and of leeches marked."""
    by_card = {(prompt.card_id, prompt.ordinal): prompt for prompt in prompts}
    progress, logs, lapses = [], [], {}
    for card, given in zip(cards, options, strict=True):
        for entry in given.get("history") or ():
            prompt = by_card.get((card.pk, entry["ordinal"]))
            if prompt is None or not entry["reviews"]:
                continue  # a card of Anki's that has no prompt here
            row, reviews = replay(
                entry,
                user_id=user_id,
                prompt=prompt,
                topic_id=card.topic_id,
                suspended=card.suspended,
                by=by,
                zone=zone,
            )
            progress.append(row)
            logs.extend(reviews)
            lapses[card.pk] = lapses.get(card.pk, 0) + row.lapses
    Progress.objects.bulk_create(progress, batch_size=INSERT_ROWS)
    ReviewLog.objects.bulk_create(logs, batch_size=INSERT_ROWS)
    marked = leeches.mark_imported(user_id=user_id, cards=cards, lapses=lapses)
    return len(logs), marked


def without_history(*, user_id: int, card_ids: list[int]) -> list[Card]:
    """Of the person's cards ``card_ids``, those they have no reviews of yet,
    with their prompts: an update may bring them the history of the file."""
    studied = Progress.objects.filter(user_id=user_id, card_id=OuterRef("pk"))
    return list(
        Card.objects.filter(pk__in=card_ids)
        .exclude(Exists(studied))
        .only("pk", "owner_id", "topic_id", "suspended")
        .prefetch_related("prompts")
    )


def recount_days(user_id: int) -> None:
    """The person's reviews per day, with the imported ones."""
    review_days.recount(ReviewDay, ReviewLog, user_id=user_id)
