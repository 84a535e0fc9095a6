"""Per-day review counts (``ReviewDay``): kept up by each grade and undo, moved
with a card that changes topic, and rebuilt from the review log after bulk
loads (the history generator, a restored backup) and by the migration that
introduced them. A grade counts on the local day stored with it
(``ReviewLog.day``) and under its card's topic.

The functions take the model classes they work on, so that the migration can
pass its historical models and the app its own."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Greatest

REVIEW_STATE = 2  # State.REVIEW
AGAIN = 1  # Rating.AGAIN


def _model(name: str):
    """A model of this app, looked up when used: the models call these functions
    (a card's delete takes its reviews off their days), so this module cannot
    import them."""
    return apps.get_model("cards", name)


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _add(day_model, key: dict, amounts: dict[str, int]) -> None:
    """Add to a day's counts: its row is made if missing (a concurrent grade may
    make it first) and then counted up in the database, two queries whatever
    happened before."""
    day_model.objects.bulk_create([day_model(**key)], ignore_conflicts=True)
    day_model.objects.filter(**key).update(**{name: F(name) + n for name, n in amounts.items()})


def _subtract(day_model, key: dict, amounts: dict[str, int]) -> None:
    """Take from a day's counts, never below zero."""
    day_model.objects.filter(**key).update(
        **{name: Greatest(F(name) - n, 0) for name, n in amounts.items()}
    )


def _one_grade(log) -> tuple[type, dict, dict[str, int]]:
    """The day row a review counts on (its day, its card's topic) and what it adds."""
    ReviewDay = _model("ReviewDay")
    key = {"user_id": log.user_id, "day": log.day, "topic_id": log.prompt.card.topic_id}
    in_review = log.state_before == REVIEW_STATE
    passed = in_review and log.rating != AGAIN
    return ReviewDay, key, {"reviews": 1, "in_review": int(in_review), "passed": int(passed)}


def count_grade(log) -> None:
    """Add a new review to its day (inside the grade's transaction)."""
    _add(*_one_grade(log))


def uncount_grade(log) -> None:
    """Take an undone review off its day."""
    _subtract(*_one_grade(log))


def uncount_reviews(logs) -> None:
    """Take reviews that are about to be deleted (a queryset of ReviewLog, such
    as the reviews of cards or prompts being deleted) off their days: one
    UPDATE of the day rows they count on, whatever their number."""
    _shift_reviews(logs, -1)


def count_reviews(logs) -> None:
    """Add reviews to the days and topics they count on now (cards that moved
    topic in bulk, after ``uncount_reviews`` took them off the old ones): the
    missing day rows are made, then the counts are added to them all."""
    _shift_reviews(logs, 1)


def _shift_reviews(logs, sign: int) -> None:
    """Add (sign 1) or take (sign -1, never below zero) the reviews ``logs``
    selects to or from the day rows they count on: one pass over the reviews
    to total them per day and topic, then the day rows, locked, read and
    written back in batches, whatever the number of reviews."""
    ReviewDay = _model("ReviewDay")
    totals = {
        (row["user_id"], row["day"], row["card__topic_id"]): row
        for row in _totals(logs.values("user_id", "day", "card__topic_id"))
    }
    if not totals:
        return
    if sign > 0:
        ReviewDay.objects.bulk_create(
            [ReviewDay(user_id=user, day=day, topic_id=topic) for user, day, topic in totals],
            ignore_conflicts=True,
            batch_size=500,
        )
    users, days, topics = (sorted({key[i] for key in totals}) for i in range(3))
    names = ("reviews", "in_review", "passed")
    with transaction.atomic():
        # Locked: a grade meanwhile adds to a row after this writes it, not before.
        rows = ReviewDay.objects.select_for_update().filter(
            user_id__in=users, day__in=days, topic_id__in=topics
        )
        changed = []
        for row in rows.order_by("pk"):
            total = totals.get((row.user_id, row.day, row.topic_id))
            if total is None:
                continue
            for name in names:
                setattr(row, name, max(getattr(row, name) + sign * total[name], 0))
            changed.append(row)
        # Written back as new rows in place of the old: an UPDATE a row, or
        # bulk_update's CASE over them, took seconds for thousands of days.
        ReviewDay.objects.filter(pk__in=[row.pk for row in changed]).delete()
        ReviewDay.objects.bulk_create(changed, batch_size=500)


def _totals(grouped):
    """The counts a ReviewDay holds, per group of review log rows."""
    return grouped.annotate(
        reviews=Count("pk"),
        in_review=Count("pk", filter=Q(state_before=REVIEW_STATE)),
        passed=Count("pk", filter=Q(state_before=REVIEW_STATE) & ~Q(rating=AGAIN)),
    ).order_by()


def recount(day_model, log_model, *, user_id: int) -> int:
    """Rebuild a person's day counts from their review log. Returns the number
    of day rows written."""
    rows = _totals(log_model.objects.filter(user_id=user_id).values("day", "card__topic_id"))
    with transaction.atomic():
        day_model.objects.filter(user_id=user_id).delete()
        made = day_model.objects.bulk_create(
            [
                day_model(
                    user_id=user_id,
                    topic_id=row["card__topic_id"],
                    day=row["day"],
                    reviews=row["reviews"],
                    in_review=row["in_review"],
                    passed=row["passed"],
                )
                for row in rows
            ],
            batch_size=500,
        )
    return len(made)


def move_reviews(card, *, from_topic_id: int) -> None:
    """A card moved to another topic: its grades count under the new one from
    now on, day by day (a query or three per day the card was graded on)."""
    ReviewDay, ReviewLog = _model("ReviewDay"), _model("ReviewLog")
    rows = _totals(ReviewLog.objects.filter(card=card).values("user_id", "day"))
    for row in rows:
        moved = {name: row[name] for name in ("reviews", "in_review", "passed")}
        key = {"user_id": row["user_id"], "day": row["day"]}
        _subtract(ReviewDay, {**key, "topic_id": from_topic_id}, moved)
        _add(ReviewDay, {**key, "topic_id": card.topic_id}, moved)
