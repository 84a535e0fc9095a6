"""The simulated learner: the days and sittings they study in, when a prompt
comes back to them, and how they grade it (drawn from its FSRS retrievability),
each prompt from a random stream of its own."""

from __future__ import annotations

import random
from bisect import bisect_left
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from cards import scheduling
from cards.models import Rating, State

SKIPPED_DAY_SHARE = 0.08  # days with no study at all
# Sittings of a study day (UTC): chance, earliest start and spread (hours), shortest
# length and spread (minutes). A day with none drawn gets the evening one.
SITTINGS = (
    (0.75, 6.5, 3.0, 20, 70),
    (0.35, 12.0, 2.0, 10, 40),
    (0.85, 17.5, 4.0, 20, 90),
)
LATE_SHARE = 0.06  # a due review put off by one to four sittings
STEP_DELAY = 8 * 60  # a learning step is taken up to this many seconds after it falls due
# The first sight of a prompt: cumulative shares of Again, Hard, Good, Easy.
FIRST_SIGHT = ((0.22, Rating.AGAIN), (0.30, Rating.HARD), (0.90, Rating.GOOD), (1.0, Rating.EASY))
MIN_DURATION_MS, DURATION_SPAN_MS = 2_000, 28_000

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_TWO_TO_MINUS_53 = 2.0**-53


def _mix(z: int) -> int:
    """splitmix64's output function: a well-spread 64-bit value for any input."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


class Slot:
    """One prompt as the learner meets it: its own random stream (a splitmix64
    state, so a hundred thousand of them cost a few megabytes, unlike as many
    ``random.Random``), its fsrs card and counters."""

    __slots__ = (
        "number",
        "state",
        "card",
        "reps",
        "lapses",
        "limit",
        "prompt_id",
        "card_id",
        "topic_id",
    )

    def __init__(self, number: int, seed: int) -> None:
        self.number = number
        self.state = _mix((seed + number * _GOLDEN) & _MASK)
        self.card = None
        self.reps = 0
        self.lapses = 0
        self.limit = None
        self.prompt_id = None
        self.card_id = None

    def random(self) -> float:
        self.state = (self.state + _GOLDEN) & _MASK
        return (_mix(self.state) >> 11) * _TWO_TO_MINUS_53  # in [0, 1)


class Learner:
    """The days of the simulation and how the learner goes through them: on each
    study day one to three sittings (morning, midday, evening); a prompt comes up
    in the first sitting after it falls due, now and then a few sittings later."""

    def __init__(self, rng: random.Random, *, days: int, now: datetime) -> None:
        self.now = now
        self.study_ahead = 0.0  # share of due reviews taken early; set by the plan
        self.last = days  # index of today; day 0 is ``days`` days ago
        first = now.date() - timedelta(days=days)
        self.first_ordinal = first.toordinal()
        active = [rng.random() >= SKIPPED_DAY_SHARE for _ in range(days + 1)]
        # The learner started on day 0, studies today (up to now), and missed
        # yesterday: there is always a backlog waiting, as there usually is.
        active[0] = active[days] = True
        if days >= 2:
            active[days - 1] = False
        self.active_days = [k for k in range(days + 1) if active[k]]
        self.starts: list[datetime] = []
        self.ends: list[datetime] = []
        # first_sitting[k]: index of the first sitting on day k or later.
        self.first_sitting: list[int] = []
        for k in range(days + 1):
            self.first_sitting.append(len(self.starts))
            if not active[k]:
                continue
            midnight = datetime.combine(first + timedelta(days=k), clock.min, tzinfo=UTC)
            chosen = [sitting for sitting in SITTINGS if rng.random() < sitting[0]]
            for _chance, hour, hours, minutes, more_minutes in chosen or SITTINGS[-1:]:
                start = midnight + timedelta(hours=hour + rng.random() * hours)
                self.starts.append(start)
                self.ends.append(start + timedelta(minutes=minutes + rng.random() * more_minutes))
        self.first_sitting.append(len(self.starts))

    @property
    def start(self) -> datetime:
        return self.starts[0] - timedelta(hours=1)

    def _within(self, slot: Slot, i: int, earliest: datetime | None) -> datetime | None:
        """A time in sitting i, not before ``earliest``."""
        if i >= len(self.starts):
            return None
        low = self.starts[i]
        if earliest is not None and earliest > low:
            low = earliest
        return low + (self.ends[i] - low) * slot.random()

    def introduce(self, slot: Slot, day: int) -> datetime | None:
        """When the learner first sees the prompt: in one of that study day's sittings."""
        first = self.first_sitting[day]
        count = self.first_sitting[day + 1] - first
        return self._within(slot, first + int(slot.random() * count), None)

    def next_time(
        self, slot: Slot, due: datetime, *, reviewed: datetime, step: bool
    ) -> datetime | None:
        """When the learner gets to a prompt reviewed at ``reviewed`` that falls due
        at ``due``."""
        i = bisect_left(self.ends, due)  # the first sitting not over by then
        if step:
            # Minutes-long learning steps: still in the same sitting, if it is not over.
            if i < len(self.starts) and self.starts[i] <= due:
                at = due + timedelta(seconds=slot.random() * STEP_DELAY)
                if at <= self.ends[i]:
                    return at
                i += 1
            return self._within(slot, i, None)
        if self.study_ahead and slot.random() < self.study_ahead:
            # Reviewed ahead of time (a quiz that counts as reviews): in a sitting
            # from the day after the last review up to the one where it falls due.
            first = bisect_left(self.ends, reviewed + timedelta(days=1))
            if first < i:
                return self._within(slot, first + int(slot.random() * (i - first)), None)
        if slot.random() < LATE_SHARE:
            return self._within(slot, i + 1 + int(slot.random() * 4), None)
        return self._within(slot, i, due)

    def rating(self, slot: Slot, card, at: datetime) -> int:
        draw = slot.random()
        if card is None:
            for edge, rating in FIRST_SIGHT:
                if draw < edge:
                    return rating
            return Rating.EASY
        recall = scheduling.SCHEDULER.get_card_retrievability(card, current_datetime=at)
        if draw >= recall:
            return Rating.AGAIN
        draw = slot.random()
        hard = 0.04 + 0.6 * (1 - recall)
        if draw < hard:
            return Rating.HARD
        if draw < hard + 0.03 + 0.12 * recall:
            return Rating.EASY
        return Rating.GOOD

    def review(self, slot: Slot, at: datetime) -> tuple[int, int, object, datetime | None]:
        """Grade the prompt at ``at`` as grade_prompt would; returns the rating, the
        duration, the fsrs card before (None when new) and the next review time
        (None when that is after now)."""
        before = slot.card
        rating = self.rating(slot, before, at)
        duration = MIN_DURATION_MS + int(DURATION_SPAN_MS * slot.random() ** 3)
        card = before
        if card is None:
            card = scheduling.fsrs_card(None, prompt_id=slot.prompt_id or slot.number, now=at)
        after = scheduling.review(card, rating, now=at)
        slot.card = after
        slot.reps += 1
        state_before = int(before.state) if before is not None else None
        slot.lapses += scheduling.is_lapse(state_before, rating)
        following = self.next_time(slot, after.due, reviewed=at, step=after.state != State.REVIEW)
        if following is not None and following > self.now:
            following = None
        return rating, duration, before, following
