"""The bridge between our Progress rows and the fsrs package's scheduler."""

from datetime import datetime, timedelta

import fsrs
from django.conf import settings

from .models import Progress, Rating, State

SCHEDULER = fsrs.Scheduler(
    desired_retention=settings.FSRS_DESIRED_RETENTION,
    # Intervals shown on the grade buttons must be the ones a grade then gives.
    enable_fuzzing=False,
)

PROGRESS_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")


def fsrs_card(progress: Progress | None, *, prompt_id: int, now: datetime) -> fsrs.Card:
    """The fsrs view of a prompt: a fresh card when it has never been studied."""
    if progress is None:
        return fsrs.Card(card_id=prompt_id, due=now)
    return fsrs.Card(
        card_id=prompt_id,
        state=fsrs.State(progress.state),
        step=progress.step,
        stability=progress.stability,
        difficulty=progress.difficulty,
        due=progress.due,
        last_review=progress.last_review,
    )


def review(card: fsrs.Card, rating: int, *, now: datetime) -> fsrs.Card:
    reviewed, _log = SCHEDULER.review_card(card, fsrs.Rating(rating), review_datetime=now)
    return reviewed


def progress_values(card: fsrs.Card) -> dict:
    """Progress column values for an fsrs card."""
    return {
        "state": int(card.state),
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": card.due,
        "last_review": card.last_review,
    }


def interval_previews(card: fsrs.Card, *, now: datetime) -> dict[int, timedelta]:
    """What each grade would give: rating → time until the prompt is due again."""
    return {rating.value: review(card, rating.value, now=now).due - now for rating in Rating}


def retrievability(progress: Progress, *, now: datetime) -> float:
    return SCHEDULER.get_card_retrievability(
        fsrs_card(progress, prompt_id=progress.prompt_id, now=now), current_datetime=now
    )


def format_interval(delta: timedelta) -> str:
    """A short human interval for a grade button: 1m, 10m, 3h, 4d, 2.1mo, 1.3y."""
    seconds = max(delta.total_seconds(), 0)
    if seconds < 3600:
        return f"{max(round(seconds / 60), 1)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"


def is_lapse(state_before: int | None, rating: int) -> bool:
    return state_before == State.REVIEW and rating == Rating.AGAIN
