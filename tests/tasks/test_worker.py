"""Background jobs on a real django-q2 cluster (`manage.py qcluster`, as
scripts/run.sh starts it), on the real database of the test run, SQLite or
PostgreSQL: a 20,000-row import read and written by the worker, a worker
killed mid-import, after which nothing was written and the page says so, and
the scheduled purge and the daily e-mail run by a worker."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Task
from django_q.tasks import async_task

from accounts.models import Profile
from cards import imports as importing
from cards.imports.services import WRITE_STOPPED
from cards.models import Card, ImportJob
from tests.conftest import stored_files

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
ROWS = 20_000


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Cluster:
    """`manage.py qcluster` in a process group of its own, killed whole at the end."""

    def __init__(self, **env):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.tasks.settings",
            "DATABASE_URL": database_url(),
            "PREP_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PYTHONPATH": str(ROOT),
            **env,
        }
        self.process = None

    def start(self) -> "Cluster":
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self

    def kill(self) -> None:
        """Every process of the cluster at once, as a machine that dies would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None


@pytest.fixture
def cluster(monkeypatch):
    # Enqueue through the broker (the database), as the app does outside tests.
    monkeypatch.setattr(Conf, "SYNC", False)
    started = []

    def start(**env) -> Cluster:
        started.append(Cluster(**env).start())
        return started[-1]

    yield start
    for each in started:
        each.kill()


def wait_for(condition, *, what: str, timeout: float = 300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ImportJob.objects.defer("rows").get()
        if condition(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout} s for {what}; the job is {job.status}, {job.stage}")


def big_csv() -> SimpleUploadedFile:
    lines = ["front,back,topic,tags"] + [
        f"Question {n}: what does part {n} do?,It does thing {n}.,Topic {n % 7},tag{n % 9}"
        for n in range(ROWS)
    ]
    return SimpleUploadedFile("big.csv", ("\n".join(lines) + "\n").encode())


def upload_and_preview(client) -> ImportJob:
    response = client.post(reverse("cards:import"), {"file": big_csv()})
    assert response.status_code == 302
    job = wait_for(lambda job: job.status != "checking", what="the worker to read the file")
    assert job.status == "preview", job.failure
    page = client.get(job.get_absolute_url()).content.decode()
    assert f"<strong>{ROWS:,}</strong> new cards".replace(",", "") in page.replace(",", "")
    return job


def test_a_worker_reads_and_writes_a_20000_row_import(client_in, user, cluster):
    cluster()
    job = upload_and_preview(client_in)
    assert job.upload.name == "" and job.attempts == 0
    client_in.post(reverse("cards:import_confirm", args=[job.pk]), {"on_duplicate": "skip"})
    job = wait_for(lambda job: job.status in ("done", "failed"), what="the import")
    assert (job.status, job.attempts, job.percent) == ("done", 1, 100)
    assert Card.objects.filter(owner=user).count() == ROWS
    page = client_in.get(job.get_absolute_url()).content.decode()
    assert f"Import finished: {ROWS} cards created." in page and 'hx-trigger="every' not in page


def test_a_worker_killed_mid_import_writes_nothing_and_the_page_says_so(client_in, user, cluster):
    # One attempt only, and a task whose worker died is handed out again 3 s on.
    first = cluster(PREP_TASK_ATTEMPTS="1", PREP_TASK_RETRY="3")
    job = upload_and_preview(client_in)
    client_in.post(reverse("cards:import_confirm", args=[job.pk]), {"on_duplicate": "skip"})
    wait_for(lambda job: job.stage.startswith("Writing"), what="the write to start")
    time.sleep(0.5)  # inside the import's transaction
    first.kill()
    assert Card.objects.filter(owner=user).count() == 0
    assert ImportJob.objects.get().status == "running"

    cluster(PREP_TASK_ATTEMPTS="1", PREP_TASK_RETRY="3")  # another machine's workers
    job = wait_for(lambda job: job.status != "running", what="the task to be handed out again")
    assert (job.status, job.failure) == ("preview", WRITE_STOPPED)
    assert Card.objects.filter(owner=user).count() == 0
    page = client_in.get(job.get_absolute_url()).content.decode()
    assert WRITE_STOPPED in page and "Confirm and import" in page


def test_a_worker_runs_the_scheduled_purge(user, cluster, media_root):
    """The schedule's task, by its dotted name, in a worker process that reaches
    the same database and files: an old preview and an old stray file go."""
    parsed = importing.parse_upload(file=big_csv(), filename="big.csv", default_topic="")
    old = importing.create_import_job(user=user, filename="big.csv", parsed=parsed)
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    stray = default_storage.save("imports/2026/01/01/stray.csv", ContentFile(b"Q,A"))
    os.utime(media_root / stray, (0, 0))
    fresh = default_storage.save("imports/2026/01/02/fresh.csv", ContentFile(b"Q,A"))
    cluster()
    async_task("cards.imports.tasks.purge_stale")

    def purged() -> bool:
        return not ImportJob.objects.exists() and stored_files(media_root) == [fresh]

    deadline = time.monotonic() + 120
    while not purged() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not ImportJob.objects.exists()
    assert stored_files(media_root) == [fresh]


def test_a_worker_sends_the_daily_email(user, cluster, tmp_path):
    """The hourly schedule's task in a worker: the person whose hour has come gets
    one e-mail (written where the worker's settings send it), and their day is
    marked as sent."""
    Profile.objects.filter(user=user).update(daily_email=True, daily_email_hour=0, timezone="UTC")
    type(user).objects.filter(pk=user.pk).update(email="dana@example.com")
    cluster(PREP_EMAIL_DIR=str(tmp_path))
    async_task("accounts.daily_email.send_due")

    def finished() -> bool:  # the worker records the task once it has returned
        return Task.objects.filter(func="accounts.daily_email.send_due", success=True).exists()

    deadline = time.monotonic() + 120
    while not finished() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert Task.objects.get(func="accounts.daily_email.send_due").result == 1  # people sent to
    [sent] = list(tmp_path.iterdir())
    text = sent.read_text()
    assert "To: dana@example.com" in text
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in text
    assert Profile.objects.get(user=user).daily_email_sent_on == timezone.now().date()
