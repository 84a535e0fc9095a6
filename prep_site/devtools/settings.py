"""The benchmark's settings (scripts/benchmark.sh): production's, served over
plain HTTP on the loopback, with this app installed (``make_history``) and its
URLconf (the app's URLs plus the bare views to compare every page with).

    DJANGO_SETTINGS_MODULE=prep_site.devtools.settings

They live here, not in prep_site/settings/, so that what production imports
never names the development tools."""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "not-for-production-" * 2)

from prep_site.settings.base import database_from_environment  # noqa: E402
from prep_site.settings.prod import *  # noqa: E402, F403

INSTALLED_APPS = [*INSTALLED_APPS, "prep_site.devtools"]  # noqa: F405

ALLOWED_HOSTS = ["127.0.0.1"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

ROOT_URLCONF = "prep_site.devtools.urls"

# SQLite unless DATABASE_URL is set, with the production options (WAL,
# IMMEDIATE transactions), in a file of the benchmark's own.
if not os.environ.get("DATABASE_URL"):
    DATABASES = {  # noqa: F405
        "default": database_from_environment(
            Path(os.environ.get("BENCH_SQLITE_PATH", "/tmp/prep-bench.sqlite3")),
            sqlite_conn_max_age=SQLITE_CONN_MAX_AGE,  # noqa: F405
        )
    }

# collectstatic goes to a directory of the benchmark's own, not the checkout's.
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", "/tmp/prep-bench-static"))
