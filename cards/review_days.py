"""Per-day review counts (``ReviewDay``): kept up by each grade and undo, and
rebuilt from the review log after bulk loads (the history generator, a
restored backup) and by the migration that introduced them.

The functions take the model classes they work on, so that the migration can
pass its historical models and the app its own."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Greatest, TruncDate

REVIEW_STATE = 2  # State.REVIEW
AGAIN = 1  # Rating.AGAIN


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def count_grade(
    day_model, *, user_id: int, topic_id: int, day: date, in_review: bool, passed: bool
) -> None:
    """Add one grade to its day (inside the grade's transaction): the day's row
    is made if missing (a concurrent grade may make it first) and then counted
    up in the database, two queries whatever happened before."""
    key = {"user_id": user_id, "day": day, "topic_id": topic_id}
    day_model.objects.bulk_create([day_model(**key)], ignore_conflicts=True)
    day_model.objects.filter(**key).update(
        reviews=F("reviews") + 1,
        in_review=F("in_review") + int(in_review),
        passed=F("passed") + int(in_review and passed),
    )


def uncount_grade(
    day_model, *, user_id: int, topic_id: int, day: date, in_review: bool, passed: bool
) -> None:
    """Take an undone grade off its day; never below zero."""
    day_model.objects.filter(user_id=user_id, day=day, topic_id=topic_id).update(
        reviews=Greatest(F("reviews") - 1, 0),
        in_review=Greatest(F("in_review") - int(in_review), 0),
        passed=Greatest(F("passed") - int(in_review and passed), 0),
    )


def recount(day_model, log_model, *, user_id: int, zone: ZoneInfo) -> int:
    """Rebuild a person's day counts from their review log, in the given zone.
    Returns the number of day rows written."""
    rows = (
        log_model.objects.filter(user_id=user_id)
        .annotate(day=TruncDate("reviewed_at", tzinfo=zone))
        .values("day", "card__topic_id")
        .annotate(
            reviews=Count("pk"),
            in_review=Count("pk", filter=Q(state_before=REVIEW_STATE)),
            passed=Count("pk", filter=Q(state_before=REVIEW_STATE) & ~Q(rating=AGAIN)),
        )
        .order_by()
    )
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
