"""The test suite: SQLite by default, PostgreSQL when DATABASE_URL is set."""

import os
import tempfile

from .base import *  # noqa: F403

SECRET_KEY = "test-only-secret-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# make_history and the benchmark's pieces (never in production).
INSTALLED_APPS = [*INSTALLED_APPS, "prep_site.devtools"]  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: WAL, locking and several threads behave as they do for real.
    # One file per test process, so two runs in one checkout never share it.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": BASE_DIR / f".test-db-{os.getpid()}.sqlite3"  # noqa: F405
    }
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_prep_{os.getpid()}"}  # noqa: F405

# Unit tests run each task at once, in the test's process (on the commit of the
# transaction that enqueued it); tests/tasks/ starts real workers.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405

# Kept files of one test process, apart from the checkout's (a worker the tests
# start is given the same directory).
MEDIA_ROOT = Path(os.environ.get("PREP_MEDIA_ROOT") or tempfile.mkdtemp(prefix="prep-test-media-"))  # noqa: F405

# The shared cache in a directory of this test process's own (unless in Redis).
if CACHES["default"]["BACKEND"].endswith("FileBasedCache"):  # noqa: F405
    CACHES["default"]["LOCATION"] = Path(tempfile.mkdtemp(prefix="prep-test-cache-"))  # noqa: F405
