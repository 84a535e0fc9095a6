"""The hourly purge, run as its schedule runs it (cards.imports.tasks.purge_stale)
against the real database and the real file storage: what goes, what stays,
and when."""

import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_q.models import Schedule

from cards import imports as importing
from cards.imports import tasks
from cards.models import BulkJob, ImportJob, OptimizeJob
from tests.cards.imports.test_services import job_from
from tests.conftest import stored_files

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def aged(job: ImportJob, *, created=None, finished=None) -> ImportJob:
    """The job as if uploaded ``created`` ago and settled ``finished`` ago."""
    now = timezone.now()
    changes = {"created_at": now - created} if created else {}
    if finished:
        changes["finished_at"] = now - finished
    ImportJob.objects.filter(pk=job.pk).update(**changes)
    return job


def left() -> set[int]:
    return set(ImportJob.objects.values_list("pk", flat=True))


def test_previews_and_failed_jobs_go_a_day_on_finished_ones_after_30_days(
    user, other_user, topic, media_root
):
    old_preview = aged(job_from(user, f"Q,A,{topic.name}\n"), created=25 * HOUR)
    new_preview = aged(job_from(user, f"Q,A,{topic.name}\n"), created=23 * HOUR)
    # A write that failed long after its upload: a day from the failure, not the upload.
    failed_long_ago = job_from(user, "".join(f"Q{n},A,{topic.name}\n" for n in range(1000)))
    failed_long_ago.status = ImportJob.Status.FAILED
    failed_long_ago.save()
    aged(failed_long_ago, created=40 * HOUR, finished=25 * HOUR)
    failed_lately = job_from(user, f"Q,A,{topic.name}\n")
    ImportJob.objects.filter(pk=failed_lately.pk).update(status="failed")
    aged(failed_lately, created=40 * HOUR, finished=23 * HOUR)
    done_old = aged(
        importing.run_import(job_id=_started(job_from(user, f"Old,A,{topic.name}\n")).pk),
        created=31 * 24 * HOUR,
        finished=31 * 24 * HOUR,
    )
    done_recent = aged(
        importing.run_import(job_id=_started(job_from(user, f"New,A,{topic.name}\n")).pk),
        created=29 * 24 * HOUR,
        finished=29 * 24 * HOUR,
    )
    # Under way for days (a worker is still on it): never purged, nor its file.
    running = _started(job_from(other_user, f"Q,A,{topic.name}\n"))
    aged(running, created=72 * HOUR)

    assert tasks.purge_stale() == 3

    assert left() == {new_preview.pk, failed_lately.pk, done_recent.pk, running.pk}
    assert not ImportJob.objects.filter(pk__in=[old_preview.pk, done_old.pk]).exists()
    assert tasks.purge_stale() == 0  # nothing more to do an hour later


def _started(job: ImportJob) -> ImportJob:
    importing.start_import(job=job, on_duplicate="skip")
    return job


def test_files_go_with_their_jobs_or_a_day_after_nobody_reads_them(user, topic, media_root):
    # A file the worker could not read: deleted when it failed, the record a day on.
    rejected = importing.receive_upload(user=user, upload=SimpleUploadedFile("x.csv", b"\xff\xfe"))
    rejected = importing.read_upload(job_id=rejected.pk)
    assert rejected.status == "failed" and stored_files(media_root) == []
    aged(rejected, finished=25 * HOUR)
    # A file waiting for a worker, however old: kept.
    reading = importing.receive_upload(user=user, upload=SimpleUploadedFile("r.csv", b"Q,A,T\n"))
    os.utime(media_root / reading.upload.name, (0, 0))
    # Files of uploads that never committed (the request died): an old one, a new one.
    stray = default_storage.save("imports/2026/01/01/stray.csv", ContentFile(b"Q,A"))
    os.utime(media_root / stray, (0, 0))
    fresh = default_storage.save("imports/2026/01/02/fresh.csv", ContentFile(b"Q,A"))

    assert tasks.purge_stale() == 1

    assert left() == {reading.pk}
    assert stored_files(media_root) == sorted([reading.upload.name, fresh])


def test_the_purge_is_scheduled_hourly():
    schedule = Schedule.objects.get(name="purge stale imports")
    assert (schedule.func, schedule.schedule_type, schedule.repeats) == (
        "cards.imports.tasks.purge_stale",
        Schedule.HOURLY,
        -1,
    )


def test_a_finished_import_keeps_a_small_record(user, topic):
    rows = "".join(f"Q{n},A,{topic.name}\n" for n in range(50)) + ",no front\n"
    job = importing.run_import(job_id=_started(job_from(user, rows)).pk)
    job = ImportJob.objects.get(pk=job.pk)
    assert (job.status, job.rows, job.errors, job.error_count) == ("done", [], [], 1)
    assert job.result["created"] == 50


def ended(model, user, *, days_ago: float, status: str = "done", **fields):
    """A job of ``model`` that ended (``status``) ``days_ago``, started a minute before."""
    at = timezone.now() - timedelta(days=days_ago)
    job = model.objects.create(user=user, status=status, finished_at=at, **fields)
    model.objects.filter(pk=job.pk).update(created_at=at - timedelta(minutes=1))
    return job


def test_bulk_and_optimizer_records_go_30_days_on_but_each_persons_latest(user, other_user):
    bulk_old = ended(BulkJob, user, days_ago=40, action="suspend")
    bulk_old_failed = ended(BulkJob, user, days_ago=35, status="failed", action="move")
    bulk_latest = ended(BulkJob, user, days_ago=31, action="add_tags")  # shown on its page
    other_old = ended(BulkJob, other_user, days_ago=45, action="suspend")
    other_recent = ended(BulkJob, other_user, days_ago=29, action="suspend")
    # Under way for long (a worker is still on it): never purged.
    other_running = BulkJob.objects.create(user=other_user, action="move", status="running")
    BulkJob.objects.filter(pk=other_running.pk).update(
        created_at=timezone.now() - timedelta(days=60)
    )
    fit_old = ended(OptimizeJob, user, days_ago=40)
    fit_recent = ended(OptimizeJob, user, days_ago=20)
    fit_only = ended(OptimizeJob, other_user, days_ago=90, status="failed")

    assert tasks.purge_stale() == 4

    assert set(BulkJob.objects.values_list("pk", flat=True)) == {
        bulk_latest.pk,
        other_recent.pk,
        other_running.pk,
    }
    assert set(OptimizeJob.objects.values_list("pk", flat=True)) == {fit_recent.pk, fit_only.pk}
    assert not BulkJob.objects.filter(pk__in=[bulk_old.pk, bulk_old_failed.pk]).exists()
    assert not OptimizeJob.objects.filter(pk=fit_old.pk).exists()
    assert not BulkJob.objects.filter(pk=other_old.pk).exists()
    assert tasks.purge_stale() == 0
