"""Backup and restore (accounts/backup.py, the export_user and import_user
commands), against the real database: the document, restoring into an empty
account, refusals and merging."""

import copy
import gzip
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.db import IntegrityError

from accounts import backup
from accounts.backup import (
    BackupRejected,
    backup_bytes,
    backup_document,
    read_backup,
    restore_backup,
)
from accounts.models import Profile
from cards.models import Card, Progress, ReviewLog, StudySession, Topic
from interviews.backup import MOCK_SESSIONS
from interviews.checklists.services import seed_question_bank
from interviews.models import Interview
from tests.accounts.backups import (
    FITTED,
    NOW,
    build_account,
    grade,
    restore_file,
    snapshot,
    total_rows,
)
from tests.factories import make_card, make_topic, make_user

pytestmark = pytest.mark.django_db


# The document ----------------------------------------------------------------------------


def test_document_holds_every_part(full_user, starter):
    document = backup_document(user=full_user, now=NOW)
    assert list(document) == list(backup.TOP_LEVEL)
    assert document["format"] == "prep-backup"
    assert document["version"] == 7
    assert document["exported_at"] == "2026-03-01T09:30:15.123456Z"
    assert document["user"] == {"username": "alice"}
    assert document["settings"] == {
        "new_cards_per_day": 35,
        "timezone": "Europe/Berlin",
        "question_bank_seeded": True,
        "new_card_spread": "by_topic",
        "new_card_source": "mixed",
        "new_card_order": "random",
        "followup_cards_auto": True,
    }
    assert document["scheduler"] == {
        "desired_retention": 0.85,
        "parameters": FITTED,
        "optimized_at": "2026-03-04T09:30:15.123463Z",
        "metrics": {
            "reviews": 80,
            "default": {"log_loss": 0.41, "rmse": 0.07},
            "fitted": {"log_loss": 0.3812345678901234, "rmse": 0.052},
            "kept": True,
        },
        "light_weekdays": [2, 6],
        "light_dates": ["2026-12-24", "2026-12-31"],
        "interview_days_light": False,
    }
    assert [t["name"] for t in document["topics"]] == ["Kafka", "Ünïcode ✓"]
    assert len(document["cards"]) == 5
    assert {c["topic"] for c in document["cards"]} == {"t1", "t2", "starter:system-design"}
    assert {p["card"] for p in document["progress"]} >= {"starter:sd-lb"}
    assert len(document["reviews"]) == ReviewLog.objects.filter(user=full_user).count() == 10
    assert document["mock_sessions"][0]["answers"][0]["question"] == "starter:beh-conflict"
    assert document["mock_sessions"][0]["answers"][0]["score"] == 2 / 3
    assert document["hidden_cards"] == [
        {"card": "starter:sd-cdn", "hidden_at": "2026-03-01T09:30:15.123456Z"}
    ]
    # The starter library itself is not in anyone's backup.
    assert "What is a load balancer?" not in backup_bytes(document).decode()


def test_the_same_data_gives_the_same_bytes(full_user):
    assert backup_bytes(backup_document(user=full_user, now=NOW)) == backup_bytes(
        backup_document(user=full_user, now=NOW)
    )


def test_the_download_streams_the_same_bytes_as_the_whole_document(full_user):
    """The large sections are read as they are written (backup_sections); the file
    is the one the whole document gives, byte for byte."""
    streamed = b"".join(backup.backup_json_chunks(backup.backup_sections(user=full_user, now=NOW)))
    assert streamed == backup_bytes(backup_document(user=full_user, now=NOW))


def test_each_row_of_a_section_is_a_line_of_its_own(full_user):
    lines = backup_bytes(backup_document(user=full_user, now=NOW)).decode().splitlines()
    assert lines[:3] == ["{", ' "format": "prep-backup",', ' "version": 7,']
    reviews = lines.index(' "reviews": [')
    rows = [json.loads(line.strip().rstrip(",")) for line in lines[reviews + 1 : reviews + 11]]
    assert lines[reviews + 11] == " ],"
    in_order = ReviewLog.objects.filter(user=full_user).order_by("pk")
    assert [row["reviewed_at"] for row in rows] == [
        backup._when(when) for when in in_order.values_list("reviewed_at", flat=True)
    ]
    empty = backup_document(user=make_user("nobody"), now=NOW)
    assert ' "reviews": [],' in backup_bytes(empty).decode().splitlines()


def test_floats_are_written_exactly(full_user):
    document = backup_document(user=full_user, now=NOW)
    stored = sorted(Progress.objects.filter(user=full_user).values_list("stability", flat=True))
    parsed = json.loads(backup_bytes(document))
    assert sorted(p["stability"] for p in parsed["progress"]) == stored


def test_another_persons_data_is_not_in_a_backup(full_user, other_user, starter):
    build_account(other_user, starter)
    document = backup_document(user=full_user, now=NOW)
    restored = make_user("copy")
    restore_file(restored, backup_bytes(document))
    assert snapshot(restored) | {"profile": None} == snapshot(full_user) | {"profile": None}


# Restoring into an empty account -------------------------------------------------------


def test_restore_into_a_new_account_reproduces_every_row(full_user):
    content = backup_bytes(backup_document(user=full_user, now=NOW))
    copy_user = make_user("bob")

    report = restore_file(copy_user, content)

    assert snapshot(copy_user) == snapshot(full_user)
    assert report.added["cards"] == 5
    assert "Backup restored" in str(report)
    # Restored sessions search for new cards from the start: always right.
    assert [s.new_from for s in StudySession.objects.filter(user=copy_user)] == [0]
    again = backup_document(user=copy_user, now=NOW)
    again["user"]["username"] = "alice"
    assert backup_bytes(again) == content


def test_restore_replaces_the_untouched_sign_up_question_bank(full_user, starter):
    content = backup_bytes(backup_document(user=full_user, now=NOW))
    newcomer = make_user("newcomer")
    seed_question_bank(user=newcomer)  # what sign-up does
    restore_file(newcomer, content)
    assert snapshot(newcomer) == snapshot(full_user)


def test_restore_works_from_gzip_and_zip(full_user):
    content = backup_bytes(backup_document(user=full_user, now=NOW))
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("prep-backup.json", content)
    for i, variant in enumerate([gzip.compress(content), packed.getvalue()]):
        target = make_user(f"copy{i}")
        restore_file(target, variant)
        assert snapshot(target) == snapshot(full_user)


def test_backup_of_an_empty_account_restores(user):
    content = backup_bytes(backup_document(user=user, now=NOW))
    target = make_user("empty2")
    report = restore_file(target, content)
    assert "it was empty" in str(report)
    assert snapshot(target) == snapshot(user)


# Refusals -------------------------------------------------------------------------------


def test_non_empty_account_is_refused_without_merge(full_user, other_user):
    make_card(make_topic(owner=other_user), owner=other_user)
    content = backup_bytes(backup_document(user=full_user, now=NOW))
    before = total_rows()

    with pytest.raises(BackupRejected, match="not empty.*1 topic, 1 card.*merge"):
        restore_file(other_user, content)

    assert total_rows() == before


def _bad(document: dict, path: str, value=..., *, delete: bool = False) -> dict:
    document = copy.deepcopy(document)
    *parents, last = path.split(".")
    target = document
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        last = int(last)
    if delete:
        del target[last]
    else:
        target[last] = value
    return document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _bad(d, "cards.2.front", delete=True), "cards[2].front: missing"),
        (lambda d: _bad(d, "cards.2.front", 42), "cards[2].front: must be a text, not a number"),
        (lambda d: _bad(d, "cards.1.kind", "essay"), "cards[1].kind: Value 'essay' is not"),
        (lambda d: _bad(d, "cards.1.front", "x" * 10_001), "cards[1].front: is 10,001 characters"),
        (lambda d: _bad(d, "cards.0.front", "a\x00b"), "cards[0].front: contains a null"),
        (lambda d: _bad(d, "cards.0.topic", "t99"), "cards[0].topic: “t99” is not a topic"),
        (lambda d: _bad(d, "cards.0.colour", "red"), "cards[0].colour: is not a field"),
        (lambda d: _bad(d, "cards.0.created_at", "yesterday"), "cards[0].created_at: “yesterday”"),
        (
            lambda d: _bad(d, "cards.0.created_at", "2026-01-01T10:00:00"),
            "cards[0].created_at: “2026-01-01T10:00:00” has no time zone",
        ),
        (lambda d: _bad(d, "progress.0.stability", "1.5"), "progress[0].stability: must be a"),
        (lambda d: _bad(d, "progress.0.state", 7), "progress[0].state: Value 7 is not"),
        (lambda d: _bad(d, "progress.0.ordinal", 5), "progress[0].ordinal: card “c1” has no"),
        (lambda d: _bad(d, "progress.0.reps", -1), "progress[0].reps: Ensure this value"),
        (lambda d: _bad(d, "reviews.3.rating", 9), "reviews[3].rating: Value 9 is not"),
        (lambda d: _bad(d, "reviews.0.session", "s9"), "reviews[0].session: “s9” is not"),
        (
            lambda d: _bad(d, "reviews.1.previous.user_id", 1),
            "reviews[1].previous.user_id: is not a field",
        ),
        (
            lambda d: _bad(d, "mock_sessions.0.answers.0.score", 1.5),
            "mock_sessions[0].answers[0].score: must be between 0 and 1",
        ),
        (
            lambda d: _bad(d, "mock_sessions.0.areas", ["cooking"]),
            "mock_sessions[0].areas[0]: “cooking” is not one of",
        ),
        (
            lambda d: _bad(d, "interviews.0.timezone", "Mars/Olympus"),
            "interviews[0].timezone: “Mars/Olympus” is not a time zone",
        ),
        (
            lambda d: _bad(d, "interviews.0.checklist.1.question", "a999"),
            "interviews[0].checklist[1].question: “a999” is not a question to ask",
        ),
        (lambda d: _bad(d, "settings.new_cards_per_day", 900), "settings.new_cards_per_day:"),
        (
            lambda d: _bad(d, "settings.new_card_order", "shuffled"),
            "settings.new_card_order: Value 'shuffled' is not a valid choice.",
        ),
        (lambda d: _bad(d, "settings.new_card_spread", delete=True), "new_card_spread: missing"),
        (
            lambda d: _bad(d, "scheduler.desired_retention", 0.99),
            "scheduler.desired_retention: Desired retention must be between 0.70 and 0.97",
        ),
        (
            lambda d: _bad(d, "scheduler.light_weekdays", [1, 7]),
            "scheduler.light_weekdays[1]: must be a weekday from 0 (Monday) to 6 (Sunday)",
        ),
        (
            lambda d: _bad(d, "scheduler.light_dates", ["2026-12-24", "24/12/2026"]),
            "scheduler.light_dates[1]: must be a date such as 2026-11-25",
        ),
        (
            lambda d: _bad(d, "scheduler.light_dates", ["9999-12-31"]),
            "scheduler.light_dates[0]",
        ),
        (
            lambda d: _bad(d, "scheduler.desired_retention", "0.9"),
            "scheduler.desired_retention: must be a number, not a text",
        ),
        (
            lambda d: _bad(d, "scheduler.parameters", [0.2, 1.3]),
            "scheduler.parameters: has 2 numbers; FSRS takes 21",
        ),
        (
            lambda d: _bad(d, "scheduler.parameters", {"w": 1}),
            "scheduler.parameters: must be null or a list of 21 numbers, not an object",
        ),
        (
            lambda d: _bad(d, "scheduler.parameters.3", True),
            "scheduler.parameters[3]: must be a number, not true/false",
        ),
        (
            lambda d: _bad(d, "scheduler.parameters.0", float("inf")),
            "scheduler.parameters: are not parameters FSRS takes (each must be finite",
        ),
        (
            lambda d: _bad(d, "scheduler.parameters.0", -5.0),
            "scheduler.parameters: are not parameters FSRS takes",
        ),
        (
            lambda d: _bad(d, "scheduler.optimized_at", "1999-12-31T23:59:59Z"),
            "scheduler.optimized_at: “1999-12-31T23:59:59Z” is not in the years prep can show "
            "(2000 to 2199)",
        ),
        (
            lambda d: _bad(d, "scheduler.metrics.reviews", -1),
            "scheduler.metrics.reviews: must be 0 or more",
        ),
        (
            lambda d: _bad(d, "scheduler.metrics.fitted.rmse", "low"),
            "scheduler.metrics.fitted.rmse: must be a number, not a text",
        ),
        (
            lambda d: _bad(d, "scheduler.metrics.kept", delete=True),
            "scheduler.metrics.kept: missing",
        ),
        (lambda d: _bad(d, "scheduler", [0.9]), "scheduler: must be an object"),
        (lambda d: _bad(d, "scheduler", delete=True), "scheduler: missing"),
        (lambda d: _bad(d, "topics", {}), "topics: must be a list"),
        (lambda d: _bad(d, "quizzes", delete=True), "quizzes: missing"),
        (lambda d: _bad(d, "extra", []), "extra: is not a part of a prep backup"),
        (lambda d: _bad(d, "version", 8), "newer version of prep (format 8); this version reads"),
        (lambda d: _bad(d, "format", "other"), "not a prep backup"),
    ],
)
def test_a_broken_row_is_named_and_nothing_is_written(full_user, change, message):
    document = change(backup_document(user=full_user, now=NOW))
    target = make_user("target")
    before = total_rows()

    with pytest.raises(BackupRejected) as error:
        restore_backup(user=target, data=json.loads(json.dumps(document)), merge=False)

    assert message in str(error.value)
    assert total_rows() == before


def test_newer_format_message_is_exact(user):
    document = backup_document(user=user, now=NOW)
    document["version"] = 8
    with pytest.raises(BackupRejected) as error:
        restore_backup(user=make_user("x"), data=document, merge=False)
    assert str(error.value) == (
        "This backup was made by a newer version of prep (format 8); this version reads format 7."
    )


def test_reference_to_starter_content_missing_here_is_named(full_user):
    document = backup_document(user=full_user, now=NOW)
    Card.objects.filter(starter_key="sd-lb").delete()
    with pytest.raises(BackupRejected, match=r"progress\[\d+\]\.card: the starter card “sd-lb”"):
        restore_backup(user=make_user("x"), data=document, merge=False)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"  \n ", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary, not JSON text"),
        (b'{"format": "prep-backup",\x00}', "binary, not JSON text"),
        (
            b"front,back\nq,a\n",
            "not valid JSON (lexical error: invalid string in json text, near “front,back q,a”)",
        ),
        (b'{"format": "prep-backup", "version": 1', "not valid JSON"),
        (b"[1, 2, 3]", "not a prep backup"),
        (
            b'{"format": "prep-backup", "version": NaN}',
            'invalid char in json text, near “": "prep-backup", "version": NaN}”',
        ),
        (b'{"format": "prep-backup", "format": "x"}', "appears twice"),
        (b"[" * 100_000 + b"]" * 100_000, "not a prep backup"),
        (
            b'{"format": "prep-backup", "topics": ' + b"[" * 100 + b"]" * 100 + b"}",
            "nested too deeply",
        ),
        (b"\x1f\x8b\x08\x00garbage", "cannot be unpacked"),
        (b"PK\x03\x04garbage", "zip file cannot be unpacked"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(user, content, message):
    before = total_rows()
    with pytest.raises(BackupRejected) as error:
        restore_file(user, content)
    assert message in str(error.value)
    assert total_rows() == before


def test_zip_must_hold_one_json_file():
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("a.json", "{}")
        archive.writestr("b.json", "{}")
    with pytest.raises(BackupRejected, match="exactly one .json file"):
        read_backup(io.BytesIO(packed.getvalue()))


def test_size_limit_applies_to_the_file_and_to_what_it_unpacks_to():
    big = b'{"format": "prep-backup", "pad": "' + b"x" * 5000 + b'"}'
    with pytest.raises(BackupRejected, match="larger than the limit of 4,000 bytes"):
        read_backup(io.BytesIO(big), max_bytes=4000)
    bomb = gzip.compress(b" " * 10_000_000)
    assert len(bomb) < 20_000
    with pytest.raises(BackupRejected, match="Unpacked, the backup is larger than the limit"):
        read_backup(io.BytesIO(bomb), max_bytes=100_000, max_unpacked=100_000)


def test_a_failure_while_writing_rolls_everything_back(full_user, monkeypatch):
    content = backup_bytes(backup_document(user=full_user, now=NOW))
    target = make_user("target")
    before = total_rows()

    def fail(self, checked):
        raise IntegrityError("simulated failure on the last part")

    monkeypatch.setattr(MOCK_SESSIONS, "write", fail)
    with pytest.raises(BackupRejected, match="could not be written.*nothing was restored"):
        restore_file(target, content)

    assert total_rows() == before


# Merging ---------------------------------------------------------------------------------


def test_merge_adds_what_is_missing_and_keeps_the_newer(full_user):
    document = backup_document(user=full_user, now=NOW)
    target = make_user("target")
    restore_backup(user=target, data=document, merge=False)
    later = NOW + timedelta(days=400)

    # Newer in the account: a card edited there, and one more grade on a prompt.
    kafka_cards = Card.objects.filter(owner=target, topic__slug="kafka").order_by("pk")
    edited_here = kafka_cards[0]
    Card.objects.filter(pk=edited_here.pk).update(back="Edited in the account", updated_at=later)
    graded = Progress.objects.filter(user=target, card__starter_key="sd-lb").get()
    grade(target, None, graded.prompt, 4, later)
    # Gone from the account: an interview, which the backup still has.
    Interview.objects.filter(user=target, company="Globex").delete()
    # Newer in the backup: another card.
    second = kafka_cards[1]
    entry = next(c for c in document["cards"] if c["front"] == second.front)
    entry["back"], entry["updated_at"] = "Edited in the backup", "2027-06-01T00:00:00.000000Z"
    entry["tags"] = ["from-backup"]
    progress_before = Progress.objects.get(pk=graded.pk)
    reviews_before = ReviewLog.objects.filter(user=target).count()

    with pytest.raises(BackupRejected, match="not empty"):
        restore_backup(user=target, data=document, merge=False)
    report = restore_backup(user=target, data=document, merge=True)

    assert Card.objects.get(pk=edited_here.pk).back == "Edited in the account"
    second.refresh_from_db()
    assert second.back == "Edited in the backup"
    assert [t.name for t in second.tags.all()] == ["from-backup"]
    assert Progress.objects.get(pk=graded.pk).reps == progress_before.reps  # account's newer
    assert ReviewLog.objects.filter(user=target).count() == reviews_before  # none twice
    assert Interview.objects.filter(user=target, company="Globex").count() == 1
    assert Card.objects.filter(owner=target).count() == 5
    assert report.added["interviews"] == 1
    assert report.updated["cards"] == 1
    assert report.kept["cards"] == 4
    assert "Backup merged" in str(report)


def test_merge_takes_newer_progress_and_missing_reviews_from_the_backup(full_user):
    target = make_user("target")
    restore_backup(user=target, data=backup_document(user=full_user, now=NOW), merge=False)
    # The original account studies on; the copy is behind.
    prompt = Progress.objects.get(user=full_user, card__starter_key="sd-lb").prompt
    grade(full_user, None, prompt, 2, NOW + timedelta(days=30))
    newer = backup_document(user=full_user, now=NOW)

    restore_backup(user=target, data=newer, merge=True)

    mine = Progress.objects.get(user=full_user, prompt=prompt)
    theirs = Progress.objects.get(user=target, prompt=prompt)
    fields = ["state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses"]
    assert [getattr(theirs, f) for f in fields] == [getattr(mine, f) for f in fields]
    assert snapshot(target) == snapshot(full_user)


def test_merging_the_same_backup_twice_changes_nothing(full_user):
    document = backup_document(user=full_user, now=NOW)
    target = make_user("target")
    restore_backup(user=target, data=document, merge=False)
    before = snapshot(target)
    report = restore_backup(user=target, data=document, merge=True)
    assert snapshot(target) == before
    assert sum(report.added.values()) == 0
    assert sum(report.updated.values()) == 0


def test_merge_into_an_account_with_other_data_keeps_both(full_user, other_user):
    theirs = make_topic(owner=other_user, name="Their own")
    make_card(theirs, owner=other_user, front="Their card")
    restore_backup(user=other_user, data=backup_document(user=full_user, now=NOW), merge=True)
    assert Card.objects.filter(owner=other_user).count() == 6
    assert Topic.objects.filter(owner=other_user).count() == 3
    # Their settings stay theirs: a merge never overwrites them.
    assert Profile.objects.get(user=other_user).new_cards_per_day == 20
