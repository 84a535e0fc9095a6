"""Writing the generated history: the person, topics, cards with their prompt,
every review in time order and the final progress, in bulk, as
``cards.study.services.grade_prompt`` would have written them one by one."""

from __future__ import annotations

import heapq
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import reset_queries
from django.utils.text import slugify

from accounts.models import Profile
from cards import review_days, scheduling
from cards.models import Card, Progress, Prompt, ReviewDay, ReviewLog, Topic

from .card_text import card_text
from .learner import Learner, Slot
from .plan import Plan

# Printed when the command creates the person, so a benchmark can log in as them.
DEFAULT_PASSWORD = "prep-history-2026"

CARD_BATCH = 5_000
REVIEW_BATCH = 10_000
PROGRESS_BATCH = 5_000
# Rows per INSERT statement: PostgreSQL takes at most 65,535 parameters, and a
# review row has 12. (SQLite's backend cuts statements smaller by itself.)
INSERT_ROWS = 2_000


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


def user_for(username: str, plan: Plan | None):
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


def create_topics(user, count: int, created_at: datetime) -> list[Topic]:
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


def create_cards(user, topics: list[Topic], count: int, rng, created_at, report, elapsed):
    """Create the cards with their prompt; returns (prompt id, card id, topic id)
    in order."""
    prompts: list[tuple[int, int, int]] = []
    first_number = Card.objects.filter(owner=user).count() + 1
    for start in range(0, count, CARD_BATCH):
        batch = []
        for n in range(start, min(start + CARD_BATCH, count)):
            topic = topics[n % len(topics)]
            front, back = card_text(rng, first_number + n, topic.name)
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


def write_reviews(user, learner: Learner, plan: Plan, prompts, total: int, report, elapsed):
    """Replay the kept prompts in time order, writing their reviews as they happen,
    then their final progress. Returns (prompts studied, prompts due now)."""
    now = learner.now
    slots = []
    heap = []
    for position, number in enumerate(plan.kept):
        slot = Slot(number, plan.seed)
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
