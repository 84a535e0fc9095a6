"""A backup too large to restore while the page waits is restored in the
background: the upload answers at once with a page that shows the progress,
then how the restore ended. Real HTTP through the test client, the real
database; the job runs in this thread when the request commits."""

import gzip
import io
import json
import os
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts import restore_jobs
from accounts.backup import backup_bytes, backup_document, read_backup
from accounts.backup import restore as backup
from accounts.models import RestoreJob
from cards.models import Card, ReviewLog
from tests.accounts.test_backup import NOW, snapshot, total_rows
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def background(settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    """Past 4 KB unpacked a backup restores in the background, its file kept in
    tmp_path; the job runs in this thread as soon as the upload commits."""
    settings.PREP_RESTORE_INLINE_BYTES = 4096
    settings.PREP_RESTORE_DIR = str(tmp_path)
    monkeypatch.setattr(
        restore_jobs, "run_in_background", lambda job_id: restore_jobs.run_restore(job_id=job_id)
    )
    return django_capture_on_commit_callbacks


def upload(client, content: bytes, *, merge: bool = False, name: str = "backup.json.gz"):
    data = {"file": SimpleUploadedFile(name, content)}
    if merge:
        data["merge"] = "on"
    return client.post(reverse("accounts:backup_restore"), data)


def rows_but_jobs() -> dict[str, int]:
    return {name: n for name, n in total_rows().items() if name != "accounts.RestoreJob"}


def test_a_large_backup_restores_in_the_background(client, history_user, background, tmp_path):
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
    assert list(tmp_path.iterdir()) == []  # the kept file is gone
    assert snapshot(newcomer) == snapshot(history_user)

    page = client.get(response.url).content.decode()
    assert "Backup restored: 8 topics, 60 cards" in page
    assert 'aria-valuenow="100"' in page
    assert "hx-get" not in page  # finished: nothing to poll
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
    client, history_user, background, tmp_path
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
    assert list(tmp_path.iterdir()) == []
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


def stale(job: RestoreJob) -> None:
    RestoreJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - restore_jobs.STALE_AFTER - timedelta(seconds=1)
    )


def kept_file(directory, name: str, *, age: timedelta = timedelta(0)) -> str:
    path = directory / f"{restore_jobs.FILE_PREFIX}{name}{restore_jobs.FILE_SUFFIX}"
    path.write_bytes(b"{}")
    when = (timezone.now() - age).timestamp()
    os.utime(path, (when, when))
    return str(path)


def test_a_restore_that_stopped_moving_ends_as_interrupted(client, user, settings, tmp_path):
    """Its process died with its thread: the page says nothing was restored
    and stops polling, the job is failed for good, and its file is gone."""
    settings.PREP_RESTORE_DIR = str(tmp_path)
    path = kept_file(tmp_path, "dead")
    job = RestoreJob.objects.create(user=user, filename="big.json.gz", size=1000, path=path)
    stale(job)
    client.force_login(user)
    page = client.get(reverse("accounts:restore_job", args=[job.pk])).content.decode()
    assert restore_jobs.INTERRUPTED in page
    assert "hx-get" not in page
    job.refresh_from_db()
    assert (job.status, job.failure, job.path) == ("failed", restore_jobs.INTERRUPTED, "")
    assert job.finished_at is not None
    assert not os.path.exists(path)


def test_the_data_page_lists_an_interrupted_restore_as_not_restored(client, user):
    running = RestoreJob.objects.create(user=user, filename="running.json.gz", size=10)
    dead = RestoreJob.objects.create(user=user, filename="dead.json.gz", size=10)
    stale(dead)
    client.force_login(user)
    page = client.get(reverse("accounts:data")).content.decode()
    badges = re.findall(r'<span class="badge[^"]*">([^<]*)</span>', page)
    assert sorted(badges) == ["Not restored", "Restoring"]
    dead.refresh_from_db()
    running.refresh_from_db()
    assert (dead.status, running.status) == ("failed", "running")


def test_a_new_restore_clears_the_files_no_restore_will_read(
    client, user, history_user, background, tmp_path
):
    """Files older than STALE_AFTER go unless a live restore reads them: the
    upload whose process died before its job existed, and the dead job's. A
    young file (a restore starting now) and a live restore's file stay."""
    old = restore_jobs.STALE_AFTER + timedelta(minutes=1)
    orphan = kept_file(tmp_path, "orphan", age=old)
    young = kept_file(tmp_path, "young")
    dead_path = kept_file(tmp_path, "dead", age=old)
    dead = RestoreJob.objects.create(user=user, filename="d.json", size=10, path=dead_path)
    stale(dead)
    live_path = kept_file(tmp_path, "live", age=old)
    live = RestoreJob.objects.create(user=user, filename="l.json", size=10, path=live_path)
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("not ours")
    os.utime(unrelated, (0, 0))

    content = gzip.compress(backup_bytes(backup_document(user=history_user, now=NOW)))
    client.force_login(make_user("newcomer"))
    with background(execute=True):
        assert upload(client, content).status_code == 302

    assert not os.path.exists(orphan) and not os.path.exists(dead_path)
    assert os.path.exists(young) and os.path.exists(live_path) and unrelated.exists()
    dead.refresh_from_db()
    live.refresh_from_db()
    assert (dead.status, live.status) == ("failed", "running")
    # The new restore ran, and its own file went when it ended.
    assert RestoreJob.objects.get(user__username="newcomer").status == "done"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        os.path.basename(p) for p in (young, live_path, str(unrelated))
    )


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
