"""Load balancing, as Anki does it: a review-state card whose next interval is
three days or more falls due on the least busy day within the range FSRS
would fuzz that interval over, instead of on a random day of it.

Busy means how many of the person's cards already fall due that day, in their
time zone. The days they marked light (SchedulerSettings.light_weekdays and
light_dates) and the days of their upcoming interviews (unless they turned that
off) count as three times as busy, plus one, so they are chosen only when the
other days are much busier. Ties go to the day nearest the interval FSRS computed, then
to the earlier day. No randomness: the grade buttons show what a grade gives."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import fsrs
from django.db import connection
from django.dispatch import Signal
from fsrs.scheduler import FUZZ_RANGES

from .models import Progress

# Sent with user_id, zone and now the first time a person's grade is balanced:
# each receiver answers with a set of dates (in that zone) to keep light. The
# interviews app answers with the days of the person's upcoming interviews.
light_days = Signal()

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


# Days counted in one statement: far below SQLite's 2,000 and PostgreSQL's
# 1,664 result columns; only intervals of over ten years need a second one.
DAYS_PER_QUERY = 400


class DueDays:
    """How many of one person's cards fall due on each coming day. Only the days
    a grade may move a card to are read, each at most once, then kept up to date
    as grades move cards. Kept for one request (on its study session).

    Each day is counted on its own, in one statement of scalar subqueries: an
    index range each, with no cast of a time to a local day (which SQLite does
    in a Python function per row). On 100,000 cards a study step's 68 days took
    1.4 ms this way; grouping every coming day by its local date took 480 ms."""

    def __init__(
        self,
        user_id: int,
        *,
        zone: ZoneInfo,
        light_weekdays=(),
        light_dates=(),
        ask_others: bool = False,
    ):
        self.user_id = user_id
        self.zone = zone
        self.light = frozenset(light_weekdays)
        self.light_dates = {date.fromisoformat(day) for day in light_dates}
        self.ask_others = ask_others  # whether light_days's receivers add dates
        self._counts: dict[date, int] = {}
        self._read: set[date] = set()

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, clock.min, tzinfo=self.zone)

    def read(self, spans: Iterable[tuple[int, int]], *, now: datetime) -> None:
        """Read the counts of the days ``now`` plus each (shortest, longest) span
        of days, those not read yet. The spans start two days or more from now,
        so every card counted falls due after now. The first read of any day
        also asks light_days's receivers for the person's other light days."""
        missing = sorted(
            {
                self.day(now + timedelta(days=offset))
                for shortest, longest in spans
                for offset in range(shortest, longest + 1)
            }
            - self._read
        )
        if missing and self.ask_others:
            self.ask_others = False
            for _receiver, days in light_days.send(
                sender=DueDays, user_id=self.user_id, zone=self.zone, now=now
            ):
                self.light_dates |= days
        for first in range(0, len(missing), DAYS_PER_QUERY):
            days = missing[first : first + DAYS_PER_QUERY]
            self._counts.update(zip(days, self._count(days), strict=True))
        self._read.update(missing)

    def _count(self, days: list[date]) -> tuple[int, ...]:
        ops = connection.ops
        table = ops.quote_name(Progress._meta.db_table)
        user, suspended, due = (
            ops.quote_name(Progress._meta.get_field(name).column)
            for name in ("user", "suspended", "due")
        )
        one_day = (
            f"(SELECT COUNT(*) FROM {table} WHERE {user} = %s AND NOT {suspended}"
            f" AND {due} >= %s AND {due} < %s)"
        )
        params = []
        for day in days:
            start, end = self._midnight(day), self._midnight(day + timedelta(days=1))
            params += [
                self.user_id,
                ops.adapt_datetimefield_value(start),
                ops.adapt_datetimefield_value(end),
            ]
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join([one_day] * len(days)), params)
            return cursor.fetchone()

    def is_light(self, day: date) -> bool:
        return day.weekday() in self.light or day in self.light_dates

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
        if self.is_light(day):
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
