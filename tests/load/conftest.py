"""The load and fault tests: real gunicorn workers, Redis, and a database that
is taken away and brought back. ``-m "not load"`` leaves them out."""

import pytest
from django.conf import settings

from tests.load import servers


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "load: many concurrent clients against gunicorn, with faults injected "
        "(PREP_LOAD_SECONDS sets the length, default 60)",
    )


@pytest.fixture
def backend(tmp_path):
    """The database the app servers use, of the same kind as the suite's:
    (environment, the PostgreSQL server of the test's own, or None for a
    SQLite file)."""
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        with servers.private_postgres() as database:
            yield {"DATABASE_URL": database.url}, database
    else:
        yield {"PREP_LOAD_SQLITE": str(tmp_path / "load.sqlite3")}, None
