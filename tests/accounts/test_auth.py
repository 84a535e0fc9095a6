import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.models import Profile
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_up_logs_in_and_creates_settings(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "newbie",
            "password1": "a-long-unusual-pass",
            "password2": "a-long-unusual-pass",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:welcome")
    user = get_user_model().objects.get(username="newbie")
    assert Profile.objects.get(user=user).new_cards_per_day == 20
    assert client.get(reverse("accounts:welcome")).status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"username": "x", "password1": "a-long-unusual-pass", "password2": "different-pass-1"},
            "didn’t match",
        ),
        ({"username": "x", "password1": "123", "password2": "123"}, "too short"),
        (
            {
                "username": "",
                "password1": "a-long-unusual-pass",
                "password2": "a-long-unusual-pass",
            },
            "This field is required",
        ),
        (
            {
                "username": "alice",
                "password1": "a-long-unusual-pass",
                "password2": "a-long-unusual-pass",
            },
            "already exists",
        ),
    ],
)
def test_sign_up_errors_are_explained(client, user, data, message):
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert get_user_model().objects.count() == 1


def test_log_in_and_out(client, user):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/"
    assert "Hello, alice" in client.get("/").content.decode()
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("cards:topic_list")).status_code == 302


def test_wrong_password_is_explained(client, user):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


def test_change_password(client_in, user):
    response = client_in.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-pass-9",
            "new_password2": "another-long-pass-9",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-pass-9")


def test_reset_password_by_email(client, user):
    user.email = "alice@example.com"
    user.save()
    response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "reset-pass-long-77", "new_password2": "reset-pass-long-77"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("reset-pass-long-77")


def test_reset_for_an_unknown_address_looks_the_same(client, user):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


ORDER = {
    "new_card_spread": "interleaved",
    "new_card_source": "own_first",
    "new_card_order": "added",
}


def test_settings_change_the_daily_limit_and_time_zone(client_in, user):
    response = client_in.post(
        reverse("accounts:settings"),
        {"new_cards_per_day": 5, "timezone": "Europe/Berlin", **ORDER},
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert (profile.new_cards_per_day, profile.timezone) == (5, "Europe/Berlin")


def test_settings_offer_the_order_of_new_cards_each_explained(client_in, user):
    body = client_in.get(reverse("accounts:settings")).content.decode()
    for words in (
        "Interleaved across the chosen topics",
        "Topic by topic",
        "Your own cards first",
        "Mixed with the starter library",
        "In the order added",
        "Random",
        "shuffles them once a day",
    ):
        assert words in body
    response = client_in.post(
        reverse("accounts:settings"),
        {
            "new_cards_per_day": 20,
            "timezone": "UTC",
            "new_card_spread": "by_topic",
            "new_card_source": "mixed",
            "new_card_order": "random",
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert (profile.new_card_spread, profile.new_card_source, profile.new_card_order) == (
        "by_topic",
        "mixed",
        "random",
    )


def test_an_unknown_order_of_new_cards_is_refused_and_nothing_is_saved(client_in, user):
    response = client_in.post(
        reverse("accounts:settings"),
        {"new_cards_per_day": 7, "timezone": "Europe/Berlin", **ORDER, "new_card_order": "oldest"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Order of new cards is one of “In the order added” or “Random”" in body
    assert "“oldest” is none of them" in body
    profile = Profile.objects.get(user=user)
    assert (profile.new_cards_per_day, profile.new_card_order) == (20, "added")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"new_cards_per_day": 501, "timezone": "UTC", **ORDER}, "less than or equal to 500"),
        ({"new_cards_per_day": -1, "timezone": "UTC", **ORDER}, "greater than or equal to 0"),
        ({"new_cards_per_day": 10, "timezone": "Mars/Olympus", **ORDER}, "Select a valid choice"),
    ],
)
def test_bad_settings_are_explained(client_in, user, data, message):
    response = client_in.post(reverse("accounts:settings"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Profile.objects.get(user=user).new_cards_per_day == 20


@pytest.mark.parametrize(
    ("sent", "kept"), [("Asia/Kolkata", "Asia/Kolkata"), ("Nowhere/City", "UTC"), ("", "UTC")]
)
def test_sign_up_keeps_the_browsers_time_zone(client, db, sent, kept):
    client.post(
        reverse("accounts:signup"),
        {
            "username": "tz",
            "password1": "a-long-unusual-pass",
            "password2": "a-long-unusual-pass",
            "timezone": sent,
        },
    )
    assert Profile.objects.get(user__username="tz").timezone == kept
