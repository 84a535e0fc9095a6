"""A made-up but realistic study history for one person, for tests and benchmarks.

``generate_history`` creates topics and basic cards, then replays a learner
studying them with the real FSRS scheduler over the past days: new prompts are
introduced day by day, each prompt comes back when it falls due (in the next of
the day's morning, midday or evening sittings, now and then a few sittings late,
never on the days the learner skipped), and whether it is remembered is drawn
from its FSRS retrievability. Only when the cards asked for cannot gather the
reviews asked for that way does the learner also review some prompts ahead of
time (as a quiz that counts as reviews would), and the progress lines say so.
Every ReviewLog row and final Progress row is exactly what
``services.grade_prompt`` would have written for the same grades at the same
times; only the writing is done in bulk.

How the count of reviews comes out exact: prompts never affect one another, so
each prompt's history is a function of its own random stream and the day it was
introduced. A small pilot estimates how many reviews a prompt gathers by age,
which sets how many prompts to introduce and over how many days, aiming a little
high. A counting pass then replays every prompt (nothing kept but the count), a
few prompts chosen at random are left unstudied until the surplus is gone, and
the writing pass replays the rest in time order, so rows are inserted in the
order a real person would have written them.
"""

from __future__ import annotations

import heapq
import math
import random
import time
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from django.contrib.auth import get_user_model
from django.db import reset_queries, transaction
from django.utils.text import slugify

from accounts.models import Profile
from cards import review_days, scheduling
from cards.models import Card, Progress, Prompt, Rating, ReviewDay, ReviewLog, State, Topic

DEFAULT_USERNAME = "bench"
# Printed when the command creates the person, so a benchmark can log in as them.
DEFAULT_PASSWORD = "prep-history-2026"

CARD_BATCH = 5_000
REVIEW_BATCH = 10_000
PROGRESS_BATCH = 5_000
# Rows per INSERT statement: PostgreSQL takes at most 65,535 parameters, and a
# review row has 12. (SQLite's backend cuts statements smaller by itself.)
INSERT_ROWS = 2_000

# The learner.
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

# Calibration.
PILOT_PROMPTS = 600
# When reviewing prompts as they fall due cannot give as many reviews as asked,
# the learner also reviews this share of them ahead of time.
STUDY_AHEAD = (0.0, 0.1, 0.2, 0.35, 0.5, 0.7)
AIM_HIGH = 1.03  # the counting pass should find this much more than asked; the surplus goes
MAX_ATTEMPTS = 4

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_TWO_TO_MINUS_53 = 2.0**-53


class HistoryRequestError(ValueError):
    """The request cannot be met; ``str(error)`` says why."""


@dataclass
class HistorySummary:
    username: str
    created_user: bool
    password: str | None
    topics: int
    cards: int
    prompts_studied: int
    reviews: int
    due_now: int
    seconds: float


def _mix(z: int) -> int:
    """splitmix64's output function: a well-spread 64-bit value for any input."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


class _Slot:
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


class _Learner:
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

    def _within(self, slot: _Slot, i: int, earliest: datetime | None) -> datetime | None:
        """A time in sitting i, not before ``earliest``."""
        if i >= len(self.starts):
            return None
        low = self.starts[i]
        if earliest is not None and earliest > low:
            low = earliest
        return low + (self.ends[i] - low) * slot.random()

    def introduce(self, slot: _Slot, day: int) -> datetime | None:
        """When the learner first sees the prompt: in one of that study day's sittings."""
        first = self.first_sitting[day]
        count = self.first_sitting[day + 1] - first
        return self._within(slot, first + int(slot.random() * count), None)

    def next_time(
        self, slot: _Slot, due: datetime, *, reviewed: datetime, step: bool
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

    def rating(self, slot: _Slot, card, at: datetime) -> int:
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

    def review(self, slot: _Slot, at: datetime) -> tuple[int, int, object, datetime | None]:
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


def _review_counts(learner: _Learner, seed: int, intro_days: list[int]) -> list[int]:
    """How many reviews each prompt gets by now (a replay that keeps nothing else)."""
    counts = []
    review = learner.review
    now = learner.now
    for number, day in enumerate(intro_days):
        slot = _Slot(number, seed)
        at = learner.introduce(slot, day)
        n = 0
        while at is not None and at <= now:
            at = review(slot, at)[3]
            n += 1
        counts.append(n)
    return counts


def _reviews_by_age(learner: _Learner, seed: int) -> list[float]:
    """Pilot: the mean number of reviews a prompt has had by each age in days."""
    per_day = [0] * (learner.last + 1)
    counted_from = learner.first_ordinal
    for number in range(PILOT_PROMPTS):
        slot = _Slot(number, seed)
        at = learner.introduce(slot, 0)
        while at is not None and at <= learner.now:
            per_day[at.toordinal() - counted_from] += 1
            at = learner.review(slot, at)[3]
    cumulative, running = [], 0
    for n in per_day:
        running += n
        cumulative.append(running / PILOT_PROMPTS)
    return cumulative


def _intro_days(learner: _Learner, prompts: int, window: int) -> list[int]:
    """Introduce ``prompts`` evenly over the first ``window`` study days."""
    days = learner.active_days
    return [days[i * window // prompts] for i in range(prompts)]


def _expected(learner: _Learner, by_age: list[float], prompts: int, window: int) -> float:
    days = learner.active_days
    total = 0.0
    for j in range(window):
        n = (j + 1) * prompts // window - j * prompts // window
        total += n * by_age[learner.last - days[j]]
    return total


def _plan(learner: _Learner, by_age: list[float], cards: int, target: float) -> tuple[int, int]:
    """How many prompts to introduce, over how many of the first study days, to
    expect ``target`` reviews: all the days if there are cards enough, else all
    the cards over fewer days (older prompts have been reviewed more)."""
    study_days = len(learner.active_days)
    per_prompt = _expected(learner, by_age, study_days, study_days) / study_days
    prompts = math.ceil(target / per_prompt) if per_prompt else cards
    if prompts <= cards:
        return max(prompts, 1), study_days
    for window in range(study_days, 0, -1):
        if _expected(learner, by_age, cards, window) >= target:
            return cards, window
    return cards, 1


def _previous(card, lapses: int) -> dict:
    """The progress row before a grade, in the shape grade_prompt stores."""
    return {
        "state": int(card.state),
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": card.due.isoformat(),
        "last_review": card.last_review.isoformat() if card.last_review else None,
        "lapses": lapses,
    }


# Card text --------------------------------------------------------------------

_TERMS = (
    "a cache",
    "an index",
    "a queue",
    "a lock",
    "a hash map",
    "a B-tree",
    "a log",
    "a replica",
    "a shard",
    "a checksum",
    "a heap",
    "a trie",
    "a socket",
    "a thread",
    "a transaction",
    "a snapshot",
    "a bloom filter",
    "a load balancer",
    "a write-ahead log",
    "a vector clock",
    "a semaphore",
    "a cursor",
    "a view",
    "a join",
    "a partition",
)
_QUESTIONS = (
    "Question {n} about {topic}: what is {a} for?",
    "Question {n} about {topic}: when would you pick {a} over {b}?",
    "Question {n} about {topic}: how does {a} fail?",
    "Question {n} about {topic}: what does {a} cost?",
    "Question {n} about {topic}: how do {a} and {b} differ?",
    "Question {n} about {topic}",
)
_ANSWERS = (
    "It keeps {a} close to {b}.",
    "Mostly memory; sometimes {b}.",
    "When {b} is too slow.",
    "Answer {n}: {a}, then {b}.",
    "By trading {a} for {b}.",
)


def _card_text(rng: random.Random, n: int, topic: str) -> tuple[str, str]:
    a, b = rng.sample(_TERMS, 2)
    front = rng.choice(_QUESTIONS).format(n=n, topic=topic, a=a, b=b)
    back = rng.choice(_ANSWERS).format(n=n, a=a, b=b)
    return front, back[0].upper() + back[1:]


# The whole thing ----------------------------------------------------------------


def generate_history(
    *,
    username: str = DEFAULT_USERNAME,
    cards: int,
    reviews: int,
    days: int = 365,
    seed: int | None = None,
    topics: int = 8,
    now: datetime | None = None,
    report: Callable[[str], None] = lambda line: None,
) -> HistorySummary:
    """Create ``cards`` basic cards over ``topics`` new topics for the person
    (created if missing), and exactly ``reviews`` reviews of them over the past
    ``days`` days. ``report`` receives progress lines. Everything is written in
    one transaction."""
    if min(cards, reviews, topics) < 0:
        raise HistoryRequestError("Cards, reviews and topics cannot be negative.")
    if days < 1:
        raise HistoryRequestError("The history needs at least one day.")
    if cards and not topics:
        raise HistoryRequestError("Cards need at least one topic to go in.")
    if reviews and not cards:
        raise HistoryRequestError("Reviews need cards: ask for some cards as well.")
    started = time.perf_counter()
    real_now = datetime.now(UTC)
    now = now or real_now
    if now.tzinfo is None or now > real_now:
        raise HistoryRequestError("now must be a timezone-aware moment, not in the future.")
    now = now.astimezone(UTC)
    rng = random.Random(seed)

    def elapsed() -> float:
        return time.perf_counter() - started

    learner = _Learner(rng, days=days, now=now)
    plan = None
    if reviews:
        plan = _plan_reviews(learner, rng, cards=cards, reviews=reviews, report=report)

    with transaction.atomic():
        user, created, password = _user(username, plan)
        topic_rows = _topics(user, topics, learner.start)
        prompts = _cards(user, topic_rows, cards, rng, learner.start, report, elapsed)
        studied = due_now = 0
        if plan is not None:
            studied, due_now = _write_reviews(
                user, learner, plan, prompts, reviews, report, elapsed
            )
    return HistorySummary(
        username=username,
        created_user=created,
        password=password,
        topics=len(topic_rows),
        cards=cards,
        prompts_studied=studied,
        reviews=reviews,
        due_now=due_now,
        seconds=elapsed(),
    )


@dataclass
class _Plan:
    seed: int
    intro_days: list[int]
    kept: list[int]  # prompt numbers studied, in order of introduction
    limits: dict[int, int]  # numbers whose history stops short
    new_per_day: int


def _plan_reviews(
    learner: _Learner, rng: random.Random, *, cards: int, reviews: int, report
) -> _Plan:
    """Which prompts to study, from which day, so that exactly ``reviews`` reviews
    happen by now (see the module docstring)."""
    pilot_seed = rng.getrandbits(64)
    seed = rng.getrandbits(64)
    # Cards all introduced within the first quarter of the study days is as
    # front-loaded as a plan gets before the learner starts studying ahead.
    quarter = max(1, len(learner.active_days) // 4)
    target = reviews * AIM_HIGH + 20
    level, by_age = 0, {}
    for _attempt in range(MAX_ATTEMPTS + len(STUDY_AHEAD)):
        learner.study_ahead = STUDY_AHEAD[level]
        if level not in by_age:
            by_age[level] = _reviews_by_age(learner, pilot_seed)
        at_most = _expected(learner, by_age[level], cards, quarter)
        if at_most < reviews * AIM_HIGH and level + 1 < len(STUDY_AHEAD):
            level += 1
            continue
        if cards * by_age[level][-1] < reviews * 0.98:
            raise HistoryRequestError(
                f"{cards} cards studied over {learner.last} days come to at most about "
                f"{int(cards * by_age[level][-1])} reviews, not {reviews}: ask for more "
                "cards, more days or fewer reviews."
            )
        prompts, window = _plan(learner, by_age[level], cards, target)
        intro_days = _intro_days(learner, prompts, window)
        counts = _review_counts(learner, seed, intro_days)
        total = sum(counts)
        report(
            f"planned {prompts} prompts over {window} study days, studying ahead "
            f"{learner.study_ahead:.0%} of the time: {total} reviews by now for {reviews} asked"
        )
        if total >= reviews:
            break
        if prompts == cards and window <= quarter and level + 1 < len(STUDY_AHEAD):
            level += 1
        elif prompts == cards and window == 1:
            raise HistoryRequestError(
                f"{cards} cards studied over {learner.last} days come to {total} reviews, "
                f"not {reviews}: ask for more cards, more days or fewer reviews."
            )
        else:
            target *= reviews / max(total, 1) * 1.02
    else:
        raise HistoryRequestError(f"Could not plan {reviews} reviews; try more cards or days.")

    # Leave prompts chosen at random unstudied until exactly ``reviews`` remain;
    # if no prompt is small enough for the last few, one prompt stops early.
    surplus = total - reviews
    order = [number for number, n in enumerate(counts) if n]
    rng.shuffle(order)
    dropped = set()
    for number in order:
        if not surplus:
            break
        if counts[number] <= surplus:
            dropped.add(number)
            surplus -= counts[number]
    limits = {}
    if surplus:
        for number in order:
            if number not in dropped:
                limits[number] = counts[number] - surplus
                break
    kept = [number for number in range(prompts) if counts[number] and number not in dropped]
    new_per_day = math.ceil(len(kept) / window)
    return _Plan(seed, intro_days, kept, limits, new_per_day)


def _user(username: str, plan: _Plan | None):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None:
        Profile.for_user(user)
        return user, False, None
    user = User(username=username)
    user.set_password(DEFAULT_PASSWORD)
    user.save()
    profile = {}
    if plan is not None:
        profile["new_cards_per_day"] = min(max(plan.new_per_day, 1), 500)
    Profile.objects.create(user=user, **profile)
    return user, True, DEFAULT_PASSWORD


def _topics(user, count: int, created_at: datetime) -> list[Topic]:
    taken = set(Topic.objects.filter(owner=user).values_list("slug", flat=True))
    rows, n = [], 0
    while len(rows) < count:
        n += 1
        name = f"Topic {n}"
        if slugify(name, allow_unicode=True) not in taken:
            rows.append(Topic(owner=user, name=name, slug=slugify(name, allow_unicode=True)))
    rows = Topic.objects.bulk_create(rows)
    Topic.objects.filter(pk__in=[t.pk for t in rows]).update(created_at=created_at)
    return rows


def _cards(user, topics: list[Topic], count: int, rng, created_at, report, elapsed):
    """Create the cards with their prompt; returns (prompt id, card id, topic id)
    in order."""
    prompts: list[tuple[int, int, int]] = []
    first_number = Card.objects.filter(owner=user).count() + 1
    for start in range(0, count, CARD_BATCH):
        batch = []
        for n in range(start, min(start + CARD_BATCH, count)):
            topic = topics[n % len(topics)]
            front, back = _card_text(rng, first_number + n, topic.name)
            batch.append(
                Card(owner=user, topic=topic, kind=Card.Kind.BASIC, front=front, back=back)
            )
        batch = Card.objects.bulk_create(batch, batch_size=INSERT_ROWS)
        made = Prompt.objects.bulk_create(
            [Prompt(card_id=card.pk, ordinal=0) for card in batch], batch_size=INSERT_ROWS
        )
        prompts.extend(
            (prompt.pk, card.pk, card.topic_id) for prompt, card in zip(made, batch, strict=True)
        )
        reset_queries()
        report(f"cards {len(prompts)}/{count}, {elapsed():.1f} s")
    if topics:
        Card.objects.filter(topic__in=topics).update(created_at=created_at, updated_at=created_at)
    return prompts


def _write_reviews(user, learner: _Learner, plan: _Plan, prompts, total: int, report, elapsed):
    """Replay the kept prompts in time order, writing their reviews as they happen,
    then their final progress. Returns (prompts studied, prompts due now)."""
    now = learner.now
    slots = []
    heap = []
    for position, number in enumerate(plan.kept):
        slot = _Slot(number, plan.seed)
        slot.prompt_id, slot.card_id, slot.topic_id = prompts[position]
        slot.limit = plan.limits.get(number)
        at = learner.introduce(slot, plan.intro_days[number])
        slots.append(slot)
        heap.append((at, position))
    heapq.heapify(heap)

    user_id = user.pk
    zone = Profile.for_user(user).zone
    written = 0
    batch: list[ReviewLog] = []
    while heap:
        at, position = heapq.heappop(heap)
        slot = slots[position]
        lapses = slot.lapses
        rating, duration, before, following = learner.review(slot, at)
        after = slot.card
        batch.append(
            ReviewLog(
                user_id=user_id,
                card_id=slot.card_id,
                prompt_id=slot.prompt_id,
                rating=rating,
                reviewed_at=at,
                duration_ms=duration,
                review_number=slot.reps,
                state_before=int(before.state) if before is not None else None,
                state_after=int(after.state),
                due_after=after.due,
                previous=_previous(before, lapses) if before is not None else None,
                day=review_days.local_day(at, zone),
            )
        )
        if following is not None and (slot.limit is None or slot.reps < slot.limit):
            heapq.heappush(heap, (following, position))
        if len(batch) == REVIEW_BATCH:
            ReviewLog.objects.bulk_create(batch, batch_size=INSERT_ROWS)
            written += len(batch)
            batch = []
            reset_queries()  # with DEBUG on, the query log would hold every batch's SQL
            report(f"reviews {written}/{total}, {elapsed():.1f} s")
    if batch:
        ReviewLog.objects.bulk_create(batch, batch_size=INSERT_ROWS)
        written += len(batch)
        report(f"reviews {written}/{total}, {elapsed():.1f} s")
    if written != total:  # the counting pass and this one replay the same streams
        raise RuntimeError(f"Wrote {written} reviews, planned {total}.")

    due_now = 0
    for start in range(0, len(slots), PROGRESS_BATCH):
        rows = []
        for slot in slots[start : start + PROGRESS_BATCH]:
            due_now += slot.card.due <= now
            rows.append(
                Progress(
                    user_id=user_id,
                    prompt_id=slot.prompt_id,
                    card_id=slot.card_id,
                    topic_id=slot.topic_id,
                    reps=slot.reps,
                    lapses=slot.lapses,
                    **scheduling.progress_values(slot.card),
                )
            )
        Progress.objects.bulk_create(rows, batch_size=INSERT_ROWS)
        reset_queries()
    report(f"progress {len(slots)} prompts, {elapsed():.1f} s")
    days = review_days.recount(ReviewDay, ReviewLog, user_id=user_id)
    report(f"review counts of {days} days and topics, {elapsed():.1f} s")
    return len(slots), due_now
