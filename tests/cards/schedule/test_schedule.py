"""Your schedule: the retention form, and the optimizer run through django-q2
(sync in the test settings, so the task runs when the job commits) over a
generated history."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cards import scheduling
from cards.models import OptimizeJob, Progress, SchedulerSettings
from cards.schedule import optimizer, services
from cards.study import services as study
from prep_site.devtools.history import generate_history
from tests.factories import make_card, settled_now

pytestmark = pytest.mark.django_db(transaction=True)

URL = reverse("cards:schedule")
OPTIMIZE = reverse("cards:schedule_optimize")


def page(response) -> str:
    return response.content.decode()


def history(reviews: int, *, cards: int = 400, username: str = "alice"):
    generate_history(
        username=username, cards=cards, reviews=reviews, days=120, seed=7, now=settled_now()
    )
    return get_user_model().objects.get(username=username)


def logged_in(client, user):
    client.force_login(user)
    return client


# Desired retention -----------------------------------------------------------------


def test_the_page_explains_retention_and_is_linked_from_settings(client_in):
    settings_page = page(client_in.get(reverse("accounts:settings")))
    assert URL in settings_page
    body = page(client_in.get(URL))
    assert "Your schedule" in body
    assert "that you still remember a card when it comes due" in body
    assert 'value="0.9"' in body
    assert "Optimize" in body


def test_anonymous_people_are_sent_to_log_in(client):
    assert client.get(URL).status_code == 302
    assert client.post(OPTIMIZE).status_code == 302


@pytest.mark.parametrize("value", ["0.69", "0.98", "1", "-3", "nan"])
def test_retention_out_of_range_is_refused_naming_the_range(client_in, user, value):
    response = client_in.post(URL, {"desired_retention": value})
    assert response.status_code == 400
    assert "Desired retention must be between 0.70 and 0.97" in page(
        response
    ) or "Enter a number" in page(response)
    assert not SchedulerSettings.objects.filter(user=user).exists()


def test_the_model_refuses_a_retention_out_of_range(user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="between 0.70 and 0.97"):
        SchedulerSettings(user=user, desired_retention=0.5).full_clean()


def test_a_saved_retention_shapes_the_next_intervals_only(client_in, user, topic):
    card = make_card(topic=topic, front="Q", back="A")
    session = study.start_session(user=user, topics=[topic])
    prompt = card.prompts.get()
    now = timezone.now()
    study.grade_prompt(
        user=user, session=None, prompt=prompt, rating=3, expected_reps=0, duration_ms=0, now=now
    )
    later = now + timedelta(minutes=15)
    study.grade_prompt(
        user=user,
        session=None,
        prompt=prompt,
        rating=3,
        expected_reps=1,
        duration_ms=0,
        now=later,
    )
    due_before = Progress.objects.get(user=user, prompt=prompt).due

    response = client_in.post(URL, {"desired_retention": "0.80"})
    assert response.status_code == 302
    assert "Saved" in page(client_in.get(response.url))
    assert SchedulerSettings.objects.get(user=user).desired_retention == 0.80
    # The due date already set stays.
    assert Progress.objects.get(user=user, prompt=prompt).due == due_before

    # The grade buttons now show the longer intervals of a lower retention.
    shown = study.show_prompt(
        session=session, prompt=prompt, now=later, zone=ZoneInfo("UTC"), new_per_day=20
    )
    default = scheduling.interval_previews(
        scheduling.fsrs_card(shown.progress, prompt_id=prompt.pk, now=later), now=later
    )
    assert shown.previews[3] > default[3]


# The optimizer -----------------------------------------------------------------------


def test_too_few_reviews_says_how_many_more_and_writes_nothing(client, user, topic):
    for n in range(3):
        make_card(topic=topic, front=f"Q{n}", back="A")
    response = logged_in(client, user).post(OPTIMIZE)
    assert response.status_code == 409
    body = page(response)
    assert f"it needs {optimizer.MIN_REVIEWS} reviews" in body
    assert f"({optimizer.MIN_REVIEWS} more such reviews)" in body
    assert not OptimizeJob.objects.exists()
    assert not SchedulerSettings.objects.exists()


def test_optimize_fits_compares_and_shows_both_metrics(client):
    user = history(4_000)
    count = optimizer.countable_reviews(user_id=user.pk)
    assert count >= optimizer.MIN_REVIEWS
    response = logged_in(client, user).post(OPTIMIZE)
    assert response.status_code == 302

    job = OptimizeJob.objects.get(user=user)
    assert job.status == OptimizeJob.Status.DONE
    row = SchedulerSettings.objects.get(user=user)
    assert row.optimized_at is not None
    assert row.metrics["reviews"] == count == len(optimizer.histories(user_id=user.pk))
    default, fitted = row.metrics["default"], row.metrics["fitted"]
    assert default["log_loss"] > 0 and 0 < default["rmse"] < 1
    kept = fitted["log_loss"] < default["log_loss"] and fitted["rmse"] <= default["rmse"]
    assert row.metrics["kept"] == kept is True  # this seed's history: the fit is better
    assert len(row.parameters) == 21
    assert scheduling.person_scheduler(user.pk).parameters == tuple(row.parameters)

    body = page(client.get(URL))
    assert f"{default['log_loss']:.4f}" in body and f"{fitted['rmse']:.4f}" in body
    assert escape(job.outcome) in body
    assert "the parameters fitted to your reviews" in body


def test_a_second_optimize_while_one_runs_is_refused(client):
    user = history(1_500, cards=150)
    OptimizeJob.objects.create(user=user, status=OptimizeJob.Status.RUNNING, total=3)
    response = logged_in(client, user).post(OPTIMIZE)
    assert response.status_code == 409
    assert "Your schedule is already being optimized" in page(response)
    assert OptimizeJob.objects.filter(user=user).count() == 1
    # The page under way polls and shows how far it has got, as a fragment too.
    fragment = client.get(URL, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in page(fragment) and "<html" not in page(fragment)


def test_an_optimize_under_way_does_not_hold_up_an_import(client):
    user = history(1_500, cards=150)
    OptimizeJob.objects.create(user=user, status=OptimizeJob.Status.RUNNING, total=3)
    from django.db import transaction

    from prep_site.jobs import has_job_under_way

    with transaction.atomic():  # it locks the person's row, as a job's start does
        assert not has_job_under_way(user)


def test_fitted_parameters_that_are_no_better_are_not_kept(user):
    """The defaults measured on reviews graded by the defaults' own model cannot
    be beaten by much; whatever the fit, the rule is the same as the page's."""
    fit = optimizer.Fit(
        parameters=[0.5] * 21,
        default={"log_loss": 0.30, "rmse": 0.02},
        fitted={"log_loss": 0.31, "rmse": 0.01},
        reviews=100,
    )
    assert not fit.better


def test_a_failed_task_settles_the_job_and_changes_nothing(client):
    user = history(1_500, cards=150)
    job = OptimizeJob.objects.create(user=user, total=3)
    services.settle_failed(job_id=job.pk, reason="it took too long")
    job.refresh_from_db()
    assert job.status == OptimizeJob.Status.FAILED
    assert "Your schedule was left as it was" in page(logged_in(client, user).get(URL))
    assert not SchedulerSettings.objects.filter(user=user).exists()
