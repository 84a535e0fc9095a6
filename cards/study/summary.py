"""The summary of a study session (its last page): its grades, the cards
they were for, and the time spent."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max, Min, Q, Sum

from ..models import ReviewLog, StudySession


@dataclass
class SessionSummary:
    reviews: int
    prompts: int
    new: int
    by_rating: dict[str, int]
    time_spent: timedelta
    duration: timedelta
    again_share: float


def summarize_session(session: StudySession) -> SessionSummary:
    reviews = ReviewLog.objects.filter(session=session)
    totals = reviews.aggregate(
        n=Count("pk"),
        prompts=Count("prompt", distinct=True),
        new=Count("pk", filter=Q(review_number=1)),
        again=Count("pk", filter=Q(rating=1)),
        hard=Count("pk", filter=Q(rating=2)),
        good=Count("pk", filter=Q(rating=3)),
        easy=Count("pk", filter=Q(rating=4)),
        spent=Sum("duration_ms"),
        first=Min("reviewed_at"),
        last=Max("reviewed_at"),
    )
    n = totals["n"] or 0
    duration = (totals["last"] - session.started_at) if totals["last"] else timedelta(0)
    return SessionSummary(
        reviews=n,
        prompts=totals["prompts"] or 0,
        new=totals["new"] or 0,
        by_rating={
            "Again": totals["again"],
            "Hard": totals["hard"],
            "Good": totals["good"],
            "Easy": totals["easy"],
        },
        time_spent=timedelta(milliseconds=totals["spent"] or 0),
        duration=max(duration, timedelta(0)),
        again_share=(totals["again"] / n) if n else 0.0,
    )
