"""Load balancing, as Anki does it: a review-state card whose next interval is
three days or more falls due on the least busy day within the range FSRS
would fuzz that interval over, instead of on a random day of it.

Busy means how many of the person's cards already fall due that day, in their
time zone. The days they marked light (SchedulerSettings.light_weekdays) count
as three times as busy, plus one, so they are chosen only when the other days
are much busier. Ties go to the day nearest the interval FSRS computed, then
to the earlier day. No randomness: the grade buttons show what a grade gives."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from datetime import time as clock
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

import fsrs
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from fsrs.scheduler import FUZZ_RANGES

from .models import Progress

SHORTEST = 3  # days: fsrs fuzzes intervals of 2.5 days and more, so 3 whole days
LIGHT_WEIGHT = 3


def fuzz_range(days: int, maximum: int) -> tuple[int, int]:
    """The shortest and longest interval, in days, fsrs 6.3.2 may fuzz an
    interval of ``days`` to (Scheduler._get_fuzzed_interval, FUZZ_RANGES)."""
    delta = 1.0
    for band in FUZZ_RANGES:
        delta += band["factor"] * max(min(float(days), band["end"]) - band["start"], 0.0)
    shortest = max(2, round(days - delta))
    longest = min(round(days + delta), maximum)
    return min(shortest, longest), longest


class DueDays:
    """How many of one person's cards fall due on each coming day. Only the days
    a grade may move a card to are read, each at most once, then kept up to date
    as grades move cards. Kept for one request (on its study session).

    Reading every coming day instead took 50 ms a request for 10,000 cards on
    SQLite, whose cast of a time to a local day is a Python function per row."""

    def __init__(self, user_id: int, *, zone: ZoneInfo, light_weekdays=()):
        self.user_id = user_id
        self.zone = zone
        self.light = frozenset(light_weekdays)
        self._counts: dict[date, int] = {}
        self._read: set[date] = set()

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, clock.min, tzinfo=self.zone)

    def read(self, spans: Iterable[tuple[int, int]], *, now: datetime) -> None:
        """Read the counts of the days ``now`` plus each (shortest, longest)
        span of days, those not read yet, in one grouped query."""
        missing = {
            self.day(now + timedelta(days=offset))
            for shortest, longest in spans
            for offset in range(shortest, longest + 1)
        } - self._read
        if not missing:
            return
        runs: list[list[date]] = []  # the missing days, as runs of consecutive days
        for day in sorted(missing):
            if runs and day - runs[-1][-1] == timedelta(days=1):
                runs[-1].append(day)
            else:
                runs.append([day])
        within = reduce(
            or_,
            (
                Q(due__gte=self._midnight(run[0]))
                & Q(due__lt=self._midnight(run[-1] + timedelta(days=1)))
                for run in runs
            ),
        )
        rows = (
            Progress.objects.filter(within, user_id=self.user_id, suspended=False, due__gt=now)
            .annotate(day=TruncDate("due", tzinfo=self.zone))
            .order_by()
            .values("day")
            .annotate(n=Count("pk"))
            .values_list("day", "n")
        )
        self._counts.update((day, n) for day, n in rows if day in missing)
        self._read |= missing

    def moved(self, *, old: datetime | None, new: datetime, now: datetime) -> None:
        """A grade moved a card from ``old`` to ``new``: keep the counts read true
        (a day read later is read with the card where it was saved)."""
        if old is not None and old > now and self._counts.get(self.day(old)):
            self._counts[self.day(old)] -= 1
        if new > now and self.day(new) in self._read:
            self._counts[self.day(new)] = self._counts.get(self.day(new), 0) + 1

    def load(self, day: date, *, now: datetime, own: date | None) -> int:
        """How busy ``day`` (read already) counts as, leaving out the card being graded."""
        count = self._counts.get(day, 0) - (day == own)
        if day.weekday() in self.light:
            return count * LIGHT_WEIGHT + 1
        return count


def span(after: fsrs.Card, *, now: datetime, maximum: int) -> tuple[int, int] | None:
    """The days from now that balancing may move ``after`` to (None: it stays)."""
    if after.state != fsrs.State.Review:
        return None
    interval = (after.due - now).days
    if interval < SHORTEST:
        return None
    return fuzz_range(interval, maximum)


def balance(
    before: fsrs.Card, after: fsrs.Card, *, now: datetime, days: DueDays, maximum: int
) -> fsrs.Card:
    """``after`` moved to the least busy day of its fuzz range (same object)."""
    offsets = span(after, now=now, maximum=maximum)
    if offsets is None:
        return after
    days.read([offsets], now=now)
    interval = (after.due - now).days
    own = days.day(before.due) if before.due > now else None
    shortest, longest = offsets
    chosen = min(
        range(shortest, longest + 1),
        key=lambda d: (
            days.load(days.day(now + timedelta(days=d)), now=now, own=own),
            abs(d - interval),
            d,
        ),
    )
    after.due = now + timedelta(days=chosen)
    return after
