"""Restoring a large backup in the browser: the upload lands on a page whose
progress bar runs while a thread of the server restores the file, then says
what was restored; the data page then lists it."""

import gzip
import re
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.backup import backup_bytes, backup_document
from accounts.models import RestoreJob
from cards.models import ReviewLog
from tests.browser.helpers import log_in
from tests.conftest import stored_files
from tests.factories import make_user


def test_a_large_backup_restores_with_its_progress(page: Page, tmp_path, settings, media_root):
    settings.PREP_RESTORE_INLINE_BYTES = 4096  # this backup is restored in the background
    call_command("make_history", cards=30, reviews=300, user="old", seed=5, stdout=StringIO())
    old = get_user_model().objects.get(username="old")
    path = tmp_path / "prep-backup-old.json.gz"
    path.write_bytes(gzip.compress(backup_bytes(backup_document(user=old, now=old.date_joined))))
    make_user("erin")

    log_in(page, "erin")
    page.get_by_role("button", name="erin").click()  # the user menu
    page.get_by_role("link", name="Your data").click()
    page.get_by_label("Backup file").set_input_files(path)
    page.get_by_role("button", name="Restore").click()

    expect(page).to_have_url(re.compile(r"/data/restores/\d+/$"))
    expect(page.get_by_role("heading", name="Restore of “prep-backup-old.json.gz”")).to_be_visible()
    expect(page.get_by_test_id("restore-done")).to_contain_text(
        "Backup restored: 8 topics, 30 cards"
    )
    expect(page.get_by_test_id("restore-progress")).to_have_attribute("aria-valuenow", "100")
    erin = get_user_model().objects.get(username="erin")
    assert ReviewLog.objects.filter(user=erin).count() == 300
    assert RestoreJob.objects.get(user=erin).status == RestoreJob.Status.DONE
    assert stored_files(media_root) == []  # the kept backup is deleted

    page.get_by_role("link", name="Back to your data").click()
    expect(page.get_by_test_id("contents")).to_contain_text("30 cards")
    expect(page.get_by_test_id("restores")).to_contain_text("prep-backup-old.json.gz")
    expect(page.get_by_test_id("restores")).to_contain_text("Restored")
