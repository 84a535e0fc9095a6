"""Readiness for an interview: per upcoming interview, its topics' mastery,
what is left to learn, the daily pace that gets there in time, and a warning
when the person's own pace (their new-card limit, the reviews they have been
doing) will not get there."""

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Sum

from accounts.models import Profile
from prep_site import words

from .. import scheduling
from ..models import Rating, ReviewDay
from .dashboard import MASTERED_STABILITY, TopicProgress, topic_progress


def _reviews_to_master_a_new_card() -> int:
    """How many all-Good reviews FSRS takes to carry a new card to mastery."""
    now = datetime(2000, 1, 1, tzinfo=UTC)
    card = scheduling.fsrs_card(None, prompt_id=1, now=now)
    for count in range(1, 50):
        card = scheduling.review(card, Rating.GOOD, now=card.due)
        if (card.stability or 0) >= MASTERED_STABILITY:
            return count
    return 50


REVIEWS_TO_MASTER_NEW = _reviews_to_master_a_new_card()


REVIEWS_TO_MASTER_STUDIED = 2  # a studied card below mastery: about two more reviews
NEW_CARD_RUNWAY = 7  # days a new card needs between its start and mastery
PACE_DAYS = 14  # the recent days a person's review pace is averaged over


@dataclass(frozen=True)
class Pace:
    """What the person does now: their limit of new cards a day, and the reviews
    a day they averaged over the last PACE_DAYS days (None: none at all)."""

    new_limit: int
    reviews_per_day: float | None


def pace_of(user, *, today: date, new_limit: int) -> Pace:
    """One query: the person's reviews over the last PACE_DAYS days."""
    since = today - timedelta(days=PACE_DAYS)
    done = ReviewDay.objects.filter(user=user, day__gte=since, day__lt=today).aggregate(
        n=Sum("reviews")
    )["n"]
    return Pace(new_limit=new_limit, reviews_per_day=done / PACE_DAYS if done else None)


@dataclass
class Readiness:
    interview: object
    topics: list[TopicProgress]
    days_left: int
    new_prompts: int
    studied_unmastered: int
    recall: object = None  # interviews.recall.Recall: predicted recall on the day
    pace: Pace | None = field(default=None)

    @property
    def prompts(self) -> int:
        return sum(t.prompts for t in self.topics)

    @property
    def mastered(self) -> int:
        return sum(t.mastered for t in self.topics)

    @property
    def mastery(self) -> float:
        return self.mastered / self.prompts if self.prompts else 0.0

    @property
    def to_learn(self) -> int:
        return self.prompts - self.mastered

    @property
    def below_target(self) -> int:
        """Studied prompts FSRS predicts below the desired retention on the day:
        each falls due before the interview and needs a review by then."""
        recall = self.recall
        return recall.studied - recall.above if recall is not None else 0

    @property
    def reviews_needed(self) -> int:
        studied = max(self.studied_unmastered * REVIEWS_TO_MASTER_STUDIED, self.below_target)
        return self.new_prompts * REVIEWS_TO_MASTER_NEW + studied

    @property
    def reviews_per_day(self) -> int:
        return math.ceil(self.reviews_needed / max(self.days_left, 1))

    @property
    def new_days(self) -> int:
        """The days left to start new cards: each needs a week of reviews."""
        return max(self.days_left - NEW_CARD_RUNWAY, 1)

    @property
    def new_per_day(self) -> int:
        return math.ceil(self.new_prompts / self.new_days)

    @property
    def warnings(self) -> list[str]:
        """Why the date cannot be reached at the person's pace; empty when it can."""
        if self.days_left <= 0:
            return [
                "The interview is today: there are no days left to plan. Cram what you "
                "are least sure of."
            ]
        if self.pace is None or not self.to_learn:
            return []
        found = []
        limit, per_day = self.pace.new_limit, self.new_per_day
        if self.new_prompts and per_day > limit:
            started = min(limit * self.new_days, self.new_prompts)
            found.append(
                f"At your limit of {limit} new card{'s' if limit != 1 else ''} a day you would "
                f"start {started} of the {self.new_prompts} new cards in time. Raise the limit "
                f"to {per_day} in Settings, or cram the rest."
            )
        recent = self.pace.reviews_per_day
        if recent is not None and self.reviews_per_day > 2 * recent:
            found.append(
                f"This needs {words.count(self.reviews_per_day, 'review')} a day, more than "
                f"twice the {recent:.0f} a day you have done over the last {PACE_DAYS} days."
            )
        return found


def readiness_for(
    *,
    user,
    interviews,
    zone: ZoneInfo,
    now: datetime,
    known: list[TopicProgress] = (),
    recalls: dict | None = None,
    pace: Pace | None = None,
) -> list[Readiness]:
    """Per upcoming interview: its topics' mastery, what is left to learn and
    the daily pace that gets there by the interview date. ``known`` are figures
    already counted (the dashboard's, for every topic the person sees): an
    interview's topics among them cost no queries of their own. ``recalls``:
    each interview's predicted recall, by its pk, to show beside; ``pace``: the
    person's own (pace_of), to warn when it falls short."""
    today = now.astimezone(zone).date()
    by_topic = {entry.topic.pk: entry for entry in known}
    result = []
    for interview in interviews:
        topics = list(interview.topics.all())
        missing = [topic for topic in topics if topic.pk not in by_topic]
        if missing:
            counted = topic_progress(user=user, topics=missing, now=now, zone=zone)
            by_topic.update((entry.topic.pk, entry) for entry in counted)
        progress = [by_topic[topic.pk] for topic in topics]
        studied = sum(t.studied for t in progress)
        mastered = sum(t.mastered for t in progress)
        prompts = sum(t.prompts for t in progress)
        result.append(
            Readiness(
                interview=interview,
                topics=progress,
                days_left=(interview.scheduled_at.astimezone(zone).date() - today).days,
                new_prompts=prompts - studied,
                studied_unmastered=studied - mastered,
                recall=(recalls or {}).get(interview.pk),
                pace=pace,
            )
        )
    return result


def plan_for(*, user, interview, zone: ZoneInfo, now: datetime, recall) -> Readiness | None:
    """One upcoming interview's readiness with the person's pace (its page);
    None for an interview past or without topics."""
    if recall is None or not recall.topic_count:
        return None
    today = now.astimezone(zone).date()
    new_limit = Profile.for_user(user).new_cards_per_day
    [ready] = readiness_for(
        user=user,
        interviews=[interview],
        zone=zone,
        now=now,
        recalls={interview.pk: recall},
        pace=pace_of(user, today=today, new_limit=new_limit),
    )
    return ready
