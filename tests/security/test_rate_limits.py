"""Logging in, signing up and password resets are limited per client address and
per account, and the page that says so names the limit and the wait.

The counters are the real ones (django-ratelimit in the cache); each test starts
with an empty cache (tests/conftest.py)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts import throttle
from tests.factories import PASSWORD
from tests.security.test_authentication import without_tokens

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"


def post(client, name: str, data: dict, address: str = "203.0.113.7"):
    return client.post(reverse(name), data, REMOTE_ADDR=address)


def says_limited(response, words: str) -> None:
    assert response.status_code == 429
    page = response.content.decode()
    assert 'data-testid="rate-limited"' in page
    assert words in page
    minutes = int(re.search(r"Please wait (\d+) minute", page).group(1))
    assert 1 <= minutes <= 60
    assert 1 <= int(response["Retry-After"]) <= 3600


def test_one_address_trying_many_usernames_is_stopped_at_30(client):
    # Axes locks a username at an address after five wrong passwords; spread
    # over many usernames, that alone never stops anyone.
    answers = [
        post(client, "login", {"username": f"guess{n % 40}", "password": WRONG}).status_code
        for n in range(30)
    ]
    assert answers == [200] * 30  # the form, saying the password was wrong
    response = post(client, "login", {"username": "guess-new", "password": WRONG})
    says_limited(response, "30 log-in attempts in 10 minutes from one address")


def test_the_address_limit_leaves_other_addresses_alone(client, user):
    for n in range(31):
        post(client, "login", {"username": f"guess{n}", "password": WRONG})
    response = post(
        client, "login", {"username": user.username, "password": PASSWORD}, "198.51.100.1"
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_one_account_tried_from_many_addresses_is_stopped_at_30(client, user):
    for n in range(30):
        # Four tries per address stays under axes's lock of five.
        address = f"192.0.2.{n // 4 + 1}"
        assert (
            post(
                client, "login", {"username": user.username, "password": WRONG}, address
            ).status_code
            == 200
        )
    # Even the right password, from a new address: the account is paused.
    response = post(
        client,
        "login",
        {"username": user.username.upper() + " ", "password": PASSWORD},
        "192.0.2.200",
    )
    says_limited(response, "30 log-in attempts in an hour for one account")
    assert "_auth_user_id" not in client.session


def test_the_admin_login_counts_against_the_same_limit(client):
    for n in range(30):
        post(client, "admin:login", {"username": f"admin{n}", "password": WRONG})
    response = post(client, "admin:login", {"username": "admin", "password": WRONG})
    says_limited(response, "from one address")


def test_thirty_reset_requests_to_one_address_send_three_emails(client, user):
    user.email = "alice@example.com"
    user.save()
    answers = []
    for n in range(30):
        # From thirty addresses: the limit on the e-mail address is what holds.
        answers.append(
            post(client, "password_reset", {"email": "Alice@example.com"}, f"192.0.2.{n + 1}")
        )
    assert [a.status_code for a in answers[:3]] == [302] * 3
    assert len(mail.outbox) == 3
    says_limited(answers[3], "3 password-reset e-mails in an hour to one address")
    assert {a.status_code for a in answers[3:]} == {429}


def test_reset_requests_from_one_address_are_limited_whatever_the_email(client):
    for n in range(10):
        assert (
            post(client, "password_reset", {"email": f"someone{n}@example.com"}).status_code == 302
        )
    response = post(client, "password_reset", {"email": "another@example.com"})
    says_limited(response, "10 password-reset requests in an hour from one address")


def test_the_limit_on_a_reset_looks_the_same_for_an_unknown_address(client, user):
    user.email = "alice@example.com"
    user.save()
    for _ in range(3):
        post(client, "password_reset", {"email": "alice@example.com"}, "192.0.2.1")
        post(client, "password_reset", {"email": "nobody@example.com"}, "192.0.2.2")
    known = post(client, "password_reset", {"email": "alice@example.com"}, "192.0.2.3")
    unknown = post(client, "password_reset", {"email": "nobody@example.com"}, "192.0.2.4")
    assert known.status_code == unknown.status_code == 429
    # The same page, but for the minutes left (each counter has its own window,
    # so one may say "1 minute" where the other, a moment older, says "2 minutes").
    assert same_but_numbers(without_tokens(known)) == same_but_numbers(without_tokens(unknown))


def same_but_numbers(page: str) -> str:
    return re.sub(r"\d+", "N", re.sub(r"\b1 minute\b", "1 minutes", page))


def test_sign_ups_from_one_address_are_limited_to_10_an_hour(client):
    users = get_user_model().objects
    for n in range(10):
        client.logout()
        response = post(
            client,
            "accounts:signup",
            {"username": f"newcomer{n}", "password1": "correct horse 42", "password2": "other"},
        )
        assert response.status_code == 200  # the form: the passwords differ
    response = post(
        client,
        "accounts:signup",
        {"username": "newcomer", "password1": "correct horse 42", "password2": "correct horse 42"},
    )
    says_limited(response, "10 sign-up attempts in an hour from one address")
    assert not users.filter(username="newcomer").exists()


def test_sign_ups_with_one_email_are_limited_to_5_an_hour(client):
    for n in range(5):
        post(
            client,
            "accounts:signup",
            {"username": f"x{n}", "email": "same@example.com", "password1": "a", "password2": "a"},
            f"192.0.2.{n + 1}",
        )
    response = post(
        client,
        "accounts:signup",
        {
            "username": "latecomer",
            "email": "SAME@example.com",
            "password1": "correct horse 42",
            "password2": "correct horse 42",
        },
        "192.0.2.99",
    )
    says_limited(response, "5 sign-up attempts in an hour with one e-mail address")
    assert not get_user_model().objects.filter(username="latecomer").exists()


def test_looking_at_the_forms_is_never_limited(client):
    for _ in range(40):
        assert client.get(reverse("login"), REMOTE_ADDR="203.0.113.7").status_code == 200
    assert post(client, "login", {"username": "a", "password": WRONG}).status_code == 200


def test_a_forged_post_counts_against_nobody(client, user):
    """The CSRF check runs first: a cross-site form cannot lock a person out."""
    forged = type(client)(enforce_csrf_checks=True)
    for _ in range(35):
        response = forged.post(
            reverse("login"),
            {"username": user.username, "password": WRONG},
            REMOTE_ADDR="192.0.2.9",
        )
        assert response.status_code == 403
    response = post(client, "login", {"username": user.username, "password": PASSWORD}, "192.0.2.9")
    assert response.status_code == 302


def test_every_guarded_url_name_exists():
    for name in throttle.LIMITS_BY_URL_NAME:
        reverse(name)
