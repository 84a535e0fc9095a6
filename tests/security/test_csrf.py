"""CSRF: every request that can write needs the token, htmx's included; GET writes
nothing; nothing is exempt.

The routes come from the URL resolver and the objects from the table in
test_access_control.py, so a new route is covered here too.
"""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from tests.security.targets import ROUTES
from tests.security.test_access_control import (
    ADMIN_VALUES,
    STAFF_ONLY,
    changed_tables,
    classify,
    database_state,
    endpoints,
    send,
)

pytestmark = pytest.mark.django_db

UNSAFE = ["POST", "PUT", "PATCH", "DELETE"]
HTMX = {"HX-Request": "true"}
ROOT = Path(__file__).resolve().parents[2]
# GETs that write, on purpose, once: showing a mock interview's question starts its
# clock (and hands in an answer whose time ran out while the page was closed).
# A second GET must write nothing.
GET_WRITES_ONCE = {"mock:session"}


def csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def page_token(client: Client) -> str:
    """The token as htmx sends it: from the page's <body hx-headers=…>."""
    body = client.get(reverse("home")).content.decode()
    return re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', body).group(1)


def routes_to_probe(alice):
    """(route name, url, form) for every route: Alice's objects where it takes ids."""
    for endpoint in endpoints():
        kind = classify(endpoint)
        if kind == "owned":
            target = ROUTES[endpoint.name].owned(alice)
            yield endpoint.name, endpoint.url(target.kwargs), target.data
        elif kind == "public" and endpoint.params:
            yield endpoint.name, endpoint.url({"uidb64": "MQ", "token": "set-password"}), {}
        else:
            yield endpoint.name, endpoint.url({**ADMIN_VALUES, "url": "nowhere/"}), {}


def test_no_code_turns_csrf_off():
    needle = "csrf" + "_exempt"  # spelled apart, so this file does not match itself
    skip = {".venv", "node_modules", "staticfiles", ".git", "__pycache__"}
    suffixes = {".py", ".html", ".txt", ".js", ".md", ".toml", ".cfg", ".ini", ".sh"}
    found = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*")
        if path.suffix in suffixes
        and not skip.intersection(path.relative_to(ROOT).parts)
        and path.is_file()
        and needle in path.read_text(errors="replace")
    ]
    # One view, and one only: a mail client's one-click unsubscribe (RFC 8058) posts
    # without a token; the signed token in its address is what proves it.
    assert found == ["accounts/views.py"]
    exempt = [e.name for e in endpoints() if getattr(e.callback, needle, False)]
    assert exempt == ["accounts:unsubscribe"]


def test_every_write_without_the_token_is_refused():
    """Logged in (or not, on the pages for visitors), a write with no token is a 403
    with our page, plain or from htmx, and writes nothing."""
    alice = make_user("alice")
    as_alice, visitor = csrf_client(alice), csrf_client()
    page_token(as_alice)  # the cookie is set: only the token in the request is missing
    refused = []
    probes = 0
    for name, url, form in routes_to_probe(alice):
        if name == "accounts:unsubscribe":
            continue  # exempt on purpose (above); tests/accounts/test_daily_email.py
            # checks that only a correctly signed address unsubscribes anyone
        client = visitor if name in ("login", "accounts:signup", "password_reset") else as_alice
        before = database_state()
        for method in UNSAFE:
            for headers in ({}, HTMX):
                response = send(client, method, url, form, **headers)
                probes += 1
                if response.status_code == 405 and method != "POST":
                    continue  # a view that takes no such method: refused all the same
                if response.status_code != 403 or b'data-testid="error-page"' not in (
                    response.content
                ):
                    refused.append(f"{method} {url} {headers}: {response.status_code}")
        if changed := changed_tables(before, database_state()):
            refused.append(f"{url} without a token changed {changed}")
    print(f"\n{probes} writes without a token")
    assert not refused, "\n".join(refused)


def test_a_login_without_the_token_logs_no_one_in():
    alice = make_user("alice")
    client = csrf_client()
    page_token(client)
    response = client.post(reverse("login"), {"username": alice.username, "password": "x"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("how", ["htmx header", "form field"])
def test_a_write_with_the_token_goes_through(how):
    """The same writes with the token, sent as htmx sends it (X-CSRFToken header) or
    as a form sends it (csrfmiddlewaretoken): accepted, and the owner's writes land."""
    alice = make_user("alice")
    client = csrf_client(alice)
    token = page_token(client)
    refused = []
    for endpoint in endpoints():
        if classify(endpoint) != "owned":
            continue
        target = ROUTES[endpoint.name].owned(alice)
        url = endpoint.url(target.kwargs)
        before = database_state()
        if how == "htmx header":
            response = client.post(url, target.data, headers={"X-CSRFToken": token, **HTMX})
        else:
            response = client.post(url, {**target.data, "csrfmiddlewaretoken": token})
        if response.status_code == 403:
            refused.append(f"POST {url}: 403 with the token")
        elif response.status_code != 405 and not changed_tables(before, database_state()):
            refused.append(f"POST {url}: accepted but wrote nothing")
    # Pages without ids: the token is accepted (whatever the form then says).
    for endpoint in endpoints():
        if classify(endpoint) in ("owned", "public") and endpoint.params:
            continue
        if endpoint.name in STAFF_ONLY:  # refused to a person who is not staff, token or not
            continue
        url = endpoint.url({**ADMIN_VALUES, "url": "nowhere/"})
        response = client.post(url, headers={"X-CSRFToken": token})
        if response.status_code == 403:
            refused.append(f"POST {url}: 403 with the token")
        if "_auth_user_id" not in client.session:  # that was the logout
            client.force_login(alice)
            token = page_token(client)
    assert not refused, "\n".join(refused)


def test_reading_writes_nothing():
    """GET and HEAD on every route, by the owner of what it shows, change nothing."""
    alice = make_user("alice")
    client = csrf_client(alice)
    changed = []
    for name, url, _form in routes_to_probe(alice):
        for method in ("GET", "HEAD"):
            before = database_state()
            send(client, method, url)
            if name in GET_WRITES_ONCE and method == "GET":
                before = database_state()
                send(client, method, url)
            if tables := changed_tables(before, database_state()):
                changed.append(f"{method} {url}: changed {', '.join(tables)}")
    assert not changed, "\n".join(changed)


def test_the_get_that_writes_once_is_what_we_think():
    """The declared exception: a mock interview's first GET starts the question's
    clock, and that is all it writes."""
    from interviews.models import MockAnswer
    from tests.security.targets import mock_session

    alice = make_user("alice")
    target = mock_session(alice)
    MockAnswer.objects.filter(session=target.obj).update(started_at=None)
    client = csrf_client(alice)
    before = database_state()
    client.get(reverse("mock:session", kwargs=target.kwargs))
    assert changed_tables(before, database_state()) == ["interviews.MockAnswer"]
    assert MockAnswer.objects.get(session=target.obj).started_at is not None
