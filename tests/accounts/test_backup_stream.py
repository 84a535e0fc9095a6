"""A restore reads the file as a stream: cards, progress and reviews a row at a
time, written a batch at a time, so a large backup never sits in memory whole.
Against the real database, with the file limits made small so the tests stay small."""

import gzip
import io
import json

import pytest

from accounts.backup import BackupRejected, backup_bytes, backup_document, read_backup
from accounts.backup import file as backup_file
from accounts.backup import restore as backup
from cards.models import Card, Progress, ReviewLog
from tests.accounts.backups import NOW, snapshot, total_rows
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_reads(monkeypatch):
    """The reader takes the file a kilobyte at a time, so what it holds is
    counted to the kilobyte; the parts read whole may hold 64 KB in all."""
    monkeypatch.setattr(backup_file, "READ_CHUNK", 1024)
    monkeypatch.setattr(backup_file, "HELD_LIMIT", 64 * 1024)


def document_of(user) -> dict:
    return json.loads(backup_bytes(backup_document(user=user, now=NOW)))


def assert_refused(content: bytes, match: str, *, user=None, **limits):
    """Restoring ``content`` (into a new account unless ``user``) is refused with
    a message matching ``match``, and nothing at all is written. Returns the account."""
    target = user or make_user("copy")
    before = total_rows()
    with pytest.raises(BackupRejected, match=match):
        opened = read_backup(io.BytesIO(content), **limits)
        backup.restore_backup(user=target, data=opened, merge=False)
    assert total_rows() == before
    return target


def test_the_large_sections_are_not_held_whole(history_user, small_reads):
    document = document_of(history_user)
    content = backup_bytes(document)
    reviews = len(json.dumps(document["reviews"]).encode())
    assert reviews > 5 * backup_file.HELD_LIMIT  # could not have been held

    target = make_user("copy")
    report = backup.restore_backup(user=target, data=read_backup(io.BytesIO(content)), merge=False)

    assert report.added["reviews"] == 900 == ReviewLog.objects.filter(user=target).count()
    assert report.added["cards"] == 60
    assert snapshot(target) == snapshot(history_user)


def test_parts_in_another_order_restore_the_same(history_user):
    content = json.dumps(document_of(history_user), sort_keys=True).encode()
    assert content.index(b'"cards"') < content.index(b'"topics"')
    target = make_user("sorted")
    backup.restore_backup(user=target, data=read_backup(io.BytesIO(content)), merge=False)
    assert snapshot(target) == snapshot(history_user)


def test_large_sections_out_of_order_are_refused_past_the_memory_limit(history_user, small_reads):
    # Sorted keys put cards, progress and reviews before the topics they need:
    # they would all have to be held, and they are over the limit.
    content = gzip.compress(json.dumps(document_of(history_user), sort_keys=True).encode())
    assert_refused(content, r"too large to restore.*64 KB in all")


def test_a_row_over_the_row_limit_is_named(history_user, monkeypatch):
    monkeypatch.setattr(backup_file, "READ_CHUNK", 512)
    monkeypatch.setattr(backup_file, "ROW_LIMIT", 8 * 1024)
    document = document_of(history_user)
    document["cards"][7]["back"] = "x" * 9_000  # within the card's limit, over the row's
    assert_refused(backup_bytes(document), r"^cards\[7\]: the row is larger than 8 KB\.$")


def test_a_problem_in_the_last_review_undoes_the_batches_already_written(history_user, monkeypatch):
    monkeypatch.setattr(backup, "STREAM_CHUNK", 100)  # nine batches of reviews
    document = document_of(history_user)
    document["reviews"][-1]["rating"] = 9
    target = assert_refused(backup_bytes(document), r"^reviews\[899\]\.rating: ")
    assert not Card.objects.filter(owner=target).exists()
    assert not Progress.objects.filter(user=target).exists()


def test_merging_a_backup_into_itself_in_batches_keeps_everything_once(history_user, monkeypatch):
    monkeypatch.setattr(backup, "STREAM_CHUNK", 7)
    content = backup_bytes(backup_document(user=history_user, now=NOW))
    before = snapshot(history_user)
    report = backup.restore_backup(
        user=history_user, data=read_backup(io.BytesIO(content)), merge=True
    )
    assert sum(report.added.values()) == 0
    assert report.kept["reviews"] == 900
    assert report.kept["cards"] == 60
    assert snapshot(history_user) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"format": "prep-backup", "version": 2, "cards": [{"id": "c1"}', "not valid JSON"),
        (b'{"format": "prep-backup", "version": 2, "cards": [1, 2]} trailing', "not valid JSON"),
        (b'{"format": "prep-backup", "version": 2, "extra": 1}', "extra: is not a part"),
        (b'{"version": 2, "format": "prep-backup", "version": 2}', "“version” appears twice"),
        (b'{"format": "prep-backup", "version": 2, "reviews": {"a": 1}', "not valid JSON"),
    ],
)
def test_broken_streams_are_refused_with_nothing_written(user, content, message):
    assert_refused(content, message, user=user)


def test_a_file_that_unpacks_past_the_limit_is_refused_before_any_work(history_user):
    content = gzip.compress(backup_bytes(backup_document(user=history_user, now=NOW)))
    with pytest.raises(BackupRejected, match="Unpacked, the backup is larger than the limit"):
        read_backup(io.BytesIO(content), max_unpacked=200_000)


def test_a_file_that_unpacks_past_the_limit_midway_is_refused(history_user):
    content = gzip.compress(backup_bytes(backup_document(user=history_user, now=NOW)))
    lying = content[:-4] + (1000).to_bytes(4, "little")  # gzip's trailer claims 1,000 bytes
    target = make_user("copy")
    before = total_rows()
    opened = read_backup(io.BytesIO(lying), max_unpacked=200_000)
    assert opened.unpacked_size == 1000
    with pytest.raises(BackupRejected, match="Unpacked, the backup is larger than the limit"):
        backup.restore_backup(user=target, data=opened, merge=False)
    assert total_rows() == before
