"""Local development: DEBUG on, e-mail to the console, SQLite unless DATABASE_URL is set."""

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-secret-key-not-for-production"  # noqa: F405
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# make_history and the benchmark's pieces (never in production).
INSTALLED_APPS = [*INSTALLED_APPS, "prep_site.devtools"]  # noqa: F405
