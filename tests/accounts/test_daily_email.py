"""The daily e-mail: the hourly task run directly against the database and the
locmem outbox, the one-click unsubscribe link, and the opt-in on the settings page."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from accounts.daily_email import send_due, unsubscribe_token
from accounts.models import Profile
from tests.factories import grade_card, make_card, make_interview, make_topic, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    """10:05 UTC today: 19:05 in Tokyo."""
    return timezone.now().replace(hour=10, minute=5, second=0, microsecond=0)


def opted_in(username="dana", *, email="dana@example.com", **profile):
    profile = {"daily_email": True, "daily_email_hour": 10, "timezone": "UTC", **profile}
    user = make_user(username, **profile)
    get_user_model().objects.filter(pk=user.pk).update(email=email)
    return get_user_model().objects.get(pk=user.pk)


def test_a_person_at_their_hour_gets_one_email_with_counts_and_interview(now):
    user = opted_in(new_cards_per_day=2)
    topic = make_topic(owner=user, name="Queues")
    cards = [make_card(topic, user) for _ in range(4)]
    grade_card(user, cards[0], 1, now - timedelta(days=1))  # forgotten: due again today
    interview = make_interview(user, company="Acme", role="SRE", timezone="UTC")
    interview.topics.set([topic])

    assert send_due(now=now) == 1

    [message] = mail.outbox
    assert message.to == ["dana@example.com"]
    assert message.subject == "Today: 1 due, 2 new"
    assert "Today 1 card is due and 2 new cards wait." in message.body
    assert "Your next interview: Acme, SRE, on " in message.body
    assert "Predicted recall then: 0 of 4 prompts (0%) above your desired retention" in (
        message.body
    )
    assert Profile.objects.get(user=user).daily_email_sent_on == now.date()


def test_a_second_run_the_same_day_sends_nothing(now):
    opted_in()
    assert send_due(now=now) == 1
    assert send_due(now=now) == 0
    assert send_due(now=now + timedelta(hours=5)) == 0
    assert len(mail.outbox) == 1
    # The next day at the hour, the next e-mail.
    assert send_due(now=now + timedelta(days=1)) == 1
    assert len(mail.outbox) == 2


def test_without_an_interview_the_email_says_so(now):
    opted_in()
    send_due(now=now)
    assert "No interview is planned." in mail.outbox[0].body


def test_people_not_opted_in_or_without_an_address_get_nothing(now):
    opted_in("nina", daily_email=False)
    opted_in("noel", email="")
    assert send_due(now=now) == 0
    assert mail.outbox == []


def test_the_hour_is_the_persons_own(now):
    opted_in("early", daily_email_hour=11)  # 10:05 UTC: not yet
    opted_in("tokyo", email="tokyo@example.com", timezone="Asia/Tokyo", daily_email_hour=19)
    assert send_due(now=now) == 1
    assert [m.to for m in mail.outbox] == [["tokyo@example.com"]]
    assert Profile.objects.get(user__username="early").daily_email_sent_on is None


def test_people_are_read_in_batches(now, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr("accounts.daily_email.BATCH", 2)
    for i in range(5):
        opted_in(f"p{i}", email=f"p{i}@example.com")
    # Per person: the claim and the digest's queries; per batch one read.
    with django_assert_max_num_queries(4 + 5 * 10):
        assert send_due(now=now) == 5
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{i}@example.com" for i in range(5)]


def unsubscribe_url_in(message) -> str:
    return re.search(r"http://\S+/accounts/unsubscribe/\S+/", message.body).group(0)


def test_the_email_link_unsubscribes_without_logging_in(client, now):
    user = opted_in()
    send_due(now=now)
    [message] = mail.outbox
    url = unsubscribe_url_in(message)
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = url.removeprefix("http://localhost:8000")

    page = client.get(path)
    assert page.status_code == 200
    assert "Stop the daily e-mail?" in page.content.decode()
    assert Profile.objects.get(user=user).daily_email  # a GET changes nothing

    done = client.post(path)
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    assert not Profile.objects.get(user=user).daily_email


def test_a_one_click_post_needs_no_csrf_token(now):
    from django.test import Client

    user = opted_in()
    client = Client(enforce_csrf_checks=True)
    token = unsubscribe_token(user.pk)
    response = client.post(f"/accounts/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Profile.objects.get(user=user).daily_email


def test_a_tampered_token_is_a_400(client, now):
    user = opted_in()
    token = unsubscribe_token(user.pk)
    for bad in (token[:-2] + "xx", "nonsense", unsubscribe_token(user.pk).replace(":", "-")):
        for send in (client.get, client.post):
            response = send(f"/accounts/unsubscribe/{bad}/")
            assert response.status_code == 400
            assert "This unsubscribe link is not valid" in response.content.decode()
    assert Profile.objects.get(user=user).daily_email


SETTINGS = {"new_cards_per_day": "20", "timezone": "UTC", "daily_email": "on"}


def test_the_settings_refuse_the_daily_email_without_an_address(client_in, user):
    page = client_in.get("/accounts/settings/")
    assert "Your account has no e-mail address" in page.content.decode()
    response = client_in.post("/accounts/settings/", {**SETTINGS, "daily_email_hour": "7"})
    assert response.status_code == 200
    assert "needs an e-mail address on your account" in response.content.decode()
    profile = Profile.objects.get(user=user)
    assert (profile.daily_email, profile.daily_email_hour) == (False, 8)


def test_the_settings_turn_the_daily_email_on(client_in, user):
    get_user_model().objects.filter(pk=user.pk).update(email="alice@example.com")
    response = client_in.post("/accounts/settings/", {**SETTINGS, "daily_email_hour": "7"})
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert (profile.daily_email, profile.daily_email_hour) == (True, 7)


def test_the_settings_name_the_hours_limit(client_in, user):
    response = client_in.post("/accounts/settings/", {**SETTINGS, "daily_email_hour": "24"})
    assert "a whole hour from 0 to 23" in response.content.decode()
