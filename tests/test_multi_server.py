"""More than one machine: two gunicorn app servers on one database and one
Redis keep no state of their own. A person logs in on one, studies on the
other, grades on both, and every review is recorded exactly once."""

import http.cookies
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from cards.models import ReviewLog
from cards.study import services
from tests.factories import PASSWORD, make_card, make_topic, make_user
from tests.load.servers import free_port, redis_server, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:"
        f"{settings['PORT']}/{settings['NAME']}"
    )


@pytest.fixture
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture
def app_servers(redis_url, collected_static, tmp_path):
    env = {
        **os.environ,
        # Production settings, with the static files this test process collected.
        "DJANGO_SETTINGS_MODULE": "tests.load.settings",
        "PREP_TEST_STATIC_ROOT": str(collected_static),
        "SECRET_KEY": "two-servers-" + "s3cr3t" * 8,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
    }
    processes, urls = [], []
    try:
        for _ in range(2):
            port = free_port()
            process = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("gunicorn")),
                    "prep_site.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--timeout",
                    "60",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=open(tmp_path / f"gunicorn-{port}.log", "w"),  # noqa: SIM115
            )
            processes.append(process)
            wait_for_port(port, process)
            urls.append(f"http://127.0.0.1:{port}")
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


class Browser:
    """Just enough of a browser: cookies, the CSRF token, forms."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, url: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if data is not None:
            request.add_header("X-CSRFToken", self.cookies.get("csrftoken", ""))
        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, response.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_log_in_on_one_server_study_and_grade_on_both(app_servers):
    first, second = app_servers
    user = make_user("roamer")
    # The servers run production settings, whose hashers do not include the
    # test settings' fast one.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "roamersalt1234")
    user.save(update_fields=["password"])
    topic = make_topic(owner=user, name="Failover")
    cards = [make_card(topic, user, front=f"Replica question {n}") for n in range(4)]
    session = services.start_session(user=user, topics=[topic])

    browser = Browser()
    status, _ = browser.request(f"{first}/accounts/login/")
    assert status == 200 and "csrftoken" in browser.cookies
    status, _ = browser.request(
        f"{first}/accounts/login/", {"username": "roamer", "password": PASSWORD}
    )
    assert status == 302 and "sessionid" in browser.cookies

    graded = []
    for index, server in enumerate([second, first, second, first]):
        status, page = browser.request(f"{server}/study/{session.pk}/")
        assert status == 200, f"server {index % 2} did not know the session"
        prompt = int(re.search(r'name="prompt" value="(\d+)"', page).group(1))
        reps = int(re.search(r'name="reps" value="(\d+)"', page).group(1))
        status, _ = browser.request(
            f"{server}/study/{session.pk}/grade/", {"prompt": prompt, "rating": 3, "reps": reps}
        )
        assert status == 302
        # the same grade again, to the other server: refused, not recorded twice
        other = first if server == second else second
        status, _ = browser.request(
            f"{other}/study/{session.pk}/grade/", {"prompt": prompt, "rating": 3, "reps": reps}
        )
        assert status == 302
        graded.append(prompt)

    assert len(set(graded)) == 4
    reviews = ReviewLog.objects.filter(user=user)
    assert reviews.count() == 4
    assert sorted(reviews.values_list("prompt_id", flat=True)) == sorted(graded)
    assert {c.pk for c in cards} == set(reviews.values_list("card_id", flat=True))


def test_a_rate_limit_counts_across_servers_and_their_workers(app_servers):
    """The counters are in the shared Redis: three reset e-mails in an hour to one
    address, wherever the requests land (two servers of two workers each)."""
    first, second = app_servers
    browser = Browser()
    status, _ = browser.request(f"{first}/accounts/password_reset/")
    assert status == 200
    answers = [
        browser.request(f"{server}/accounts/password_reset/", {"email": "shared@example.com"})
        for server in [first, second, first, second, second]
    ]
    assert [status for status, _ in answers] == [302, 302, 302, 429, 429]
    assert "3 password-reset e-mails in an hour to one address" in answers[3][1]
