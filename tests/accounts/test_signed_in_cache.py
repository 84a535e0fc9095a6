"""The session and the signed-in person come from the cache every worker shares
(a directory of files, or Redis): a page costs no query to know who asks, and
logging out, a new password, a deactivated or deleted account end the person's
sessions on every worker at once. The test settings keep the cache in files, as
production does without Redis: nothing of it lives in a worker's memory, so a
second browser with the same cookie sees what another worker would."""

import os
import subprocess
import sys
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD
from tests.test_deploy import PRODUCTION_ENV, ROOT

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-pass-9"


def log_in(username: str = "alice") -> Client:
    browser = Client()
    response = browser.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def same_cookie(browser: Client) -> Client:
    """Another browser sending the same session cookie (another worker's view)."""
    other = Client()
    name = settings.SESSION_COOKIE_NAME
    other.cookies[name] = browser.cookies[name].value
    return other


def signed_in(browser: Client) -> bool:
    page = browser.get(reverse("home"))
    return page.status_code == 200 and "Hello, alice" in page.content.decode()


def logged_out(browser: Client) -> bool:
    page = browser.get(reverse("cards:topic_list"))
    return page.status_code == 302 and page.url.startswith(reverse("login"))


def test_a_page_reads_no_session_and_no_person_from_the_database(user):
    browser = log_in()
    assert signed_in(browser)
    with CaptureQueriesContext(connection) as queries:
        page = browser.get(reverse("accounts:settings"))
    assert page.status_code == 200 and "alice" in page.content.decode()
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "django_session" not in tables
    assert '"auth_user"' not in tables


def test_logging_out_ends_the_session_for_every_worker(user):
    browser = log_in()
    elsewhere = same_cookie(browser)
    assert signed_in(elsewhere)  # the session and the person are in the cache now
    browser.post(reverse("logout"))
    assert logged_out(elsewhere)
    key = elsewhere.cookies[settings.SESSION_COOKIE_NAME].value
    assert not import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def test_a_new_password_ends_the_persons_other_sessions(user):
    browser, other_device = log_in(), log_in()
    assert signed_in(other_device)
    response = browser.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert signed_in(browser)  # the session that changed it stays
    assert logged_out(other_device)
    assert logged_out(same_cookie(other_device))


def test_a_deactivated_person_is_logged_out_at_once(user):
    browser = log_in()
    assert signed_in(browser)
    user.is_active = False
    user.save()
    assert logged_out(browser)


def test_a_deleted_persons_cookie_no_longer_works_anywhere(user):
    browser, other_device = log_in(), log_in()
    elsewhere = same_cookie(other_device)
    assert signed_in(other_device) and signed_in(elsewhere)
    response = browser.post(reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.url == reverse("accounts:deleted")
    assert not get_user_model().objects.filter(username="alice").exists()
    assert logged_out(other_device)
    assert logged_out(elsewhere)


def test_production_shares_its_cache_and_sessions_between_workers():
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE)"
    )
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    runs = {
        "files": {**env, **PRODUCTION_ENV},
        "redis": {**env, **PRODUCTION_ENV, "REDIS_URL": "redis://127.0.0.1:6379/0"},
    }
    found = {}
    for name, run_env in runs.items():
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=run_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        found[name] = result.stdout.split()
    cached_db = "django.contrib.sessions.backends.cached_db"
    assert found["files"] == ["django.core.cache.backends.filebased.FileBasedCache", cached_db]
    assert found["redis"] == ["django.core.cache.backends.redis.RedisCache", cached_db]
