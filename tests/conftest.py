import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.cache import cache

from tests.factories import make_topic, make_user

ROOT = Path(__file__).resolve().parent.parent
REPORTS: list[str] = []
BAD_VALUES: Counter = Counter()  # tests/security/test_bad_values.py's figures, added up
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


def pytest_collection_modifyitems(config, items):
    """A test marked db_independent runs on SQLite only (scripts/test.sh), so it
    must not be one that reaches the test database through a fixture; the browser
    tests are the exception that tests/browser/conftest.py argues for."""
    for item in items:
        if item.get_closest_marker("db_independent") and not item.get_closest_marker("browser"):
            used = DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
            if used:
                raise pytest.UsageError(
                    f"{item.nodeid} is marked db_independent but uses {', '.join(sorted(used))}"
                )


def pytest_runtest_logreport(report):
    """Keep what a test recorded as its "report" (record_property) for the summary."""
    if report.when == "call":
        REPORTS.extend(value for name, value in report.user_properties if name == "report")
        for name, value in report.user_properties:
            if name == "bad_values":
                BAD_VALUES.update(value)


def pytest_terminal_summary(terminalreporter):
    """What the tests reported (the load test's figures), shown whether or not the
    test ran in an xdist worker, whose own output pytest does not show."""
    lines = list(REPORTS)
    if BAD_VALUES:
        outcomes = ", ".join(
            f"{key.removeprefix('outcome ')} {count:,}"
            for key, count in sorted(BAD_VALUES.items())
            if key.startswith("outcome ")
        )
        lines.append(
            f"[bad values] {BAD_VALUES['routes']} routes, {BAD_VALUES['fields']} fields and "
            f"parameters, {BAD_VALUES['values'] // BAD_VALUES['routes']} values, "
            f"{BAD_VALUES['requests']:,} requests: {outcomes}"
        )
    if lines:
        terminalreporter.section("reports")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """The static files as production serves them (collectstatic with the
    manifest and the compressed copies), collected once per test process into a
    directory of its own for the app servers that tests start (tests/load/settings.py
    reads PREP_TEST_STATIC_ROOT). Not the checkout's staticfiles/: two workers
    collecting there at once rewrite the manifest under each other's gunicorn."""
    root = tmp_path_factory.mktemp("static")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.load.settings",
            "SECRET_KEY": "collectstatic-" + "s3cr3t" * 8,
            "PREP_TEST_STATIC_ROOT": str(root),
        }
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    return root


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: nothing an earlier test kept there
    is this test's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Files kept for background jobs go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list[str]:
    """The files kept under a media root, relative to it."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def user(db):
    return make_user("alice")


@pytest.fixture
def other_user(db):
    return make_user("mallory")


@pytest.fixture
def client_in(client, user):
    """The test client, logged in as ``user``. force_login, not login: django-axes
    refuses an authenticate() call that comes with no request, as client.login's does."""
    client.force_login(user)
    return client


@pytest.fixture
def topic(user):
    return make_topic(owner=user, name="Distributed systems")


@pytest.fixture
def htmx_headers():
    return {"HTTP_HX_REQUEST": "true"}
