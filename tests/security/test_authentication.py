"""Logging in: guessing is throttled (django-axes), the session is new at login, the
cookies are out of scripts' reach, weak passwords are refused, and neither the login
nor the password reset tells whether an account exists."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from importlib import import_module

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, make_user
from tests.test_deploy import PRODUCTION_ENV, ROOT

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"


def log_in(client: Client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, username: str, times: int, address: str = "127.0.0.1"):
    return [log_in(client, username, WRONG, address).status_code for _ in range(times)]


# Throttling ----------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_for_15_minutes(client, user):
    assert fail(client, user.username, 4) == [200] * 4  # the form, saying why
    response = log_in(client, user.username, WRONG)
    assert response.status_code == 429
    response = log_in(client, user.username, PASSWORD)  # even the right one, now
    assert response.status_code == 429
    assert not logged_in(client)
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert "wait 15 minutes" in page
    assert 'data-testid="locked-out"' in page
    assert PASSWORD not in page


def test_the_lock_is_for_that_username_from_that_address(client, user):
    other = make_user("bob")
    fail(client, user.username, 5)
    # Someone else on the same network still logs in...
    assert log_in(Client(), other.username, PASSWORD).status_code == 302
    # ...and so does the same person from elsewhere.
    away = Client()
    assert log_in(away, user.username, PASSWORD, address="203.0.113.7").status_code == 302
    assert logged_in(away)


def test_the_lock_lifts_after_15_minutes(client, user):
    fail(client, user.username, 5)
    assert log_in(client, user.username, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    assert log_in(client, user.username, PASSWORD).status_code == 302
    assert logged_in(client)


def test_a_successful_login_starts_the_count_again(client, user):
    fail(client, user.username, 4)
    assert log_in(client, user.username, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    assert fail(client, user.username, 4) == [200] * 4
    assert log_in(client, user.username, PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, user):
    user.is_staff = True
    user.save()
    fail(client, user.username, 5)
    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert not logged_in(client)


def test_a_lock_on_a_name_nobody_has_looks_the_same(client, user):
    """Locked out as someone who exists or as no one: the same page."""
    fail(client, user.username, 5)
    fail(client, "nobody-by-that-name", 5)
    real = log_in(client, user.username, PASSWORD)
    made_up = log_in(client, "nobody-by-that-name", PASSWORD)
    assert real.status_code == made_up.status_code == 429
    assert without_tokens(real, user.username) == without_tokens(made_up, "nobody-by-that-name")


def test_the_settings_are_what_the_product_promises():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


# Sessions and cookies ------------------------------------------------------------------


def test_the_session_key_changes_at_login(client, user):
    session = client.session  # a session before login, as a visitor who browsed has
    session["seen"] = True
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = log_in(client, user.username, PASSWORD)
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert response.status_code == 302
    assert after != before
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert not store().exists(before)  # the old key is no use to anyone


def test_the_session_cookie_is_out_of_reach_of_scripts(client, user):
    response = log_in(client, user.username, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def production_cookie_settings() -> dict:
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    secure, csrf_secure, httponly = (value == "True" for value in result.stdout.split())
    return {
        "SESSION_COOKIE_SECURE": secure,
        "CSRF_COOKIE_SECURE": csrf_secure,
        "SESSION_COOKIE_HTTPONLY": httponly,
    }


def test_production_cookies_are_secure_and_http_only(client, user, settings):
    for name, value in production_cookie_settings().items():
        setattr(settings, name, value)
    client.get(reverse("login"))
    response = log_in(client, user.username, PASSWORD)
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] is True
    assert session_cookie["httponly"] is True
    assert client.cookies[settings.CSRF_COOKIE_NAME]["secure"] is True


# Passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["password", "12345678", "alice2024", "short"])
def test_weak_passwords_are_refused(weak, user):
    with pytest.raises(ValidationError):
        validate_password(weak, user=user)


def test_sign_up_refuses_a_common_password(client):
    response = client.post(
        reverse("accounts:signup"),
        {"username": "newbie", "password1": "password", "password2": "password"},
    )
    assert response.status_code == 200
    assert "This password is too common" in response.content.decode()
    assert not logged_in(client)


def test_password_change_refuses_an_all_digit_password(client_in, user):
    response = client_in.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# Not telling who has an account --------------------------------------------------------


def without_tokens(response, *names: str) -> str:
    """The page without what differs on every render (the CSRF token) or says back
    what was typed."""
    page = response.content.decode()
    page = re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1…", page)
    for name in names:
        page = page.replace(name, "NAME")
    return page


def test_password_reset_looks_the_same_for_an_unknown_address(client, user):
    user.email = "alice@example.com"
    user.save()
    known = client.post(reverse("password_reset"), {"email": "alice@example.com"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert without_tokens(known) == without_tokens(unknown)
    assert len(mail.outbox) == 1  # only the real account gets an e-mail


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(client, user):
    wrong_password = log_in(client, user.username, WRONG)
    unknown_name = log_in(client, "nobody-by-that-name", WRONG)
    assert wrong_password.status_code == unknown_name.status_code == 200
    assert without_tokens(wrong_password, user.username) == without_tokens(
        unknown_name, "nobody-by-that-name"
    )
