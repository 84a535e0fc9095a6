"""The bridge between our Progress rows and the fsrs package's scheduler.

Each person is scheduled by their own scheduler: FSRS's parameters fitted to
their reviews (or the defaults) at the retention they chose
(cards.models.SchedulerSettings). Schedulers are built once per process for
each pair of parameters and retention, so a grade costs no more than reading
the person's settings with the rows it reads anyway."""

from datetime import datetime, timedelta
from functools import lru_cache

import fsrs
from django.conf import settings

from .balancing import DueDays, balance, span
from .models import Progress, Rating, SchedulerSettings, State


@lru_cache(maxsize=256)
def scheduler(parameters: tuple[float, ...] | None, retention: float) -> fsrs.Scheduler:
    """The scheduler for these parameters (None: FSRS's defaults) and retention."""
    return fsrs.Scheduler(
        parameters=parameters if parameters is not None else fsrs.scheduler.DEFAULT_PARAMETERS,
        desired_retention=retention,
        # Intervals shown on the grade buttons must be the ones a grade then gives.
        enable_fuzzing=False,
    )


SCHEDULER = scheduler(None, settings.FSRS_DESIRED_RETENTION)


def scheduler_of(row: SchedulerSettings | None) -> fsrs.Scheduler:
    if row is None:
        return SCHEDULER
    parameters = tuple(row.parameters) if row.parameters else None
    return scheduler(parameters, row.desired_retention)


def person_scheduler(user_id: int, *, keep_on: object | None = None) -> fsrs.Scheduler:
    """The person's scheduler. No query when ``keep_on`` (the study session, a
    progress row) was read with its person's settings
    (``select_related("user__scheduler_settings")``) or already had the
    scheduler kept on it (a grade, then the next card); one small query else."""
    kept = getattr(keep_on, "_fsrs_scheduler", None)
    if kept is not None:
        return kept
    row = _settings_read_with(keep_on)
    if row is NOT_READ:
        row = SchedulerSettings.objects.filter(user_id=user_id).only(*SETTINGS_READ).first()
    found = scheduler_of(row)
    if keep_on is not None:
        keep_on._fsrs_scheduler = found
        keep_on._scheduler_settings = row
    return found


# What a grade reads of the person's settings.
SETTINGS_READ = (
    "parameters",
    "desired_retention",
    "light_weekdays",
    "light_dates",
    "interview_days_light",
)


NOT_READ = object()  # what _settings_read_with gives for settings not read yet


def _settings_read_with(keep_on: object | None) -> SchedulerSettings | None | object:
    """The settings ``keep_on`` was read with (None: the person has none), or
    NOT_READ when it was not read with them."""
    field = getattr(type(keep_on), "user", None)
    if keep_on is None or field is None or not field.is_cached(keep_on):
        return NOT_READ
    person = keep_on.user
    # __class__, not type(): request.user is a lazy object that passes it through.
    accessor = person.__class__.scheduler_settings
    if not accessor.is_cached(person):
        return NOT_READ
    return getattr(person, "scheduler_settings", None)


def due_days(user_id: int, *, zone, keep_on: object) -> DueDays:
    """The person's coming due days for load balancing, kept on ``keep_on``
    (read with person_scheduler first, which keeps their light weekdays on it).
    No query until a grade needs the counts."""
    kept = getattr(keep_on, "_due_days", None)
    if kept is None:
        row = getattr(keep_on, "_scheduler_settings", None) or SchedulerSettings()
        kept = keep_on._due_days = DueDays(
            user_id,
            zone=zone,
            light_weekdays=row.light_weekdays,
            light_dates=row.light_dates,
            ask_others=row.interview_days_light,
        )
    return kept


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


def review(
    card: fsrs.Card,
    rating: int,
    *,
    now: datetime,
    by: fsrs.Scheduler = SCHEDULER,
    balanced: DueDays | None = None,
) -> fsrs.Card:
    """The card after this grade; with ``balanced``, on the least busy day of
    its fuzz range (balancing.py)."""
    reviewed, _log = by.review_card(card, fsrs.Rating(rating), review_datetime=now)
    if balanced is not None:
        balance(card, reviewed, now=now, days=balanced, maximum=by.maximum_interval)
    return reviewed


def undo_snapshot(values: dict, *, lapses: int) -> dict:
    """A progress row's values (PROGRESS_FIELDS) and lapses as a review log keeps
    them in ``previous``, to put the row back when the grade is undone."""
    snapshot = {name: values[name] for name in PROGRESS_FIELDS}
    snapshot["due"] = snapshot["due"].isoformat()
    if snapshot["last_review"] is not None:
        snapshot["last_review"] = snapshot["last_review"].isoformat()
    return {**snapshot, "lapses": lapses}


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


def interval_previews(
    card: fsrs.Card,
    *,
    now: datetime,
    by: fsrs.Scheduler = SCHEDULER,
    balanced: DueDays | None = None,
) -> dict[int, timedelta]:
    """What each grade would give: rating → time until the prompt is due again.
    The due counts the grades' balancing needs are read in one query."""
    return previews_of([card], now=now, by=by, balanced=balanced)[0]


def previews_of(
    cards: list[fsrs.Card],
    *,
    now: datetime,
    by: fsrs.Scheduler = SCHEDULER,
    balanced: DueDays | None = None,
) -> list[dict[int, timedelta]]:
    """interval_previews for several cards, the due counts of all of them read
    together (one query for up to DAYS_PER_QUERY days)."""
    reviewed = [
        {
            rating.value: by.review_card(card, fsrs.Rating(rating.value), review_datetime=now)[0]
            for rating in Rating
        }
        for card in cards
    ]
    if balanced is not None:
        maximum = by.maximum_interval
        spans = (
            span(after, now=now, maximum=maximum) for each in reviewed for after in each.values()
        )
        balanced.read([offsets for offsets in spans if offsets], now=now)
        for card, each in zip(cards, reviewed, strict=True):
            for after in each.values():
                balance(card, after, now=now, days=balanced, maximum=maximum)
    return [{rating: after.due - now for rating, after in each.items()} for each in reviewed]


def retrievability(progress: Progress, *, now: datetime, by: fsrs.Scheduler = SCHEDULER) -> float:
    return by.get_card_retrievability(
        fsrs_card(progress, prompt_id=progress.prompt_id, now=now), current_datetime=now
    )


def recall_at(rows, *, at: datetime, by: fsrs.Scheduler = SCHEDULER) -> list[float]:
    """The scheduler's retrievability at ``at`` of each (prompt id, stability,
    last review) row: the chance of recalling the prompt then. 20,000 rows
    take about 30 ms, so the formula is left to fsrs."""
    return [
        by.get_card_retrievability(
            fsrs.Card(card_id=prompt_id, stability=stability, last_review=last_review, due=at),
            current_datetime=at,
        )
        for prompt_id, stability, last_review in rows
    ]


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
