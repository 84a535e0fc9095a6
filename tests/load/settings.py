"""Settings of the app servers in the load test and the two-server test:
production settings, with the embedded SQLite configuration (WAL, IMMEDIATE
transactions, a 20 s busy timeout) on a database file of the test's own when
PREP_LOAD_SQLITE names one. (Production settings read DATABASE_URL, and with
none set they use the repository's db.sqlite3, which a test must not touch.)
The static files are the test process's own collection when
PREP_TEST_STATIC_ROOT names one (the collected_static fixture), not the
checkout's staticfiles/, which tests running at once would share."""

import os
from pathlib import Path

from prep_site.settings.base import database_from_environment
from prep_site.settings.prod import *  # noqa: F403

if os.environ.get("PREP_LOAD_SQLITE"):
    assert not os.environ.get("DATABASE_URL"), "PREP_LOAD_SQLITE is for SQLite runs only"
    DATABASES = {
        "default": database_from_environment(
            Path(os.environ["PREP_LOAD_SQLITE"]),
            sqlite_conn_max_age=SQLITE_CONN_MAX_AGE,  # noqa: F405
        )
    }

if os.environ.get("PREP_TEST_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["PREP_TEST_STATIC_ROOT"])
