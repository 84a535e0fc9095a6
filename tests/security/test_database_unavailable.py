"""While the database cannot be reached, every page answers 503 with Retry-After
and our own error page, and nothing of the error shows. The database really is
out of reach here: the connection is pointed at a file in a missing directory
(SQLite) or at a closed port (PostgreSQL), so the driver's own connect fails."""

import socket
from contextlib import contextmanager

import pytest
from django.db import connection
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse

from prep_site.errors import RETRY_AFTER_SECONDS
from tests.factories import PASSWORD
from tests.security.test_error_pages import assert_ours_and_quiet

HEADING = "Something went wrong on our side"  # as on the 500 page (tests/load checks it)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def unreachable_database(tmp_path):
    """No new connection can be made, and on PostgreSQL the ones other threads
    hold open (a live server's, kept by CONN_MAX_AGE) are cut, as when the
    server goes away: their next health check fails and reconnecting does too."""
    saved = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = str(tmp_path / "no-such-directory" / "db.sqlite3")
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=closed_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture
def database_down(transactional_db, tmp_path):
    """Outside any transaction (transactional_db), so the connection can be
    closed and opened again as a server's would."""
    return lambda: unreachable_database(tmp_path)


def visitor() -> Client:
    # The test client re-raises a view's exception by default; a browser gets the page.
    return Client(raise_request_exception=False)


def assert_unavailable(response) -> str:
    page = assert_ours_and_quiet(response, 503, HEADING)
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "can’t reach its database" in page
    for leak in ("OperationalError", "unable to open", "Connection refused", "connection failed"):
        assert leak not in page
    return page


def test_a_logged_in_page_is_503_while_the_database_is_down(database_down, user):
    """The session, the user and their time zone are read in middleware, before
    any view: the first query of the request is where it fails."""
    client = visitor()
    client.force_login(user)
    with database_down():
        response = client.get(reverse("cards:topic_list"))
    assert_unavailable(response)


def test_a_login_is_503_while_the_database_is_down(database_down, user):
    """The view itself fails here (the password check and django-axes' count)."""
    client = visitor()
    with database_down():
        response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert_unavailable(response)
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_gets_the_status_its_script_needs(database_down, user):
    client = visitor()
    client.force_login(user)
    with database_down():
        response = client.get(reverse("cards:topic_list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_pages_answer_again_once_the_database_is_back(database_down, user):
    client = visitor()
    client.force_login(user)
    with database_down():
        assert client.get(reverse("cards:topic_list")).status_code == 503
    assert client.get(reverse("cards:topic_list")).status_code == 200


def test_a_page_that_needs_no_database_still_answers(database_down):
    """The login form reads nothing from the database: a visitor still sees it."""
    with database_down():
        response = visitor().get(reverse("login"))
    assert response.status_code == 200


@pytest.mark.db_independent  # reads a template's source
def test_the_503_page_needs_nothing_that_could_be_what_broke():
    source = get_template("503.html").template.source
    for tag in ("{% extends", "{% include", "{% load", "{% url", "{% static", "{{"):
        assert tag not in source
    assert HEADING in source
