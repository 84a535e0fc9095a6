"""Two tabs, a double click, a retried request: grades racing each other in real
threads against the real database are recorded exactly once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cards.models import Progress, ReviewLog
from cards.study import services
from tests.factories import make_card, make_topic, make_user

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 4


def race(user, prompt, *, expected_reps: int, now):
    barrier = threading.Barrier(RACERS)

    def attempt(rating: int) -> str:
        try:
            barrier.wait(timeout=10)
            services.grade_prompt(
                user=user,
                session=None,
                prompt=prompt,
                rating=rating,
                expected_reps=expected_reps,
                duration_ms=0,
                now=now,
            )
            return "recorded"
        except services.AlreadyGraded:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(RACERS) as pool:
        return sorted(pool.map(attempt, [1, 2, 3, 4]))


def test_racing_first_grades_record_one_review():
    user = make_user()
    card = make_card(make_topic(owner=user), user)
    prompt = card.prompts.get()
    results = race(user, prompt, expected_reps=0, now=timezone.now())
    assert results == ["recorded"] + ["refused"] * (RACERS - 1)
    assert ReviewLog.objects.filter(prompt=prompt).count() == 1
    assert Progress.objects.get(prompt=prompt).reps == 1


def test_racing_later_grades_record_one_review():
    user = make_user()
    card = make_card(make_topic(owner=user), user)
    prompt = card.prompts.get()
    start = timezone.now() - timedelta(days=10)
    services.grade_prompt(
        user=user, session=None, prompt=prompt, rating=4, expected_reps=0, duration_ms=0, now=start
    )
    results = race(user, prompt, expected_reps=1, now=timezone.now())
    assert results == ["recorded"] + ["refused"] * (RACERS - 1)
    assert ReviewLog.objects.filter(prompt=prompt).count() == 2
    progress = Progress.objects.get(prompt=prompt)
    assert progress.reps == 2
    latest = ReviewLog.objects.filter(prompt=prompt).order_by("-review_number").first()
    assert progress.due == latest.due_after
