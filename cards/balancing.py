"""Load balancing, as Anki does it: a review-state card whose next interval is
three days or more falls due on the least busy day within the range FSRS
would fuzz that interval over, instead of on a random day of it.

Busy means how many of the person's cards already fall due that day, in their
time zone. The days they marked light (SchedulerSettings.light_weekdays and
light_dates) and the days of their upcoming interviews (unless they turned that
off) count as three times as busy, plus one, so they are chosen only when the
other days are much busier. Ties go to the day nearest the interval FSRS computed, then
to the earlier day. No randomness: the grade buttons show what a grade gives."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs
from django.db.models import Count
from django.db.models.functions import TruncDate
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


class DueDays:
    """How many of one person's cards fall due on each coming day, read in one
    grouped query the first time a grade needs it, then kept up to date as
    grades move cards. Kept for one request (on its study session)."""

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
        self._counts: dict[date, int] | None = None

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def counts(self, now: datetime) -> dict[date, int]:
        if self._counts is None:
            rows = (
                Progress.objects.filter(user_id=self.user_id, suspended=False, due__gt=now)
                .annotate(day=TruncDate("due", tzinfo=self.zone))
                .order_by()
                .values("day")
                .annotate(n=Count("pk"))
                .values_list("day", "n")
            )
            self._counts = dict(rows)
            if self.ask_others:
                for _receiver, days in light_days.send(
                    sender=DueDays, user_id=self.user_id, zone=self.zone, now=now
                ):
                    self.light_dates |= days
        return self._counts

    def is_light(self, day: date) -> bool:
        return day.weekday() in self.light or day in self.light_dates

    def moved(self, *, old: datetime | None, new: datetime, now: datetime) -> None:
        """A grade moved a card from ``old`` to ``new``: keep the counts true."""
        if self._counts is None:
            return
        if old is not None and old > now and self._counts.get(self.day(old)):
            self._counts[self.day(old)] -= 1
        if new > now:
            self._counts[self.day(new)] = self._counts.get(self.day(new), 0) + 1

    def load(self, day: date, *, now: datetime, own: date | None) -> int:
        """How busy ``day`` counts as, leaving out the card being graded."""
        count = self.counts(now).get(day, 0) - (day == own)
        if self.is_light(day):
            return count * LIGHT_WEIGHT + 1
        return count


def balance(
    before: fsrs.Card, after: fsrs.Card, *, now: datetime, days: DueDays, maximum: int
) -> fsrs.Card:
    """``after`` moved to the least busy day of its fuzz range (same object)."""
    if after.state != fsrs.State.Review:
        return after
    interval = (after.due - now).days
    if interval < SHORTEST:
        return after
    own = days.day(before.due) if before.due > now else None
    shortest, longest = fuzz_range(interval, maximum)
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
