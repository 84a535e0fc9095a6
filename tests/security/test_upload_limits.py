"""Uploads over the limit are refused with the form's own message, and Django never
keeps more of them than the limit: not in memory, not in a temporary file.

What reaches Django's own upload handlers (the ones that keep a file) is
watched by ``StorageWitness``, an upload handler of this test put between
prep's handler and Django's. It also notes how large the temporary files are
while the upload goes on."""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.test import Client
from django.urls import reverse

from cards.models import Card, ImportJob, Topic
from interviews.mock import services as mock_services
from interviews.models import InterviewerQuestion
from prep_site.uploads import ALL_LIMIT_SETTINGS
from tests.factories import make_card, make_topic, make_user
from tests.interviews.mock import recordings

pytestmark = pytest.mark.django_db

OURS = "prep_site.uploads.SizeLimitUploadHandler"
WITNESS = f"{__name__}.StorageWitness"
DJANGOS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
LIMIT = 200_000  # a little over three of Django's 64 KB chunks
IMPORT_URL = reverse("cards:import")
RESTORE_URL = reverse("accounts:backup_restore")

WITNESSED: list[dict] = []


class StorageWitness(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.record = {"name": self.file_name, "bytes": 0, "largest_temporary_file": 0}
        WITNESSED.append(self.record)

    def receive_data_chunk(self, raw_data, start):
        self.record["bytes"] += len(raw_data)
        self.record["largest_temporary_file"] = max(
            self.record["largest_temporary_file"], *temporary_file_sizes()
        )
        return raw_data

    def file_complete(self, file_size):
        return None  # Django's handlers, after this one, return the file they kept


def temporary_file_sizes() -> list[int]:
    return [entry.stat().st_size for entry in os.scandir(django_settings.FILE_UPLOAD_TEMP_DIR)]


@pytest.fixture
def watched(settings, tmp_path):
    """Small limits; every upload goes to a temporary file in a folder of the
    test's own, with the witness in front of Django's handlers."""
    WITNESSED.clear()
    for name in ALL_LIMIT_SETTINGS:  # the import's, a package's, the restore's, a recording's
        setattr(settings, name, LIMIT)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()
    settings.FILE_UPLOAD_HANDLERS = [OURS, WITNESS, *DJANGOS]
    return settings


def csv_of(size: int) -> bytes:
    """A real import file of exactly ``size`` bytes: rows of cards, the last
    one's answer padded to fit."""
    header, last = "front,back,topic\n", "Last?,{},Padding\n"
    rows, length, number = [header], len(header), 0
    while length + 40 < size - len(last):
        number += 1
        row = f"Question {number}?,Answer {number},Padding\n"
        rows.append(row)
        length += len(row)
    rows.append(last.format("k" * (size - length - len(last) + 2)))
    data = "".join(rows).encode()
    assert len(data) == size
    return data


def stored_bytes() -> int:
    return sum(record["bytes"] for record in WITNESSED)


def assert_nothing_kept() -> None:
    assert stored_bytes() <= LIMIT
    assert all(record["largest_temporary_file"] <= LIMIT for record in WITNESSED)
    assert temporary_file_sizes() == [], "a temporary upload was left behind"


# The import -------------------------------------------------------------------------------


def test_an_import_over_the_limit_is_refused_and_never_kept_whole(watched, client_in):
    big = csv_of(1_000_000)
    response = client_in.post(IMPORT_URL, {"file": SimpleUploadedFile("cards.csv", big)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The file is larger than 195.3\xa0KB, the most an import takes." in page
    assert not ImportJob.objects.exists() and not Card.objects.exists()
    # Three chunks went on to be kept, then the fourth passed the limit: nothing more.
    assert 0 < stored_bytes() <= LIMIT
    assert WITNESSED[0]["largest_temporary_file"] > 0  # there was one, while it lasted
    assert_nothing_kept()


def test_the_htmx_upload_gets_the_same_message(watched, client_in, htmx_headers):
    response = client_in.post(
        IMPORT_URL, {"file": SimpleUploadedFile("cards.csv", csv_of(300_000))}, **htmx_headers
    )
    fragment = response.content.decode()
    assert "the most an import takes" in fragment and "<html" not in fragment
    assert not ImportJob.objects.exists()
    assert_nothing_kept()


def test_a_file_at_the_limit_is_kept_whole_and_imported(watched, client_in):
    exact = csv_of(LIMIT)
    assert len(exact) == LIMIT
    response = client_in.post(IMPORT_URL, {"file": SimpleUploadedFile("cards.csv", exact)})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get()
    assert job.filename == "cards.csv"
    assert stored_bytes() == LIMIT


def test_without_the_handler_django_keeps_the_whole_file(watched, client_in):
    """What the handler prevents: the same upload, kept whole before the form
    says no."""
    watched.FILE_UPLOAD_HANDLERS = [WITNESS, *DJANGOS]
    big = csv_of(1_000_000)
    response = client_in.post(IMPORT_URL, {"file": SimpleUploadedFile("cards.csv", big)})
    assert "the most an import takes" in response.content.decode()
    assert stored_bytes() == len(big)
    assert WITNESSED[0]["largest_temporary_file"] > LIMIT


def test_a_request_carries_one_file_at_most(watched, client_in):
    """Otherwise a hundred files (Django's default) each just under the limit
    would all be kept."""
    files = [SimpleUploadedFile(f"part{n}.csv", csv_of(150_000)) for n in range(4)]
    response = client_in.post(IMPORT_URL, {"file": files})
    assert response.status_code == 400
    assert "We couldn’t understand that request" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert stored_bytes() <= LIMIT
    assert [record["name"] for record in WITNESSED] == ["part0.csv"]


def test_at_the_default_limit_of_20_mb(settings, tmp_path, client_in):
    """The production limits as they are, not small ones for the test."""
    WITNESSED.clear()
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_HANDLERS = [OURS, WITNESS, *DJANGOS]
    limit = settings.PREP_IMPORT_MAX_BYTES
    assert limit == 20 * 1024 * 1024
    big = SimpleUploadedFile("cards.csv", b"Q,A,T\n" * (limit // 6 + 1))
    response = client_in.post(IMPORT_URL, {"file": big})
    assert "The file is larger than 20.0\xa0MB, the most an import takes." in (
        response.content.decode()
    )
    assert stored_bytes() <= limit
    assert temporary_file_sizes() == []


# Restoring a backup -----------------------------------------------------------------------


@pytest.fixture
def real_backup(db) -> bytes:
    """A backup downloaded from someone's account: a topic with a card in it."""
    someone = make_user("someone")
    make_card(make_topic(owner=someone, name="Kafka"), owner=someone, front="What is a log?")
    client = Client()
    client.force_login(someone)
    response = client.get(reverse("accounts:backup_download"))
    return b"".join(response.streaming_content)


def test_a_backup_over_the_limit_is_refused_and_nothing_restored(
    watched, client_in, user, real_backup
):
    # JSON allows trailing white space: the same backup, grown past the limit.
    big = real_backup + b" " * 1_000_000
    response = client_in.post(RESTORE_URL, {"file": SimpleUploadedFile("backup.json", big)})
    assert response.status_code == 413
    assert "Nothing was restored: the file is larger than the limit of" in (
        response.content.decode()
    )
    assert not Topic.objects.filter(owner=user).exists()
    assert_nothing_kept()


def test_the_same_backup_under_the_limit_restores(watched, client_in, user, real_backup):
    """The refused file was a good backup: only its size was wrong."""
    response = client_in.post(RESTORE_URL, {"file": SimpleUploadedFile("backup.json", real_backup)})
    assert response.status_code == 302
    assert Card.objects.filter(owner=user, front="What is a log?").exists()


# A spoken answer ------------------------------------------------------------------------------


def test_a_recording_over_the_limit_is_not_kept_and_the_page_says_so(watched, client_in, user):
    InterviewerQuestion.objects.create(owner=user, area="technical", text="Why?", key_points=["a"])
    session = mock_services.start_mock(
        user=user, areas=["technical"], count=1, time_limit_seconds=600
    ).session
    answer = session.answers.get()
    content = recordings.webm() + bytes(3 * LIMIT)
    response = client_in.post(
        reverse("mock:audio_upload", args=[session.pk]),
        {"answer": answer.pk, "seconds": "2", "audio": SimpleUploadedFile("a.webm", content)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "at most 195.3\xa0KB is kept. Nothing was saved" in response.content.decode()
    answer.refresh_from_db()
    assert not answer.audio
    assert_nothing_kept()


# Everywhere else --------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/accounts/login/", "/no/such/page/"])
def test_a_route_that_takes_no_file_keeps_no_more_than_the_largest_limit(watched, client, url):
    watched.PREP_IMPORT_MAX_BYTES = LIMIT // 2
    big = SimpleUploadedFile("big.bin", b"x" * 1_000_000)
    client.post(url, {"username": "someone", "password": "wrong", "file": big})
    assert stored_bytes() <= LIMIT
    assert temporary_file_sizes() == []
