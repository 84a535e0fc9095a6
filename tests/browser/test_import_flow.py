"""Importing cards in the browser: upload a CSV with one bad line, read the
preview and its error, confirm, watch the progress finish, find the cards."""

import re

from playwright.sync_api import Page, expect

from cards.models import Card, ImportJob, Topic
from tests.browser.helpers import log_in
from tests.factories import make_card, make_topic, make_user

CSV = (
    "front,back,topic,tags\n"
    "What is a partition?,An ordered append-only log,Kafka,kafka storage\n"
    ",A back without a front,Kafka,\n"
    "What is a consumer group?,Consumers that share the partitions,Kafka,kafka\n"
    "What is a quorum?,A majority of the replicas,Distributed systems,\n"
)


def open_import_page(page: Page, username: str) -> None:
    page.get_by_role("button", name=username).click()  # the user menu
    page.locator("#nav").get_by_role("link", name="Import cards").click()
    expect(page.get_by_role("heading", name="Import cards")).to_be_visible()
    page.wait_for_load_state("load")  # import.js is deferred


def test_upload_preview_confirm_and_find_the_cards(page: Page, tmp_path):
    dana = make_user("dana")
    systems = make_topic(owner=dana, name="Distributed systems")
    make_card(systems, dana, front="What is a quorum?", back="Most of the nodes")
    path = tmp_path / "kafka.csv"
    path.write_text(CSV, encoding="utf-8")

    log_in(page, "dana")
    open_import_page(page, "dana")
    page.locator("input[type=file]").set_input_files(path)
    page.get_by_role("button", name="Upload and preview").click()

    # The preview: what will happen, and the bad line with its number.
    expect(page).to_have_url(re.compile(r"/import/\d+/$"))
    expect(page.get_by_test_id("import-new")).to_have_text("2 new cards")
    expect(page.get_by_test_id("import-duplicates")).to_contain_text("1 duplicate")
    expect(page.get_by_test_id("import-duplicates")).to_contain_text(": line 5")
    expect(page.get_by_test_id("import-error-count")).to_have_text("1 line with errors, left out")
    expect(page.get_by_test_id("import-new-topics")).to_have_text("New topic: Kafka")
    expect(page.get_by_test_id("import-error")).to_have_text("Line 3: the front is empty")
    rows = page.get_by_test_id("import-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("What is a partition?")
    expect(rows.nth(2)).to_contain_text("duplicate")
    assert Card.objects.filter(owner=dana).count() == 1  # nothing written yet
    assert not Topic.objects.filter(name="Kafka").exists()

    # Confirm, keeping the card already there: the progress bar runs, then finishes.
    page.get_by_label("Skip them: keep my cards as they are").check()
    page.get_by_role("button", name="Confirm and import").click()
    expect(page.locator("#import-status")).to_be_visible()
    expect(page.get_by_test_id("import-done")).to_have_text(
        "Import finished: 2 cards created, 1 duplicate skipped."
    )
    progress = page.get_by_test_id("import-progress")
    expect(progress).to_have_attribute("aria-valuenow", "100")
    job = ImportJob.objects.get(owner=dana)
    assert job.status == ImportJob.Status.DONE

    # The topic the import created, with the cards in it.
    page.get_by_test_id("import-topics").get_by_role("link", name="Kafka").click()
    expect(page.get_by_role("heading", name="Kafka")).to_be_visible()
    expect(page.get_by_text("2 cards")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("What is a partition?"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("What is a consumer group?"))).to_be_visible()
    assert Card.objects.get(front="What is a quorum?").back == "Most of the nodes"
    assert sorted(Card.objects.get(front="What is a partition?").tags.names()) == [
        "kafka",
        "storage",
    ]


def test_a_file_over_the_limit_is_stopped_before_it_is_sent(page: Page, tmp_path, settings):
    make_user("erin")
    settings.PREP_IMPORT_MAX_BYTES = 100
    path = tmp_path / "big.csv"
    path.write_text("Question,Answer,Topic\n" * 20, encoding="utf-8")
    requests = []
    page.on("request", lambda request: request.method == "POST" and requests.append(request))

    log_in(page, "erin")
    requests.clear()
    open_import_page(page, "erin")
    field = page.locator("input[type=file]")
    field.set_input_files(path)
    expect(page.locator("#import-form input[type=file]:invalid")).to_have_count(1)
    message = field.evaluate("input => input.validationMessage")
    assert message == "This file is 440 bytes; an import takes at most 100 bytes."
    page.get_by_role("button", name="Upload and preview").click()
    expect(page).to_have_url(re.compile(r"/import/$"))
    assert requests == []
    assert not ImportJob.objects.exists()


def test_an_anki_deck_with_a_picture_shows_it_on_the_card(page: Page, tmp_path, browser_problems):
    from tests.cards.imports.test_anki_media import package_with_media

    # The deck's back names a picture the package lacks: it shows as a broken image.
    browser_problems.allow(r"/media/missing\.png$")
    make_user("erin")
    path = package_with_media(tmp_path, legacy=False)  # a picture, a sound, a missing picture
    log_in(page, "erin")
    open_import_page(page, "erin")
    page.locator("input[type=file]").set_input_files(path)
    page.get_by_role("button", name="Upload and preview").click()
    expect(
        page.get_by_text("1 image comes with the cards; only you will see them.")
    ).to_be_visible()
    expect(page.get_by_text("1 sound is left out of the cards")).to_be_visible()
    page.get_by_role("button", name="Confirm and import").click()
    expect(page.get_by_test_id("import-done")).to_contain_text("1 card created")

    card = Card.objects.get(owner__username="erin")
    page.goto(f"/cards/{card.pk}/")
    picture = page.locator(f'img[src="/cards/{card.pk}/media/red_checker.png"]')
    expect(picture).to_be_visible()
    # The browser has loaded it: a real one-pixel image, not a broken one.
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 1", arg=picture.element_handle()
    )
