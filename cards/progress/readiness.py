"""Readiness for an interview: per upcoming interview, its topics' mastery,
what is left to learn and the daily pace that gets there in time."""

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from .. import scheduling
from ..models import Rating
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


@dataclass
class Readiness:
    interview: object
    topics: list[TopicProgress]
    days_left: int
    new_prompts: int
    studied_unmastered: int
    recall: object = None  # interviews.recall.Recall: predicted recall on the day

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
    def reviews_needed(self) -> int:
        return (
            self.new_prompts * REVIEWS_TO_MASTER_NEW
            + self.studied_unmastered * REVIEWS_TO_MASTER_STUDIED
        )

    @property
    def reviews_per_day(self) -> int:
        return math.ceil(self.reviews_needed / max(self.days_left, 1))

    @property
    def new_per_day(self) -> int:
        # New cards must start early enough to pass all their reviews in time.
        runway = max(self.days_left - 7, 1)
        return math.ceil(self.new_prompts / runway)


def readiness_for(
    *,
    user,
    interviews,
    zone: ZoneInfo,
    now: datetime,
    known: list[TopicProgress] = (),
    recalls: dict | None = None,
) -> list[Readiness]:
    """Per upcoming interview: its topics' mastery, what is left to learn and
    the daily pace that gets there by the interview date. ``known`` are figures
    already counted (the dashboard's, for every topic the person sees): an
    interview's topics among them cost no queries of their own. ``recalls``:
    each interview's predicted recall, by its pk, to show beside."""
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
            )
        )
    return result
