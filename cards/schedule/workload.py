"""The workload a retention gives: reviews per day over the next 90 days,
simulated with fsrs-rs's simulator, and the retention with the least of them.

fsrs-rs's ``simulate`` cannot start from cards already studied: it starts the
whole deck as new and introduces the person's new cards per day. The page says
so. A simulation of 100,000 cards over 90 days takes well under a second here;
the results are cached per person for the day."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Sum
from fsrs_rs_python import DEFAULT_PARAMETERS, default_simulator_config, simulate

from prep_site.when import format_short_date

from ..models.scheduler import MAX_RETENTION, MIN_RETENTION

DAYS = 90
SHORT = 30
# The retentions the suggestion weighs: the least total reviews among them.
CANDIDATES = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95)
OTHERS_APART = 0.05
SEED = 42
CACHE_SECONDS = 24 * 60 * 60


@dataclass
class Series:
    retention: float
    per_day: list[int]  # reviews, each new card's first one counted
    current: bool = False
    points: str = ""  # the polyline's "x,y x,y ..." once drawn

    @property
    def average_short(self) -> float:
        return sum(self.per_day[:SHORT]) / SHORT

    @property
    def average_long(self) -> float:
        return sum(self.per_day) / len(self.per_day)

    @property
    def total(self) -> int:
        return sum(self.per_day)


@dataclass
class Workload:
    cards: int
    new_per_day: int
    series: list[Series]
    suggested: float
    start: date
    width: int = 620
    height: int = 180
    peak: int = 0
    baseline: int = 0
    ticks: list[tuple[float, str]] | None = None

    @property
    def empty(self) -> bool:
        return not any(s.total for s in self.series)


def others(retention: float) -> list[float]:
    """Two retentions around the person's, ``OTHERS_APART`` apart, moved
    inside the allowed range when the person's is near an end of it."""
    low, high = retention - OTHERS_APART, retention + OTHERS_APART
    if high > MAX_RETENTION + 1e-9:
        low, high = retention - 2 * OTHERS_APART, low
    elif low < MIN_RETENTION - 1e-9:
        low, high = high, retention + 2 * OTHERS_APART
    return [round(low, 2), round(high, 2)]


def simulated(parameters: list[float], retention: float, cards: int, new_per_day: int) -> list[int]:
    """Reviews per day for ``DAYS`` days, new cards' first reviews included."""
    config = default_simulator_config()
    config.deck_size = cards
    config.learn_span = DAYS
    config.learn_limit = new_per_day
    config.max_cost_perday = float("inf")  # no daily time cap: the whole workload
    result = simulate(parameters, retention, config, seed=SEED)
    return [
        review + learn
        for review, learn in zip(result.review_cnt_per_day, result.learn_cnt_per_day, strict=True)
    ]


def suggested(parameters: list[float], cards: int, new_per_day: int) -> float:
    """The retention among ``CANDIDATES`` with the fewest reviews over ``DAYS``
    days (the lowest such, on a tie): below it, forgetting costs more reviews."""
    totals = {r: sum(simulated(parameters, r, cards, new_per_day)) for r in CANDIDATES}
    return min(CANDIDATES, key=lambda r: (totals[r], r))


def _cache_key(user_id: int, parameters, retention: float, cards: int, new_per_day: int, day):
    raw = json.dumps([list(parameters), retention, cards, new_per_day, day.isoformat()])
    return f"workload:{user_id}:{hashlib.sha256(raw.encode()).hexdigest()}"


def studiable_cards(user) -> int:
    """The prompts (the things scheduled) of the unsuspended cards the person sees."""
    from ..services import studiable_per_topic

    return sum(studiable_per_topic(user, Sum("prompt_count")).values())


def workload_for(*, user, schedule, new_per_day: int, today: date) -> Workload | None:
    """The simulated workload at the person's retention and two others, and
    the suggested retention; None when the person has no cards to study."""
    cards = studiable_cards(user)
    if not cards:
        return None
    parameters = list(schedule.parameters or DEFAULT_PARAMETERS)
    retention = round(min(max(schedule.desired_retention, MIN_RETENTION), MAX_RETENTION), 2)
    key = _cache_key(user.pk, parameters, retention, cards, new_per_day, today)
    found = cache.get(key)
    if found is None:
        retentions = sorted([retention, *others(retention)])
        found = {
            "series": [(r, simulated(parameters, r, cards, new_per_day)) for r in retentions],
            "suggested": suggested(parameters, cards, new_per_day),
        }
        cache.set(key, found, CACHE_SECONDS)
    series = [
        Series(retention=r, per_day=per_day, current=abs(r - retention) < 1e-9)
        for r, per_day in found["series"]
    ]
    return draw(
        Workload(
            cards=cards,
            new_per_day=new_per_day,
            series=series,
            suggested=found["suggested"],
            start=today,
        )
    )


def draw(chart: Workload) -> Workload:
    """Lay the series out as polylines, with a date tick every 15 days."""
    left, bottom, top = 34, 22, 8
    plot_height = chart.height - bottom - top
    chart.peak = max((max(s.per_day, default=0) for s in chart.series), default=0)
    chart.baseline = top + plot_height
    step = (chart.width - left - 30) / max(DAYS - 1, 1)
    for s in chart.series:
        coords = []
        for index, value in enumerate(s.per_day):
            y = chart.baseline - (plot_height * value / chart.peak if chart.peak else 0)
            coords.append(f"{left + index * step:.1f},{y:.1f}")
        s.points = " ".join(coords)
    chart.ticks = [
        (round(left + index * step, 1), format_short_date(chart.start + timedelta(days=index)))
        for index in range(0, DAYS, 15)
    ]
    return chart
