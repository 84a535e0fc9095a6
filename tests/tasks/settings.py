"""The settings of a real worker cluster the tests start: the test settings on
the test's own database (DATABASE_URL) and media root (PREP_MEDIA_ROOT), with
tasks going through the broker instead of running at once."""

import os

from prep_site.settings.test import *  # noqa: F403

Q_CLUSTER = {**Q_CLUSTER, "sync": False, "workers": 1, "poll": 0.2}  # noqa: F405

# E-mail a worker sends is written to files the test reads (its outbox is in
# another process).
if os.environ.get("PREP_EMAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["PREP_EMAIL_DIR"]
