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
``cards.study.services.grade_prompt`` would have written for the same grades at the same
times; only the writing is done in bulk.

The parts: the learner and their days (learner.py); the plan of which prompts
to study from which day so that the count of reviews comes out exact (plan.py);
the cards' made-up text (card_text.py); and the writing of every row in bulk
(rows.py).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction

from .learner import Learner
from .plan import HistoryRequestError, plan_reviews
from .rows import DEFAULT_PASSWORD, create_cards, create_topics, user_for, write_reviews

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "HistoryRequestError",
    "HistorySummary",
    "generate_history",
]

DEFAULT_USERNAME = "bench"


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

    learner = Learner(rng, days=days, now=now)
    plan = None
    if reviews:
        plan = plan_reviews(learner, rng, cards=cards, reviews=reviews, report=report)

    with transaction.atomic():
        user, created, password = user_for(username, plan)
        topic_rows = create_topics(user, topics, learner.start)
        prompts = create_cards(user, topic_rows, cards, rng, learner.start, report, elapsed)
        studied = due_now = 0
        if plan is not None:
            studied, due_now = write_reviews(user, learner, plan, prompts, reviews, report, elapsed)
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
