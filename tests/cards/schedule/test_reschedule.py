"""Rescheduling a person's cards (cards/schedule/reschedule.py) from Your
schedule: after the optimizer if ticked, or alone. Each studied prompt ends
as fsrs's own Scheduler.reschedule_card makes it from the prompt's grades."""

import fsrs
import pytest
from django.urls import reverse

from cards import scheduling
from cards.models import OptimizeJob, Progress, ReviewLog, SchedulerSettings
from tests.cards.schedule.test_schedule import history, logged_in, page

pytestmark = pytest.mark.django_db(transaction=True)

URL = reverse("cards:schedule")
OPTIMIZE = reverse("cards:schedule_optimize")


def dues(user) -> dict[int, object]:
    return dict(Progress.objects.filter(user=user).values_list("prompt_id", "due"))


def replayed(user, prompt_id: int) -> fsrs.Card:
    """What fsrs makes of the prompt's grades with the person's scheduler now."""
    logs = [
        fsrs.ReviewLog(prompt_id, fsrs.Rating(rating), at, None)
        for rating, at in ReviewLog.objects.filter(user=user, prompt_id=prompt_id)
        .order_by("reviewed_at", "id")
        .values_list("rating", "reviewed_at")
    ]
    by = scheduling.person_scheduler(user.pk)
    return by.reschedule_card(fsrs.Card(card_id=prompt_id), logs)


def assert_replayed(user, *, sample: int = 25) -> None:
    for progress in Progress.objects.filter(user=user).order_by("?")[:sample]:
        expected = replayed(user, progress.prompt_id)
        assert progress.due == expected.due
        assert progress.stability == pytest.approx(expected.stability)
        assert progress.difficulty == pytest.approx(expected.difficulty)
        assert progress.state == int(expected.state)


def test_optimize_then_reschedule_replays_every_card(client):
    user = history(4_000)
    response = logged_in(client, user).post(
        OPTIMIZE, {"action": "optimize", "then_reschedule": "on"}
    )
    assert response.status_code == 302
    job = OptimizeJob.objects.get(user=user)
    assert (job.status, job.fit, job.reschedule) == (OptimizeJob.Status.DONE, True, True)
    assert SchedulerSettings.objects.get(user=user).parameters  # the fit was kept
    studied = Progress.objects.filter(user=user).count()
    assert f"Rescheduled {studied:,} cards with your schedule as it is now" in job.outcome
    assert_replayed(user)
    body = page(client.get(URL))
    assert "Rescheduled" in body and "Reschedule my cards" in body


def test_optimize_alone_leaves_due_dates(client):
    user = history(4_000)
    before = dues(user)
    logged_in(client, user).post(OPTIMIZE, {"action": "optimize"})
    assert OptimizeJob.objects.get(user=user).status == OptimizeJob.Status.DONE
    assert dues(user) == before


def test_a_lower_retention_then_reschedule_moves_cards_later(client):
    user = history(1_500, cards=150)
    client = logged_in(client, user)
    before = dues(user)
    client.post(URL, {"desired_retention": "0.75", "interview_days_light": "on"})
    assert dues(user) == before  # saving the retention moves nothing
    response = client.post(OPTIMIZE, {"action": "reschedule"})
    assert response.status_code == 302
    job = OptimizeJob.objects.get(user=user)
    assert (job.fit, job.reschedule, job.status) == (False, True, OptimizeJob.Status.DONE)
    after = dues(user)
    later = sum(after[p] > before[p] for p in before)
    earlier = sum(after[p] < before[p] for p in before)
    assert later > 10 * max(earlier, 1)
    assert f"{earlier:,} now due earlier, {later:,} later" in job.outcome
    assert_replayed(user)


def test_nothing_to_reschedule_is_refused(client_in, user):
    response = client_in.post(OPTIMIZE, {"action": "reschedule"})
    assert response.status_code == 409
    assert "Nothing to reschedule yet: you have not graded any card." in page(response)
    assert not OptimizeJob.objects.exists()


def test_an_unknown_action_is_refused(client_in, user):
    response = client_in.post(OPTIMIZE, {"action": "delete-everything"})
    assert response.status_code == 400
    assert "Choose Optimize or Reschedule my cards." in page(response)
    assert not OptimizeJob.objects.exists()
