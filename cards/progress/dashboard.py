"""The figures of the progress dashboard, each from one aggregate query over the
progress rows or the per-day review counts (``ReviewDay``): the number of
queries does not grow with the collection, no query joins every card or reads
the whole review log, and Python only ever walks days or topics."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, Q, Sum, Value

from interviews.models import MockSession
from prep_site import figures

from .. import services
from ..models import Progress, Quiz, ReviewDay, ReviewLog, State, Topic
from ..services import start_of_day

MASTERED_STABILITY = 21.0  # days: a card you would still recall three weeks on
RETENTION_DAYS = 30
FORECAST_DAYS = 30
HEATMAP_WEEKS = 53


@dataclass
class TopicProgress:
    topic: Topic
    prompts: int = 0
    mastered: int = 0
    studied: int = 0
    review_reviews: int = 0
    review_passed: int = 0

    @property
    def mastery(self) -> float:
        return self.mastered / self.prompts if self.prompts else 0.0

    @property
    def retention(self) -> float | None:
        return self.review_passed / self.review_reviews if self.review_reviews else None

    @property
    def to_learn(self) -> int:
        return self.prompts - self.mastered


@dataclass
class Dashboard:
    today: date
    due_review: int
    due_learning: int
    new_available: int
    new_left_today: int
    reviews_today: int
    current_streak: int
    longest_streak: int
    day_counts: dict[date, int]
    retention: float | None
    retention_reviews: int
    topics: list[TopicProgress]
    forecast: list[tuple[date, int]]
    recent_quizzes: list = field(default_factory=list)
    recent_mocks: list = field(default_factory=list)

    @property
    def new_today(self) -> int:
        return min(self.new_available, self.new_left_today)

    @property
    def due_today(self) -> int:
        return self.due_review + self.due_learning

    @property
    def weakest(self) -> list[TopicProgress]:
        studied = [t for t in self.topics if t.studied]
        return sorted(
            studied, key=lambda t: (t.retention if t.retention is not None else 1.0, t.mastery)
        )[:3]


def review_days(*, user) -> dict[date, int]:
    """Reviews per local day, over all time: one row per day studied (the day
    as it was where the person graded)."""
    rows = (
        ReviewDay.objects.filter(user=user)
        .values("day")
        .annotate(n=Sum("reviews"))
        .filter(n__gt=0)
        .order_by("day")
    )
    return {row["day"]: row["n"] for row in rows}


def streaks(days: set[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive study days. Today not studied yet
    does not break the current streak: it only ends when a whole day is missed."""
    current = 0
    cursor = today if today in days else today - timedelta(days=1)
    while cursor in days:
        current += 1
        cursor -= timedelta(days=1)
    longest = run = 0
    previous = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    return current, longest


def topic_progress(
    *, user, topics: list[Topic], now: datetime, zone: ZoneInfo
) -> list[TopicProgress]:
    """Mastery and true retention per topic, in three grouped queries."""
    by_id = {topic.pk: TopicProgress(topic=topic) for topic in topics}
    ids = list(by_id)
    prompt_counts = services.studiable_per_topic(user, Sum("prompt_count"))
    for topic_id, n in prompt_counts.items():
        if topic_id in by_id:
            by_id[topic_id].prompts = n
    progress_rows = (
        Progress.objects.filter(user=user, topic_id__in=ids, suspended=False)
        .values("topic_id")
        .annotate(
            studied=Count("*"),
            mastered=Count("stability", filter=Q(stability__gte=MASTERED_STABILITY)),
        )
        .order_by()
    )
    for row in progress_rows:
        entry = by_id[row["topic_id"]]
        entry.studied, entry.mastered = row["studied"], row["mastered"]
    review_rows = (
        ReviewDay.objects.filter(user=user, topic_id__in=ids, day__gte=retention_since(now, zone))
        .values("topic_id")
        .annotate(n=Sum("in_review"), passed=Sum("passed"))
        .order_by()
    )
    for row in review_rows:
        entry = by_id[row["topic_id"]]
        entry.review_reviews, entry.review_passed = row["n"], row["passed"]
    return list(by_id.values())


def retention_since(now: datetime, zone: ZoneInfo) -> date:
    """The first local day of the retention window: the last 30 days, today included."""
    return now.astimezone(zone).date() - timedelta(days=RETENTION_DAYS - 1)


def due_forecast(*, user, zone: ZoneInfo, now: datetime, days: int = FORECAST_DAYS):
    """Cards falling due on each of the next ``days`` local days; what is
    overdue counts on today. One query: a count per day, each a range of the
    (person, due) index, joined with UNION ALL."""
    today = now.astimezone(zone).date()
    midnight = start_of_day(now, zone)
    # Adding days to a zoned time keeps its wall clock: each bound is a local midnight.
    bounds = [midnight + timedelta(days=i + 1) for i in range(days)]
    live = Progress.objects.filter(user=user, suspended=False)
    per_day = [
        live.filter(due__lt=end, **({"due__gte": bounds[i - 1]} if i else {}))
        .annotate(day=Value(i))
        .values("day")
        .annotate(n=Count("*"))
        .values_list("day", "n")
        .order_by()
        for i, end in enumerate(bounds)
    ]
    counts = dict(per_day[0].union(*per_day[1:], all=True))
    return [(today + timedelta(days=i), counts.get(i, 0)) for i in range(days)]


def dashboard_for(*, user, zone: ZoneInfo, now: datetime, new_per_day: int) -> Dashboard:
    today = now.astimezone(zone).date()
    day_start = start_of_day(now, zone)
    tomorrow = day_start + timedelta(days=1)
    topics = list(Topic.objects.visible_to(user).order_by("owner_id", "name"))

    due = Progress.objects.filter(user=user, due__lt=tomorrow, suspended=False).aggregate(
        review=Count("state", filter=Q(state=State.REVIEW)),
        learning=Count("state", filter=~Q(state=State.REVIEW)),
    )
    topic_figures = topic_progress(user=user, topics=topics, now=now, zone=zone)
    # Never studied: the studiable prompts of every topic the person sees, less
    # the studied ones (a person only ever has progress on cards they can see).
    new_available = sum(t.prompts for t in topic_figures) - sum(t.studied for t in topic_figures)
    today_totals = ReviewLog.objects.filter(user=user, reviewed_at__gte=day_start).aggregate(
        n=Count("pk"), new=Count("pk", filter=Q(review_number=1))
    )
    days = review_days(user=user)
    current, longest = streaks(set(days), today)
    # True retention over every topic the person sees: what each topic's counts add up to.
    retention_n = sum(t.review_reviews for t in topic_figures)
    retention_passed = sum(t.review_passed for t in topic_figures)

    recent_quizzes = list(
        Quiz.objects.filter(user=user, finished_at__isnull=False)
        .annotate(right=Count("items", filter=Q(items__correct=True)), total=Count("items"))
        .order_by("-finished_at")[:8]
    )
    recent_mocks = list(
        MockSession.objects.filter(user=user, finished_at__isnull=False)
        .annotate(mean=Avg("answers__score"), questions=Count("answers"))
        .order_by("-finished_at")[:8]
    )
    return Dashboard(
        today=today,
        due_review=due["review"],
        due_learning=due["learning"],
        new_available=new_available,
        new_left_today=max(new_per_day - today_totals["new"], 0),
        reviews_today=today_totals["n"],
        current_streak=current,
        longest_streak=longest,
        day_counts=days,
        retention=retention_passed / retention_n if retention_n else None,
        retention_reviews=retention_n,
        topics=topic_figures,
        forecast=due_forecast(user=user, zone=zone, now=now),
        recent_quizzes=recent_quizzes,
        recent_mocks=recent_mocks,
    )


def kept_dashboard(*, user, zone: ZoneInfo, now: datetime, new_per_day: int) -> Dashboard:
    """``dashboard_for``, kept until the person writes (prep_site/figures.py):
    every figure of it stays the same through a day (what is due counts up to
    tomorrow), so the day and the zone are in its key."""
    return figures.kept(
        user.pk,
        "dashboard",
        lambda: dashboard_for(user=user, zone=zone, now=now, new_per_day=new_per_day),
        now.astimezone(zone).date(),
        zone,
        new_per_day,
    )


def kept_review_days(*, user) -> dict[date, int]:
    return figures.kept(user.pk, "review_days", lambda: review_days(user=user))
