"""The Your data page over HTTP (download, upload, merge, refusals) and the
export_user and import_user commands."""

import gzip
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts import backup
from accounts.backup import backup_bytes, backup_document
from accounts.models import Profile
from tests.accounts.backups import NOW, snapshot, total_rows, upload
from tests.factories import make_card, make_user

pytestmark = pytest.mark.django_db


def test_data_page_shows_contents_and_links(client_in, full_user):
    response = client_in.get(reverse("accounts:data"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "5 cards" in page
    for name in ["accounts:backup_download", "accounts:backup_download_gzip", "cards:export_csv"]:
        assert reverse(name) in page
    assert 'enctype="multipart/form-data"' in page
    assert "<script>" not in page
    assert reverse("accounts:data") in client_in.get(reverse("cards:topic_list")).content.decode()


def test_counts_read_in_the_singular_for_one(client, user, topic):
    make_card(topic, user)
    client.force_login(user)
    page = client.get(reverse("accounts:data")).content.decode()
    contents = re.search(r'data-testid="contents">(.*?)</ul>', page, re.S).group(1)
    assert "<li>1 topic</li>" in contents and "<li>1 card</li>" in contents
    assert "<li>0 reviews</li>" in contents and "<li>0 study sessions</li>" in contents
    assert backup.counted(1, "study_sessions") == "1 study session"
    assert backup.counted(2, "quizzes") == "2 quizzes"


def test_download_then_upload_into_a_new_account(client, client_in, full_user):
    response = client_in.get(reverse("accounts:backup_download"))
    assert response["Content-Type"] == "application/json"
    assert "prep-backup-alice-" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    content = b"".join(response.streaming_content)
    packed = client_in.get(reverse("accounts:backup_download_gzip"))
    unpacked = json.loads(gzip.decompress(b"".join(packed.streaming_content)))
    assert unpacked | {"exported_at": None} == json.loads(content) | {"exported_at": None}

    newcomer = make_user("newcomer")
    client.force_login(newcomer)
    response = upload(client, content)

    assert response.status_code == 302
    assert response.url == reverse("accounts:data")
    assert snapshot(newcomer) == snapshot(full_user)
    page = client.get(response.url).content.decode()
    assert "Backup restored" in page


def test_upload_into_a_non_empty_account_is_refused_then_merged(client_in, user, full_user):
    content = backup_bytes(backup_document(user=full_user, now=NOW))
    before = total_rows()
    response = upload(client_in, content)
    assert response.status_code == 400
    assert "Nothing was restored: Your account is not empty" in response.content.decode()
    assert total_rows() == before

    response = upload(client_in, content, merge=True)
    assert response.status_code == 302
    assert total_rows() == before  # everything was already there


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\xff\xd8\xff\xe0 binary", "it is binary, not JSON text"),
        (
            b'{"format": "prep-backup", "version": 8}',
            "made by a newer version of prep (format 8); this version reads format 7",
        ),
    ],
)
def test_bad_upload_says_why_and_writes_nothing(client_in, content, message):
    before = total_rows()
    response = upload(client_in, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert total_rows() == before


def test_upload_over_the_size_limit_is_refused_unread(client_in, settings, monkeypatch):
    settings.PREP_BACKUP_MAX_BYTES = 1000
    monkeypatch.setattr(backup, "read_backup", lambda *a, **k: pytest.fail("file was read"))
    before = total_rows()
    response = upload(client_in, b"{" + b" " * 200_000 + b"}")
    assert response.status_code == 413
    assert "larger than the limit of 1,000 bytes" in response.content.decode()
    assert total_rows() == before


def test_upload_without_a_file_asks_for_one(client_in):
    response = client_in.post(reverse("accounts:backup_restore"), {})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_restore_needs_post_and_a_csrf_token(client_in, user):
    assert client_in.get(reverse("accounts:backup_restore")).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    response = strict.post(
        reverse("accounts:backup_restore"), {"file": SimpleUploadedFile("b.json", b"{}")}
    )
    assert response.status_code == 403


def test_visitors_cannot_restore(client, db):
    response = client.post(reverse("accounts:backup_restore"))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# Commands --------------------------------------------------------------------------------


def test_commands_round_trip(full_user, tmp_path, capsys):
    path = tmp_path / "alice.json.gz"
    call_command("export_user", "alice", "-o", str(path))
    assert gzip.decompress(path.read_bytes()).startswith(b'{\n "format": "prep-backup"')

    call_command("import_user", "carol", str(path), "--create")

    carol = Profile.objects.get(user__username="carol").user
    assert not carol.has_usable_password()
    assert snapshot(carol) == snapshot(full_user)
    assert "Backup restored" in capsys.readouterr().out


def test_export_user_writes_to_standard_output(full_user, capfdbinary):
    call_command("export_user", "alice")
    document = json.loads(capfdbinary.readouterr().out)
    assert document["user"] == {"username": "alice"}


def test_import_user_refusals(full_user, tmp_path):
    path = tmp_path / "alice.json"
    call_command("export_user", "alice", "-o", str(path))
    with pytest.raises(CommandError, match="no user called “dave”; pass --create"):
        call_command("import_user", "dave", str(path))
    with pytest.raises(CommandError, match="Nothing was restored: Your account is not empty"):
        call_command("import_user", "alice", str(path))
    call_command("import_user", "alice", str(path), "--merge")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_user", "alice", str(tmp_path / "missing.json"))
    (tmp_path / "empty.json").write_bytes(b"")
    with pytest.raises(CommandError, match="The file is empty"):
        call_command("import_user", "dave", str(tmp_path / "empty.json"), "--create")
    with pytest.raises(CommandError, match="larger than the limit"):
        call_command("import_user", "dave", str(path), "--create", "--max-bytes", "100")
    assert not Profile.objects.filter(user__username="dave").exists()


def test_export_user_needs_an_existing_user(db):
    with pytest.raises(CommandError, match="no user called “nobody”"):
        call_command("export_user", "nobody")
