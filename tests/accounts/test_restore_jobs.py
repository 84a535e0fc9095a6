"""A backup too large to restore while the page waits is restored in the
background: the upload answers at once with a page that shows the progress,
then how the restore ended. Real HTTP through the test client, the real
database; the task runs in this process when the request commits (the test
settings run django-q2's tasks at once; tests/tasks/ starts real workers)."""

import gzip
import io
import json
import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_q.models import Task

from accounts.backup import backup_bytes, backup_document, read_backup, restore_jobs
from accounts.backup import restore as backup
from accounts.backup import tasks as restore_tasks
from accounts.models import RestoreJob
from cards.models import Card, ImportJob, ReviewLog
from tests.accounts.backups import NOW, snapshot, total_rows
from tests.conftest import stored_files
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def background(settings, django_capture_on_commit_callbacks):
    """Past 4 KB unpacked a backup restores in the background; its task runs as
    soon as the upload commits."""
    settings.PREP_RESTORE_INLINE_BYTES = 4096
    return django_capture_on_commit_callbacks


def upload(client, content: bytes, *, merge: bool = False, name: str = "backup.json.gz"):
    data = {"file": SimpleUploadedFile(name, content)}
    if merge:
        data["merge"] = "on"
    return client.post(reverse("accounts:backup_restore"), data)


def rows_but_jobs() -> dict[str, int]:
    return {name: n for name, n in total_rows().items() if name != "accounts.RestoreJob"}


def test_a_large_backup_restores_in_the_background(client, history_user, background, media_root):
    content = gzip.compress(backup_bytes(backup_document(user=history_user, now=NOW)))
    newcomer = make_user("newcomer")
    client.force_login(newcomer)

    with background(execute=True):
        response = upload(client, content)

    job = RestoreJob.objects.get(user=newcomer)
    assert response.status_code == 302
    assert response.url == reverse("accounts:restore_job", args=[job.pk])
    assert job.status == RestoreJob.Status.DONE
    assert (job.filename, job.size, job.merge) == ("backup.json.gz", len(content), False)
    assert (job.attempts, job.percent, stored_files(media_root)) == (1, 100, [])  # file gone
    assert snapshot(newcomer) == snapshot(history_user)

    page = client.get(response.url).content.decode()
    assert "Backup restored: 8 topics, 60 cards" in page
    assert 'aria-valuenow="100"' in page
    assert "every 1s" not in page  # finished: nothing to poll
    data_page = client.get(reverse("accounts:data")).content.decode()
    assert response.url in data_page and "Restored" in data_page


def test_a_small_backup_still_restores_while_the_page_waits(client, history_user, settings):
    settings.PREP_RESTORE_INLINE_BYTES = 10 * 1024 * 1024
    content = backup_bytes(backup_document(user=history_user, now=NOW))
    newcomer = make_user("newcomer")
    client.force_login(newcomer)
    response = upload(client, content, name="backup.json")
    assert response.url == reverse("accounts:data")
    assert not RestoreJob.objects.exists()
    assert ReviewLog.objects.filter(user=newcomer).count() == 900


def test_a_broken_large_backup_fails_on_its_page_and_writes_nothing(
    client, history_user, background, media_root
):
    document = json.loads(backup_bytes(backup_document(user=history_user, now=NOW)))
    document["reviews"][-1]["rating"] = 9
    newcomer = make_user("newcomer")
    client.force_login(newcomer)
    before = rows_but_jobs()

    with background(execute=True):
        response = upload(client, gzip.compress(backup_bytes(document)))

    job = RestoreJob.objects.get(user=newcomer)
    assert job.status == RestoreJob.Status.FAILED
    assert job.failure.startswith("Nothing was restored: reviews[899].rating: ")
    assert rows_but_jobs() == before
    assert stored_files(media_root) == []
    page = client.get(response.url).content.decode()
    assert "Nothing was restored: reviews[899].rating" in page
    assert 'data-status="failed"' in page


def test_a_non_empty_account_is_refused_before_any_job(client, history_user, background):
    # history_user has cards of their own: the account is not empty.
    content = gzip.compress(backup_bytes(backup_document(user=history_user, now=NOW)))
    client.force_login(history_user)
    with background(execute=True):
        response = upload(client, content)
    assert response.status_code == 400
    assert "Nothing was restored: Your account is not empty" in response.content.decode()
    assert not RestoreJob.objects.exists()


def test_a_file_that_is_not_a_backup_is_refused_at_once(client, user, background):
    client.force_login(user)
    with background(execute=True):
        response = upload(client, gzip.compress(b"\x00" * 10_000))
    assert response.status_code == 400
    assert "binary, not JSON text" in response.content.decode()
    assert not RestoreJob.objects.exists()


def test_a_running_restore_polls_and_shows_how_far_it_is(client, user):
    job = RestoreJob.objects.create(user=user, filename="big.json.gz", size=1000)
    client.force_login(user)
    url = reverse("accounts:restore_job", args=[job.pk])

    page = client.get(url).content.decode()
    assert 'data-status="running"' in page and f'hx-get="{url}"' in page
    assert 'aria-valuenow="0"' in page

    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="restore-status"')
    assert "<html" not in fragment


def test_a_restore_started_too_often_ends_as_stopped(client, user, media_root):
    """Its worker died each time it was handed the restore: past
    PREP_TASK_ATTEMPTS the next delivery does not run it again. The page says
    nothing was restored and stops polling, and the kept file is gone."""
    job = RestoreJob(user=user, filename="big.json.gz", size=2, attempts=2)
    job.upload.save("big.json.gz", ContentFile(b"{}"))
    restore_tasks.restore(job.pk)  # the broker's next delivery
    client.force_login(user)
    page = client.get(reverse("accounts:restore_job", args=[job.pk])).content.decode()
    assert restore_jobs.STOPPED in page
    assert "every 1s" not in page  # nothing to poll
    job.refresh_from_db()
    assert (job.status, job.failure, job.upload.name) == ("failed", restore_jobs.STOPPED, "")
    assert job.finished_at is not None
    assert stored_files(media_root) == []


def test_a_retried_restore_says_so_while_it_runs(client, user):
    job = RestoreJob.objects.create(user=user, filename="big.json.gz", size=10, attempts=2)
    client.force_login(user)
    page = client.get(reverse("accounts:restore_job", args=[job.pk])).content.decode()
    assert "The first try stopped when the worker doing it was stopped" in page


def test_a_timed_out_restore_is_settled_by_its_hook(user):
    job = RestoreJob.objects.create(user=user, filename="big.json.gz", size=10)
    restore_tasks.job_failed(Task(args=(job.pk,), success=False, result="TimeoutException"))
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.failure.startswith("Nothing was restored: it took longer than the 30 minutes")


def test_one_restore_at_a_time(client, history_user, background):
    running = RestoreJob.objects.create(user=make_user("busy"), filename="a.json", size=10)
    content = gzip.compress(backup_bytes(backup_document(user=history_user, now=NOW)))
    client.force_login(running.user)
    response = upload(client, content)
    assert response.status_code == 400
    assert "You already have an import or a restore under way" in response.content.decode()
    assert RestoreJob.objects.count() == 1


def test_no_restore_while_an_import_is_under_way(client, history_user, background):
    person = make_user("importing")
    ImportJob.objects.create(owner=person, filename="cards.csv", status="checking")
    content = gzip.compress(backup_bytes(backup_document(user=history_user, now=NOW)))
    client.force_login(person)
    response = upload(client, content)
    assert response.status_code == 400
    assert "You already have an import or a restore under way" in response.content.decode()
    assert not RestoreJob.objects.exists()


def test_the_nightly_purge_deletes_kept_files_no_restore_reads(user, media_root):
    live = RestoreJob(user=user, filename="live.json", size=2)
    live.upload.save("live.json", ContentFile(b"{}"))
    old = timezone.now() - timedelta(days=2)
    os.utime(media_root / live.upload.name, (old.timestamp(), old.timestamp()))
    orphan = default_storage.save("restores/2026/01/01/orphan.json", ContentFile(b"{}"))
    os.utime(media_root / orphan, (old.timestamp(), old.timestamp()))
    young = default_storage.save("restores/2026/01/01/young.json", ContentFile(b"{}"))
    assert restore_tasks.purge_stale() == 1
    assert stored_files(media_root) == sorted([live.upload.name, young])


def test_another_persons_restore_is_not_found(client, user, other_user):
    job = RestoreJob.objects.create(user=other_user, filename="theirs.json", size=10)
    client.force_login(user)
    assert client.get(reverse("accounts:restore_job", args=[job.pk])).status_code == 404


def test_progress_is_the_share_of_the_file_read(history_user, monkeypatch):
    monkeypatch.setattr(backup, "STREAM_CHUNK", 100)
    content = gzip.compress(backup_bytes(backup_document(user=history_user, now=NOW)))
    heard = []
    backup.restore_backup(
        user=make_user("copy"),
        data=read_backup(io.BytesIO(content)),
        merge=False,
        progress=lambda done, total: heard.append((done, total)),
    )
    assert len(heard) >= 10  # cards, progress and nine batches of reviews
    assert {total for _done, total in heard} == {len(content)}
    done = [d for d, _total in heard]
    assert done == sorted(done) and 0 < done[0] < done[-1] <= len(content)
    assert Card.objects.filter(owner__username="copy").count() == 60
