"""Settings shared by every environment; the dev, test and prod modules adjust them."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "template_partials",
    "taggit",
    "django_q",
    "accounts",
    "cards",
    "interviews",
    "axes",
    "django_ratelimit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # After the CSRF check, so a forged request counts against nobody's limit.
    "accounts.throttle.ThrottleMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "prep_site.private_pages.PrivatePagesMiddleware",
    # Forgets the figures kept for a person once a request of theirs may have written.
    "prep_site.figures.FiguresMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "prep_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # {% partialdef %} everywhere, as in Django 6 where it is built in.
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

WSGI_APPLICATION = "prep_site.wsgi.application"


SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the
    # busy timeout instead of failing halfway through a transaction.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    # A page cache of up to 64 MiB a connection (SQLite's default is 2 MiB),
    # filled only as used: a bulk action writing 100,000 reviews through their
    # indexes took twice as long with the default.
    "init_command": (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        "PRAGMA cache_size=-65536;"
    ),
}


def database_from_environment(default_sqlite_path: Path, *, sqlite_conn_max_age: int = 0) -> dict:
    """The database of DATABASE_URL (PostgreSQL in production), else SQLite at the
    given path. SQLite, either way, runs in WAL mode with IMMEDIATE transactions
    and a busy timeout; its connections are kept ``sqlite_conn_max_age`` seconds
    (production keeps them, see prod.py)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": default_sqlite_path}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        config["CONN_MAX_AGE"] = sqlite_conn_max_age
    return config


DATABASES = {"default": database_from_environment(BASE_DIR / "db.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: it refuses a locked-out login before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with the signed-in person kept in the cache.
    "accounts.person.PersonBackend",
]
# Five wrong passwords for one username from one address lock that pair out for
# 15 minutes; someone else on the same network can still log in.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The address is the client's even behind a load balancer: see prep_site/client_address.py.
AXES_CLIENT_IP_CALLABLE = "prep_site.client_address.client_address"
# Limits on logging in, signing up and password resets, per address and per
# account (accounts/throttle.py), counted in the cache by django-ratelimit.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "prep_site.client_address.client_address"
# How many proxies in front of the app append to X-Forwarded-For (prod reads it
# from the environment). 0: the connection's own address is the client's.
PREP_PROXY_COUNT = 0

# Our page for a refused CSRF check: it says what happened and what to do.
CSRF_FAILURE_VIEW = "prep_site.errors.csrf_failure"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
# prep speaks English only. Without the translation machinery, every reverse()
# and every number or date on a page skips a look-up of the active language
# (a reverse took 137 µs with it, 25 µs without); formats stay English.
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Bootstrap, KaTeX and SortableJS come from the npm registry (package.json) at
# install time; they are served from node_modules, never from a CDN.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/katex", NODE_MODULES / "katex" / "dist"),
    ("vendor/sortablejs", NODE_MODULES / "sortablejs"),
]

STORAGES = {
    # Private files only (uploads waiting for a job): never served, so no MEDIA_URL.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Tags are rows shared by everyone, matched by their exact spelling: a person who
# writes "Rust" keeps "Rust", whoever wrote "rust" before.
TAGGIT_CASE_INSENSITIVE = False

MESSAGE_TAGS = {40: "danger"}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page (hx-headers), never the cookie

DEFAULT_FROM_EMAIL = "prep <no-reply@prep.localhost>"
# Where links in e-mails point: the site's address as people reach it.
SITE_URL = "http://localhost:8000"

# The cache every worker of a server shares: the sessions (over the database,
# which stays their record), the signed-in person (accounts/person.py), the
# figures kept per person and django-ratelimit's counters. Files on local disk
# (PREP_CACHE_DIR) unless REDIS_URL names a Redis server, which every app server
# shares. A per-process cache would let a worker keep a person logged in after
# they logged out or changed their password on another.
CACHE_DIR = Path(os.environ.get("PREP_CACHE_DIR") or BASE_DIR / "cache")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": CACHE_DIR,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}
# Read from the cache, written to both: a page costs no query for its session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
    # django-ratelimit names only django-redis's backend; Django's own Redis
    # cache increments atomically too (Redis INCR).
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    # Files are shared by the workers of one server, but an increment there is a
    # read and a write: two attempts at the same moment may count once. The
    # README asks for REDIS_URL wherever more than one server serves.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Study settings that are not per user.
FSRS_DESIRED_RETENTION = 0.9

# Browser features no page of prep uses are off, for prep and for anything it
# could ever be made to embed (django-permissions-policy).
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}

# No script runs unless it is one of our own static files: no inline script, no
# eval, nothing from another origin. (Styles may be inline: KaTeX positions
# glyphs with style attributes.)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Background work (imports, large restores, the nightly purge) runs on django-q2's
# workers (`manage.py qcluster`, which scripts/run.sh starts beside the web
# server). The broker is the app's own database unless REDIS_URL is set; either
# way, any number of worker machines may serve one database.
PREP_TASK_TIMEOUT = int(os.environ.get("PREP_TASK_TIMEOUT", 30 * 60))
Q_CLUSTER = {
    "name": "prep",
    "label": "Background tasks",
    "workers": int(os.environ.get("PREP_TASK_WORKERS", 2)),
    "timeout": PREP_TASK_TIMEOUT,
    # A task whose worker died is handed out again this long after it was taken.
    "retry": int(os.environ.get("PREP_TASK_RETRY", PREP_TASK_TIMEOUT + 60)),
    "max_attempts": 1,  # a failure recorded by django-q2 is final (prep_site/jobs.py)
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 500,
    "queue_limit": 4,
    "orm": "default",
    "poll": float(os.environ.get("PREP_TASK_POLL", 0.5)),
}
if os.environ.get("REDIS_URL"):
    Q_CLUSTER.pop("orm")
    Q_CLUSTER["redis"] = os.environ["REDIS_URL"]
# How many times a worker may start one job: a second start means the first
# worker died mid-job (its writes rolled back), and the job is tried again.
PREP_TASK_ATTEMPTS = int(os.environ.get("PREP_TASK_ATTEMPTS", 2))
# An import's preview that was never confirmed, and a failed import, are deleted
# this long after the upload (or the failure) by the hourly purge
# (cards.imports.services.purge_stale); a finished import's record after
# PREP_IMPORT_HISTORY_DAYS. A person may have at most PREP_IMPORT_MAX_PENDING
# imports being read, waiting for confirmation or being written.
PREP_IMPORT_PREVIEW_HOURS = 24
PREP_IMPORT_HISTORY_DAYS = 30
PREP_IMPORT_MAX_PENDING = 3
# The record of a bulk action of the card browser, or of an optimizer run, is
# deleted this long after it ended by the same purge, but each person's latest.
PREP_JOB_HISTORY_DAYS = 30

# The largest file /import/ accepts.
PREP_IMPORT_MAX_BYTES = int(os.environ.get("PREP_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
# The largest Anki package (.apkg, .colpkg) it accepts: packages carry their images,
# and what is kept of them is limited on its own (cards.models.media).
PREP_IMPORT_PACKAGE_MAX_BYTES = int(
    os.environ.get("PREP_IMPORT_PACKAGE_MAX_BYTES", 300 * 1024 * 1024)
)
# What a backup holds, in the order the file has it: each app's part (accounts.backup
# .sections.Part), declared in the app's own backup module. A part's rows may point
# only at parts before it.
PREP_BACKUP_PARTS = [
    "accounts.backup.profile.PART",
    "cards.schedule.backup.PART",
    "cards.backup.PART",
    "interviews.backup.PART",
]
# The largest backup file a restore accepts, and the most a .gz or .zip may unpack
# to (a restore reads the file as a stream, never whole).
# A backup carries the images of a person's cards (up to 200 MB, a third more in
# base64), so its limit leaves room for them beside the text.
PREP_BACKUP_MAX_BYTES = int(os.environ.get("PREP_BACKUP_MAX_BYTES", 400 * 1024 * 1024))
PREP_BACKUP_MAX_UNPACKED_BYTES = int(
    os.environ.get("PREP_BACKUP_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)
)
# The largest spoken answer a mock interview keeps (README, "Limits").
PREP_MOCK_AUDIO_MAX_BYTES = int(os.environ.get("PREP_MOCK_AUDIO_MAX_BYTES", 10 * 1024 * 1024))
# A backup that unpacks to more than this is restored in the background.
PREP_RESTORE_INLINE_BYTES = int(os.environ.get("PREP_RESTORE_INLINE_BYTES", 20 * 1024 * 1024))
# Files a background job reads (an import's upload, a large backup) are kept
# through Django's default storage until the job ends: a directory here, which
# every worker must reach (one machine, or a shared volume). For object storage,
# point STORAGES["default"] at its backend (e.g. django-storages' S3 storage).
MEDIA_ROOT = Path(os.environ.get("PREP_MEDIA_ROOT", BASE_DIR / "media"))
# Uploads are kept only up to those limits, however much is sent (prep_site/uploads.py);
# then Django's own handlers, in memory or in a temporary file.
FILE_UPLOAD_HANDLERS = [
    "prep_site.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# No form takes more than one file, so no request may carry more (Django answers 400):
# what one request can make the server keep is then one file up to its limit.
DATA_UPLOAD_MAX_NUMBER_FILES = 1
