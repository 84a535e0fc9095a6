"""The first run: after sign-up, one screen asks what the person prepares for
and when their next interview is, then starts their first session."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from cards.models import StudySession
from interviews.models import Interview
from tests.factories import make_card, make_topic, make_user
from tests.markup import choices, unstyled_choices

pytestmark = pytest.mark.django_db

WELCOME = reverse("accounts:welcome")


@pytest.fixture
def library(db):
    """A few of the starter library's topics, each with a card."""
    topics = {}
    for slug, name in [
        ("system-design", "System design"),
        ("databases", "Databases"),
        ("machine-learning", "Machine learning"),
        ("python", "Python"),
        ("behavioral", "Behavioral"),
    ]:
        topics[slug] = make_topic(name=name, slug=slug)
        make_card(topics[slug], front=f"A {name} question")
    return topics


@pytest.fixture
def tokyo_user(db):
    return make_user("kenji", timezone="Asia/Tokyo")


def welcome_client(client, person):
    client.force_login(person)
    return client


def today_in(zone: str):
    return timezone.now().astimezone(ZoneInfo(zone)).date()


def test_sign_up_leads_to_the_first_run(client, library):
    response = client.post(
        reverse("accounts:signup"),
        {"username": "newbie", "password1": "s3cret-Horse-9", "password2": "s3cret-Horse-9"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == WELCOME
    body = response.content.decode()
    assert "Welcome, newbie!" in body
    assert "What are you preparing for?" in body
    assert "Skip for now" in body
    assert len(choices(body)) == 3 and not unstyled_choices(body)
    assert not StudySession.objects.filter(user__username="newbie").exists()


def test_choosing_a_track_and_a_date_starts_studying_and_plans_the_interview(
    client, library, tokyo_user
):
    client = welcome_client(client, tokyo_user)
    day = today_in("Asia/Tokyo") + timedelta(days=10)
    response = client.post(
        WELCOME, {"track": "backend", "interview_date": day.isoformat(), "company": "Acme"}
    )
    session = StudySession.objects.get(user=tokyo_user)
    assert response.status_code == 302 and response.url == session.get_absolute_url()
    backend = {library["system-design"], library["databases"], library["behavioral"]}
    assert set(session.topics.all()) == backend
    interview = Interview.objects.get(user=tokyo_user)
    assert interview.company == "Acme"
    assert interview.role == "Backend engineer"
    assert interview.timezone == "Asia/Tokyo"
    local = interview.scheduled_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert (local.date(), local.hour, local.minute) == (day, 9, 0)
    assert set(interview.topics.all()) == backend

    # The first card is on the session's page.
    page = client.get(response.url).content.decode()
    assert 'data-testid="question"' in page

    # The study page preselects the same topics next time.
    start = client.get(reverse("cards:study_start")).content.decode()
    checked = set(map(int, re.findall(r'name="topics" value="(\d+)"[^>]*checked', start)))
    assert checked == {topic.pk for topic in backend}

    # The first run is done: its page sends the person on to choose topics.
    again = client.get(WELCOME, follow=True)
    assert again.redirect_chain[-1][0] == reverse("cards:study_start")
    assert "You have started studying already" in again.content.decode()


def test_without_a_date_no_interview_is_made(client, library, user):
    client = welcome_client(client, user)
    response = client.post(WELCOME, {"track": "data", "interview_date": "", "company": ""})
    session = StudySession.objects.get(user=user)
    assert response.url == session.get_absolute_url()
    assert set(session.topics.all()) == {
        library["machine-learning"],
        library["python"],
        library["behavioral"],
    }
    assert not Interview.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({}, "track", "Choose what you are preparing for"),
        ({"track": "astronaut"}, "track", "Choose backend, data and ML, or general."),
        ({"track": "general", "interview_date": "next week"}, "interview_date", "Enter a date"),
        ({"track": "general", "interview_date": "2026-02-30"}, "interview_date", "Enter a date"),
        (
            {"track": "general", "interview_date": "2001-05-04"},
            "interview_date",
            "Fri 4 May 2001 has passed",
        ),
        ({"track": "general", "interview_date": "9999-12-31"}, "interview_date", "two years"),
        ({"track": "general", "company": "Acme"}, "interview_date", "Give the date"),
    ],
)
def test_bad_input_is_named_and_writes_nothing(client, library, user, data, field, message):
    client = welcome_client(client, user)
    response = client.post(WELCOME, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert not StudySession.objects.filter(user=user).exists()
    assert not Interview.objects.filter(user=user).exists()


def test_yesterday_in_the_persons_zone_has_passed(client, library, tokyo_user):
    client = welcome_client(client, tokyo_user)
    yesterday = today_in("Asia/Tokyo") - timedelta(days=1)
    response = client.post(WELCOME, {"track": "general", "interview_date": yesterday})
    assert response.status_code == 400
    assert "has passed" in response.content.decode()
    today = today_in("Asia/Tokyo")
    response = client.post(WELCOME, {"track": "general", "interview_date": today})
    assert response.status_code == 302
    assert (
        Interview.objects.get(user=tokyo_user)
        .scheduled_at.astimezone(ZoneInfo("Asia/Tokyo"))
        .date()
        == today
    )


def test_a_double_submit_starts_one_session_and_one_interview(client, library, user):
    client = welcome_client(client, user)
    data = {"track": "backend", "interview_date": (today_in("UTC") + timedelta(days=3))}
    first = client.post(WELCOME, data)
    second = client.post(WELCOME, data, follow=True)
    session = StudySession.objects.get(user=user)
    assert first.url == session.get_absolute_url()
    assert second.redirect_chain[0][0] == session.get_absolute_url()
    assert "Your first session had started already" in second.content.decode()
    assert Interview.objects.filter(user=user).count() == 1


def test_with_no_topic_at_all_it_says_so(client, user):
    client = welcome_client(client, user)
    response = client.post(WELCOME, {"track": "general"})
    assert response.status_code == 400
    assert "There are no topics to study yet" in response.content.decode()
    assert not StudySession.objects.filter(user=user).exists()


def test_without_the_starter_library_every_topic_is_studied(client, user):
    mine = make_topic(owner=user, name="Mine")
    make_card(mine, user, front="My own")
    client = welcome_client(client, user)
    response = client.post(WELCOME, {"track": "general"})
    session = StudySession.objects.get(user=user)
    assert response.url == session.get_absolute_url()
    assert list(session.topics.all()) == [mine]


def test_home_guides_a_new_person_until_they_study(client, library, user):
    client = welcome_client(client, user)
    body = client.get(reverse("home")).content.decode()
    assert "Your first steps" in body
    assert 'data-testid="due-now"' not in body
    for link in (WELCOME, reverse("interviews:create"), reverse("cards:import")):
        assert f'href="{link}"' in body
    assert "No interview planned yet" not in body

    # Graded one card: the figures instead.
    session_url = client.post(WELCOME, {"track": "general"}).url
    page = client.get(session_url)
    prompt = re.search(r'name="prompt" value="(\d+)"', page.content.decode()).group(1)
    client.post(session_url + "grade/", {"prompt": prompt, "rating": 3, "reps": 0})
    body = client.get(reverse("home")).content.decode()
    assert "Your first steps" not in body
    assert 'data-testid="due-now"' in body


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(WELCOME)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert get_user_model().objects.count() == 0
