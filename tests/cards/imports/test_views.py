"""The import pages through the test client: upload (full page and htmx), the
size limit, the preview, confirming, the progress fragment, another person's
job, and bounded queries."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime

from cards import imports as importing
from cards.imports.services import WRITE_STOPPED
from cards.models import Card, ImportJob, Topic
from tests.cards.imports.test_apkg import DECKS, SPANISH_AND_RUST, make_apkg
from tests.conftest import stored_files
from tests.factories import make_card, make_topic

pytestmark = pytest.mark.django_db

UPLOAD_URL = reverse("cards:import")
CSV_WITH_ONE_BAD_LINE = (
    "front,back,topic,tags\n"
    "What is a partition?,An ordered log,Kafka,kafka\n"
    ",A back without a front,Kafka,\n"
    "What is a consumer group?,Consumers sharing partitions,Kafka,kafka groups\n"
)


@pytest.fixture
def inline_imports(django_capture_on_commit_callbacks):
    """The tasks a request enqueues run as soon as it commits (the test settings
    run django-q2's tasks in this process)."""
    return django_capture_on_commit_callbacks


def upload(client, name: str, content: bytes | str, **data):
    content = content.encode() if isinstance(content, str) else content
    extra = data.pop("headers", {})
    return client.post(UPLOAD_URL, {"file": SimpleUploadedFile(name, content), **data}, **extra)


def job_url(job) -> str:
    return reverse("cards:import_job", args=[job.pk])


def confirm_url(job) -> str:
    return reverse("cards:import_confirm", args=[job.pk])


def body(response) -> str:
    return response.content.decode()


def uploaded_job(client, content=CSV_WITH_ONE_BAD_LINE, name="cards.csv", **data) -> ImportJob:
    """Upload a file; the worker's reading of it runs when the request commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = upload(client, name, content, **data)
    assert response.status_code == 302, body(response)
    return ImportJob.objects.get(pk=re.search(r"/import/(\d+)/$", response.url).group(1))


def imported_job(client, content, name: str, **data) -> ImportJob:
    """Upload a file and confirm it (duplicates skipped), each step's work run
    as it commits; the job, done."""
    job = uploaded_job(client, content, name=name, **data)
    assert job.error_count == 0, job.errors
    return confirmed_job(client, job)


def confirmed_job(client, job) -> ImportJob:
    """Confirm a previewed import (duplicates skipped), its writing run as it
    commits; the job, done."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(confirm_url(job), {"on_duplicate": "skip"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.failure
    return job


def card_fields(cards) -> list[tuple]:
    """Every field a person wrote (and an export carries), for each card, in a
    stable order."""
    return sorted(
        (
            card.topic.name,
            card.kind,
            card.text_format,
            card.front,
            card.back,
            tuple(sorted(card.tags.names())),
        )
        for card in cards
    )


# Upload ------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_log_in(client, db):
    for url in (UPLOAD_URL, reverse("cards:import_job", args=[1])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_upload_page_as_full_page_and_fragment(client_in, topic, htmx_headers):
    page = body(client_in.get(UPLOAD_URL))
    assert "<h1" in page and 'id="import-form"' in page
    assert 'enctype="multipart/form-data"' in page and f'action="{UPLOAD_URL}"' in page
    assert f'href="{UPLOAD_URL}">Import cards</a>' in page  # in the user menu
    assert "js/import.js" in page and "<script>" not in page
    assert f'<option value="{topic.pk}">{topic.name}</option>' in page
    fragment = body(client_in.get(UPLOAD_URL, **htmx_headers))
    assert fragment.lstrip().startswith('<form id="import-form"') and "<html" not in fragment


def test_an_upload_shows_its_preview(client_in, user):
    job = uploaded_job(client_in)
    assert (job.owner, job.source, job.filename) == (user, "csv", "cards.csv")
    assert [row[0] for row in job.rows] == [2, 4]
    assert job.errors == [[3, "the front is empty"]]
    page = body(client_in.get(job_url(job)))
    assert "Preview: nothing is written until you confirm" in page
    assert "<strong>2</strong> new cards" in page
    assert "<strong>0</strong> duplicates" in page
    assert "<strong>1</strong> line with errors, left out" in page
    assert "New topic: <strong>Kafka</strong>" in page
    assert "<strong>Line 3:</strong> the front is empty" in page
    assert page.count('data-testid="import-row"') == 2
    assert f'action="{confirm_url(job)}"' in page
    assert Card.objects.count() == 0 and not Topic.objects.filter(name="Kafka").exists()


def test_an_htmx_upload_redirects_the_page_to_the_preview(client_in, htmx_headers):
    response = upload(client_in, "cards.csv", CSV_WITH_ONE_BAD_LINE, headers=htmx_headers)
    job = ImportJob.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == job_url(job)


def test_the_default_topic_fills_rows_without_one(client_in, topic):
    job = uploaded_job(client_in, "Q1,A1\nQ2,A2,Elsewhere\n", topic=topic.pk)
    assert [row[3] for row in job.rows] == [topic.name, "Elsewhere"]
    job = uploaded_job(client_in, "Q1,A1\n", new_topic="  Brand   new ")
    assert job.rows[0][3] == "Brand new"


def test_a_default_topic_and_a_new_one_at_once_is_an_error(client_in, topic):
    response = upload(client_in, "cards.csv", "Q,A\n", topic=topic.pk, new_topic="Other")
    assert "Choose a default topic or name a new one, not both." in body(response)
    assert not ImportJob.objects.exists()


def test_another_persons_topic_is_not_a_choice(client_in, other_user):
    foreign = make_topic(owner=other_user, name="Secret")
    response = upload(client_in, "cards.csv", "Q,A\n", topic=foreign.pk)
    assert "Select a valid choice" in body(response)
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cards.csv", b"", "The file is empty: there is nothing in it to import."),
        ("cards.pdf", b"%PDF-1.7", "File extension \u201cpdf\u201d is not allowed"),
    ],
)
def test_files_the_form_refuses_are_not_kept(client_in, htmx_headers, name, content, message):
    response = upload(client_in, name, content)
    assert response.status_code == 200
    assert message in body(response)
    fragment = body(upload(client_in, name, content, headers=htmx_headers))
    assert message in fragment and "<html" not in fragment
    assert not ImportJob.objects.exists() and Card.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cards.csv", b"\x00\x01\x02binary", "Line 1 contains a NUL byte: this is a binary file"),
        ("cards.csv", "Q,Café\n".encode("latin-1"), "Line 1 is not UTF-8 text"),
        ("cards.csv", b"front,back,colour\nQ,A,red\n", "Line 1: column 3 of the header has"),
        ("deck.apkg", b"not a zip", "This .apkg file is not a zip archive"),
    ],
)
def test_files_the_worker_cannot_read_end_with_a_message(
    client_in, media_root, name, content, message
):
    job = uploaded_job(client_in, content, name=name)
    assert (job.status, job.upload.name) == (ImportJob.Status.FAILED, "")
    page = body(client_in.get(job_url(job)))
    assert "Nothing was imported." in page and message in page
    assert f'href="{UPLOAD_URL}">Upload a file</a>' in page and 'hx-trigger="every' not in page
    assert Card.objects.count() == 0
    assert stored_files(media_root) == []  # the upload is deleted once read


def test_the_upload_stops_at_the_size_limit(client_in, settings):
    settings.PREP_IMPORT_MAX_BYTES = 1000
    response = upload(client_in, "cards.csv", "Q,A,T\n" * 400)  # 2,400 bytes
    assert "The file is larger than 1000\xa0bytes, the most an import takes." in body(response)
    assert not ImportJob.objects.exists()
    assert uploaded_job(client_in, "Q,A,T\n" * 100)  # 600 bytes is fine


def test_the_upload_checks_csrf(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = upload(client, "cards.csv", "Q,A,T\n")
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


# Preview, confirm, progress ----------------------------------------------------------------


def test_a_package_preview_names_notes_and_media(client_in, tmp_path):
    path = make_apkg(tmp_path, SPANISH_AND_RUST, DECKS, media={"a.jpg": b"\xff\xd8"})
    with path.open("rb") as file, TestCase.captureOnCommitCallbacks(execute=True):
        response = client_in.post(UPLOAD_URL, {"file": file})
    job = ImportJob.objects.get()
    assert response.url == job_url(job)
    page = body(client_in.get(job_url(job)))
    assert "Anki deck package" in page
    assert "<strong>4</strong> new cards" in page
    assert "1 image comes with the cards" not in page  # two bytes are not a JPEG
    assert '<th scope="col">Note</th>' in page


def test_confirming_imports_and_shows_the_result(client_in, user, inline_imports):
    job = uploaded_job(client_in)
    with inline_imports(execute=True):
        response = client_in.post(confirm_url(job), {"on_duplicate": "skip"})
    assert response.status_code == 302 and response.url == job_url(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    kafka = Topic.objects.get(name="Kafka", owner=user)
    assert sorted(Card.objects.filter(topic=kafka).values_list("front", flat=True)) == [
        "What is a consumer group?",
        "What is a partition?",
    ]
    page = body(client_in.get(job_url(job)))
    assert "Import finished: 2 cards created." in page
    assert f'<a href="{kafka.get_absolute_url()}">Kafka</a>' in page
    assert 'aria-valuenow="100"' in page and 'hx-trigger="every' not in page


def test_confirming_with_htmx_returns_the_polling_progress(client_in, htmx_headers):
    job = uploaded_job(client_in)
    response = client_in.post(confirm_url(job), {"on_duplicate": "skip"}, **htmx_headers)
    fragment = body(response)
    assert fragment.lstrip().startswith('<div id="import-status"')
    assert 'hx-trigger="every 1s"' in fragment and f'hx-get="{job_url(job)}"' in fragment
    assert 'aria-valuenow="0"' in fragment and "Waiting for a worker…" in fragment
    job.refresh_from_db()
    assert job.status == "running"  # the task waits for the commit, which never comes here

    job.record_progress(done=3, total=4, stage="Writing 4 cards")
    fragment = body(client_in.get(job_url(job), **htmx_headers))
    assert 'aria-valuenow="75"' in fragment and "Writing 4 cards…" in fragment
    assert "<html" not in fragment


def test_duplicates_can_be_updated_from_the_preview(client_in, user, topic, inline_imports):
    card = make_card(topic, user, front="What is a partition?", back="Old")
    job = uploaded_job(client_in, f"What is a partition?,New,{topic.name}\n")
    page = body(client_in.get(job_url(job)))
    assert (
        "<strong>1</strong> duplicate of cards you already have (same front in the same "
        "topic): line 1</li>"
    ) in page
    assert 'name="on_duplicate" value="update"' in page
    assert f'<a href="{card.get_absolute_url()}">your card</a>' in page
    with inline_imports(execute=True):
        client_in.post(confirm_url(job), {"on_duplicate": "update"})
    card.refresh_from_db()
    assert card.back == "New"
    assert "1 updated" in body(client_in.get(job_url(job)))


def test_a_second_confirmation_is_refused(client_in, inline_imports):
    job = uploaded_job(client_in)
    with inline_imports(execute=True):
        client_in.post(confirm_url(job), {"on_duplicate": "skip"})
    response = client_in.post(confirm_url(job), {"on_duplicate": "skip"}, follow=True)
    assert "This import was already confirmed." in body(response)
    assert Card.objects.count() == 2


def test_an_invalid_confirmation_is_refused(client_in):
    job = uploaded_job(client_in)
    response = client_in.post(confirm_url(job), {"on_duplicate": "merge"}, follow=True)
    assert "Choose whether to skip or update" in body(response)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW


def test_a_file_with_nothing_importable_offers_no_confirmation(client_in):
    job = uploaded_job(client_in, ",no front\n,again\n")
    page = body(client_in.get(job_url(job)))
    assert "Nothing in this file can be imported." in page
    assert confirm_url(job) not in page


def test_a_failed_import_says_nothing_was_written(client_in):
    job = uploaded_job(client_in)
    ImportJob.objects.filter(pk=job.pk).update(status="failed")
    assert "The import failed, so nothing was written" in body(client_in.get(job_url(job)))


def test_an_import_whose_worker_died_comes_back_to_its_preview(client_in, inline_imports):
    """Its worker died mid-import on its last allowed attempt (nothing was
    written): when django-q2 hands the task out again, the task puts the job
    back to its preview, which says so and can be confirmed again without
    uploading the file again."""
    job = uploaded_job(client_in)
    importing.start_import(job=job, on_duplicate="skip")
    ImportJob.objects.filter(pk=job.pk).update(attempts=settings.PREP_TASK_ATTEMPTS)
    importing.run_import(job_id=job.pk)  # the broker's next delivery
    poll = client_in.get(job_url(job), headers={"HX-Request": "true"})
    assert poll.headers["HX-Redirect"] == job_url(job)
    page = body(client_in.get(job_url(job)))
    assert WRITE_STOPPED in page
    assert confirm_url(job) in page and Card.objects.count() == 0
    with inline_imports(execute=True):
        client_in.post(confirm_url(job), {"on_duplicate": "skip"})
    job.refresh_from_db()
    assert (job.status, job.failure) == ("done", "")
    assert "stopped before it finished" not in body(client_in.get(job_url(job)))


def test_a_retried_import_says_so_while_it_runs(client_in):
    job = uploaded_job(client_in)
    importing.start_import(job=job, on_duplicate="skip")
    ImportJob.objects.filter(pk=job.pk).update(attempts=2)
    page = body(client_in.get(job_url(job)))
    assert "The first try stopped when the worker doing it was stopped" in page


def test_one_import_at_a_time(client_in, user):
    job = uploaded_job(client_in)
    importing.start_import(job=job, on_duplicate="skip")
    response = upload(client_in, "more.csv", "Q,A,T\n")
    assert response.status_code == 200
    assert "You already have an import or a restore under way" in body(response)
    assert ImportJob.objects.count() == 1


def test_pages_that_poll_write_nothing(client_in, htmx_headers):
    job = uploaded_job(client_in)
    importing.start_import(job=job, on_duplicate="skip")
    with CaptureQueriesContext(connection) as captured:
        client_in.get(job_url(job), **htmx_headers)
        client_in.get(job_url(job))
        client_in.get(UPLOAD_URL)
    writes = [q["sql"] for q in captured if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_cancelling_a_preview_deletes_it(client_in):
    job = uploaded_job(client_in)
    response = client_in.post(reverse("cards:import_cancel", args=[job.pk]), follow=True)
    assert "was cancelled; nothing was written" in body(response)
    assert not ImportJob.objects.exists()


def test_another_persons_job_is_not_found(client_in, other_user, htmx_headers):
    parsed = importing.parse_upload(file=SimpleUploadedFile("x.csv", b"Q,A,T\n"), filename="x.csv")
    job = importing.create_import_job(user=other_user, filename="x.csv", parsed=parsed)
    assert client_in.get(job_url(job)).status_code == 404
    assert client_in.get(job_url(job), **htmx_headers).status_code == 404
    assert client_in.post(confirm_url(job), {"on_duplicate": "skip"}).status_code == 404
    assert client_in.post(reverse("cards:import_cancel", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW


def test_views_refuse_the_wrong_method(client_in):
    job = uploaded_job(client_in)
    assert client_in.get(confirm_url(job)).status_code == 405
    assert client_in.post(job_url(job)).status_code == 405
    assert client_in.put(UPLOAD_URL).status_code == 405


def test_the_preview_page_takes_the_same_queries_for_any_file(client_in, user, topic):
    make_card(topic, user, front="Q0", back="A")
    small = uploaded_job(client_in, f"Q0,A,{topic.name}\nQ1,A,New topic\n")
    rows = "".join(f"Q{n},A{n},Topic {n % 9},tag{n % 5} t\n" for n in range(300))
    large = uploaded_job(client_in, f"Q0,A,{topic.name}\n" + rows + ",bad\n")

    def queries(job) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client_in.get(job_url(job)).status_code == 200
        return len(captured)

    assert queries(small) == queries(large) <= 7


# Limits and lifetimes ----------------------------------------------------------------------


def test_a_fourth_pending_import_is_refused_with_links_to_the_others(
    client_in, user, settings, media_root, htmx_headers, inline_imports
):
    assert settings.PREP_IMPORT_MAX_PENDING == 3
    waiting = [uploaded_job(client_in, name=f"cards{n}.csv") for n in range(3)]
    assert {job.status for job in waiting} == {"preview"}

    for headers in ({}, htmx_headers):
        response = upload(client_in, "fourth.csv", "Q,A,T\n", headers=headers)
        page = body(response)
        assert response.status_code == 200
        assert (
            "You already have 3 imports waiting or under way, and 3 is the most at a time. "
            "Confirm or cancel one of them, then upload this file again."
        ) in page
        for job in waiting:
            assert f'<a href="{job_url(job)}">{job.filename}</a>' in page
    assert ImportJob.objects.count() == 3 and stored_files(media_root) == []

    # One imported and one cancelled: two places free, and the next upload goes in.
    with inline_imports(execute=True):
        client_in.post(confirm_url(waiting[0]), {"on_duplicate": "skip"})
    client_in.post(reverse("cards:import_cancel", args=[waiting[1].pk]))
    assert uploaded_job(client_in, name="fourth.csv").status == "preview"


def text_of(page: str) -> str:
    """The page as a person reads it: without its tags (a date is a <time>)."""
    return re.sub(r"<[^>]+>", "", page)


def test_the_pages_say_how_long_a_preview_and_a_failure_are_kept(client_in):
    page = body(client_in.get(UPLOAD_URL))
    assert "A preview you have not confirmed is deleted 24 hours after the upload" in page
    assert "you may have 3 imports waiting at a time" in page
    job = uploaded_job(client_in)
    deleted_after = localtime(job.created_at + timedelta(hours=24))
    page = text_of(body(client_in.get(job_url(job))))
    assert (
        "Unless you confirm it, this preview is deleted after "
        f"{date_format(deleted_after, 'D j M Y, H:i')}."
    ) in page
    rejected = uploaded_job(client_in, b"\xff\xfe", name="bad.csv")
    page = text_of(body(client_in.get(job_url(rejected))))
    deleted_after = localtime(rejected.finished_at + timedelta(hours=24))
    assert f"This record is deleted after {date_format(deleted_after, 'D j M Y, H:i')}." in page
