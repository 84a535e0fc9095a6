"""Deleting an account in the browser: from Settings to the delete page, which
offers the backup first; a wrong password keeps everything; the right one
deletes the account, logs out and says so, and the login is refused after."""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from cards.models import Card
from tests.browser.helpers import log_in
from tests.factories import PASSWORD, make_card, make_topic, make_user


def test_a_person_deletes_their_account(page: Page, browser_problems):
    browser_problems.allow(r"/accounts/delete/$")  # the wrong password answers 400
    fay = make_user("fay")
    make_card(make_topic(owner=fay, name="Kafka"), fay, front="What is a partition?")

    log_in(page, "fay")
    page.get_by_role("button", name="fay").click()  # the user menu
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Delete account…").click()

    expect(page.get_by_role("heading", name="Delete your account")).to_be_visible()
    expect(page.get_by_test_id("delete-backup")).to_have_attribute(
        "href", "/accounts/data/backup.json"
    )
    with page.expect_download() as download:
        page.get_by_test_id("delete-backup").click()
    assert download.value.suggested_filename.startswith("prep-backup-fay-")

    page.get_by_label("Your password").fill("not my password")
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("That is not your password. Nothing was deleted.")).to_be_visible()
    assert Card.objects.filter(owner=fay).count() == 1

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page).to_have_url(re.compile(r"/accounts/deleted/$"))
    expect(page.get_by_test_id("account-deleted")).to_contain_text("everything in it are gone")
    assert not get_user_model().objects.filter(username="fay").exists()
    assert Card.objects.filter(front="What is a partition?").count() == 0

    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill("fay")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_text(re.compile("Please enter a correct username and password"))
    ).to_be_visible()
