"""Load balancing and light days: a review card's next due date goes to the
least busy day of FSRS's fuzz range, light weekdays count as busier, and the
grade buttons show the interval the grade then gives."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cards import scheduling
from cards.models import Progress, SchedulerSettings, State
from cards.study import services
from tests.factories import make_card, make_interview

pytestmark = pytest.mark.django_db


def review_card(user, topic, *, stability: float, now, front="The card to grade"):
    """A review-state card due a minute ago, last reviewed ``stability`` days ago."""
    card = make_card(topic, user, front=front)
    due = now - timedelta(minutes=1)
    return in_review(user, card, stability=stability, due=due, since=round(stability)).prompt


def in_review(user, card, *, stability: float, due, since: int) -> Progress:
    return Progress.objects.create(
        user=user,
        prompt=card.prompts.get(),
        card=card,
        state=State.REVIEW,
        stability=stability,
        difficulty=5.0,
        due=due,
        last_review=due - timedelta(days=since),
        reps=3,
    )


def plain_interval(prompt, *, user, now) -> int:
    """The days FSRS gives for Good, before balancing."""
    progress = Progress.objects.get(user=user, prompt=prompt)
    card = scheduling.fsrs_card(progress, prompt_id=prompt.pk, now=now)
    by = scheduling.person_scheduler(user.pk)
    return (scheduling.review(card, 3, now=now, by=by).due - now).days


def fill(user, topic, *, now, days: dict[int, int]):
    """``days``: day offset from now → how many other cards fall due then."""
    for offset, count in days.items():
        for _ in range(count):
            due = now + timedelta(days=offset)
            in_review(user, make_card(topic, user), stability=30.0, due=due, since=30)


def good_button(client, session) -> str:
    body = client.get(session.get_absolute_url()).content.decode()
    found = re.search(r"Good</span>\s*<span class=\"d-block small\">(\S+) ·", body)
    assert found, body
    return found.group(1)


def grade_good(client, session, prompt, **headers):
    return client.post(
        reverse("cards:study_grade", args=[session.pk]),
        {"prompt": prompt.pk, "rating": 3, "reps": 3, "shown_at": ""},
        **headers,
    )


def test_a_grade_lands_on_the_empty_day_the_button_showed(client_in, user, topic):
    now = timezone.now()
    prompt = review_card(user, topic, stability=4.0, now=now)
    interval = plain_interval(prompt, user=user, now=now)
    assert interval >= 5
    # Busy every day around the interval, busiest on it; only the day before is free.
    fill(user, topic, now=now, days={d: 2 for d in range(2, interval + 8) if d != interval - 1})
    fill(user, topic, now=now, days={interval: 20})
    session = services.start_session(user=user, topics=[topic])

    shown = good_button(client_in, session)
    assert grade_good(client_in, session, prompt).status_code == 302

    progress = Progress.objects.get(user=user, prompt=prompt)
    days = (progress.due - now).days
    assert days == interval - 1
    assert shown == f"{interval - 1}d"


def test_the_next_card_counts_the_card_just_graded(client_in, user, topic, htmx_headers):
    now = timezone.now()
    first = review_card(user, topic, stability=4.0, now=now, front="First")
    second = review_card(user, topic, stability=4.0, now=now, front="Second")
    interval = plain_interval(first, user=user, now=now)
    fill(user, topic, now=now, days=dict.fromkeys(range(2, interval + 8), 1))
    session = services.start_session(user=user, topics=[topic])
    assert good_button(client_in, session) == f"{interval}d"

    # The grade's answer shows the second card, whose interval day the first
    # card has just made the busier one.
    response = grade_good(client_in, session, first, **htmx_headers)
    body = response.content.decode()
    assert "Second" in body
    found = re.search(r"Good</span>\s*<span class=\"d-block small\">(\S+) ·", body)
    assert found and found.group(1) == f"{interval - 1}d", body
    assert (Progress.objects.get(user=user, prompt=first).due - now).days == interval
    grade_good(client_in, session, second)
    assert (Progress.objects.get(user=user, prompt=second).due - now).days == interval - 1


def test_with_nothing_due_the_interval_stays_as_fsrs_gives_it(client_in, user, topic):
    now = timezone.now()
    prompt = review_card(user, topic, stability=4.0, now=now)
    interval = plain_interval(prompt, user=user, now=now)
    session = services.start_session(user=user, topics=[topic])
    assert good_button(client_in, session) == f"{interval}d"
    grade_good(client_in, session, prompt)
    assert (Progress.objects.get(user=user, prompt=prompt).due - now).days == interval


def test_a_light_weekday_is_avoided(client_in, user, topic):
    now = timezone.now()
    prompt = review_card(user, topic, stability=4.0, now=now)
    interval = plain_interval(prompt, user=user, now=now)
    light = timezone.localtime(now + timedelta(days=interval)).weekday()
    response = client_in.post(
        reverse("cards:schedule"), {"desired_retention": "0.90", "light_weekdays": [light]}
    )
    assert response.status_code == 302
    assert SchedulerSettings.objects.get(user=user).light_weekdays == [light]
    page = client_in.get(reverse("cards:schedule")).content.decode()
    assert "Light days" in page and "checked" in page
    session = services.start_session(user=user, topics=[topic])

    shown = good_button(client_in, session)
    grade_good(client_in, session, prompt)

    due = Progress.objects.get(user=user, prompt=prompt).due
    assert timezone.localtime(due).weekday() != light
    assert abs((due - now).days - interval) == 1
    assert shown == f"{(due - now).days}d"


def test_short_intervals_are_not_moved(client_in, user, topic):
    now = timezone.now()
    prompt = review_card(user, topic, stability=0.5, now=now)
    interval = plain_interval(prompt, user=user, now=now)
    assert interval < 3
    fill(user, topic, now=now, days={interval: 20})
    session = services.start_session(user=user, topics=[topic])
    assert good_button(client_in, session) == f"{interval}d"
    grade_good(client_in, session, prompt)
    assert (Progress.objects.get(user=user, prompt=prompt).due - now).days == interval


def test_a_weekday_out_of_range_is_refused_and_nothing_saved(client_in, user):
    response = client_in.post(
        reverse("cards:schedule"), {"desired_retention": "0.90", "light_weekdays": ["7"]}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not SchedulerSettings.objects.filter(user=user).exists()


def grade_around(client, user, topic, *, now):
    """Grade a review card Good: the days from now it fell due."""
    prompt = review_card(user, topic, stability=4.0, now=now)
    session = services.start_session(user=user, topics=[topic])
    shown = good_button(client, session)
    grade_good(client, session, prompt)
    days = (Progress.objects.get(user=user, prompt=prompt).due - now).days
    assert shown == f"{days}d"  # the button said so
    return days


def test_a_light_date_is_avoided(client_in, user, topic):
    now = timezone.now()
    interval = plain_interval(review_card(user, topic, stability=4.0, now=now), user=user, now=now)
    Progress.objects.all().delete()
    light = timezone.localtime(now + timedelta(days=interval)).date()
    response = client_in.post(
        reverse("cards:schedule"),
        {"desired_retention": "0.90", "light_dates": f"{light}, {light}  2001-01-01"},
    )
    assert response.status_code == 302
    # Each once; the past one dropped, as the form says.
    assert SchedulerSettings.objects.get(user=user).light_dates == [light.isoformat()]
    assert light.isoformat() in client_in.get(reverse("cards:schedule")).content.decode()

    days = grade_around(client_in, user, topic, now=now)
    assert abs(days - interval) == 1


def test_an_interview_day_is_light_unless_turned_off(client_in, user, topic):
    now = timezone.now()
    interval = plain_interval(review_card(user, topic, stability=4.0, now=now), user=user, now=now)
    Progress.objects.all().delete()
    make_interview(user, scheduled_at=now + timedelta(days=interval))
    assert SchedulerSettings(user=user).interview_days_light  # the default
    assert abs(grade_around(client_in, user, topic, now=now) - interval) == 1

    Progress.objects.all().delete()
    client_in.post(reverse("cards:schedule"), {"desired_retention": "0.90"})  # box unticked
    assert not SchedulerSettings.objects.get(user=user).interview_days_light
    assert grade_around(client_in, user, topic, now=now) == interval


@pytest.mark.parametrize(
    "dates, message",
    [
        ("2026-13-01", "“2026-13-01” is not a date: write dates as 2026-12-24."),
        ("next friday", "“next” is not a date"),
        ("2300-01-01", "2300-01-01 is out of range: dates go from 2000 to 2199."),
        (
            " ".join(f"2190-01-{d:02d}" for d in range(1, 31))
            + " "
            + " ".join(f"2190-03-{d:02d}" for d in range(1, 32)),
            "At most 60 light dates; you gave 61.",
        ),
    ],
)
def test_bad_light_dates_are_refused_and_nothing_saved(client_in, user, dates, message):
    response = client_in.post(
        reverse("cards:schedule"), {"desired_retention": "0.80", "light_dates": dates}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SchedulerSettings.objects.filter(user=user).exists()
