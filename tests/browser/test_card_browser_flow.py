"""The card browser in the browser: search, choose a column, sort, move through
the rows with the arrows, select with Space, open with Enter, and the table at
phone width."""

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import PHONE, assert_fits_a_phone, log_in
from tests.factories import make_card, make_topic, make_user


def test_search_sort_and_walk_the_cards_from_the_keyboard(page: Page):
    carol = make_user("carol")
    streams = make_topic(owner=carol, name="Streams")
    make_card(make_topic(name="Starter design"), front="CAP theorem", tags=["cap"])
    kafka = make_card(streams, carol, front="Kafka partitions", tags=["kafka"])
    make_card(streams, carol, front="Kafka consumer groups", tags=["kafka"])
    make_card(streams, carol, front="Redis eviction")

    log_in(page, "carol")
    page.get_by_role("navigation").get_by_role("link", name="Cards").click()
    rows = page.locator(".browser-row")
    expect(rows).to_have_count(4)
    expect(page.get_by_text("4 cards.")).to_be_visible()

    # "/" goes to the search; a search that cannot be read points at the place.
    page.keyboard.press("/")
    search = page.get_by_role("searchbox", name="Card search")
    expect(search).to_be_focused()
    search.fill("kafka prop:x>1")
    search.press("Enter")
    expect(page.get_by_test_id("pointer")).to_have_text("kafka prop:x>1\n      ^")
    expect(rows).to_have_count(0)
    search.fill("tag:kafka OR redis")
    search.press("Enter")
    expect(rows).to_have_count(3)
    expect(page).to_have_url(re.compile(r"q=tag%3Akafka(%20|\+)OR(%20|\+)redis"))

    # One more column, kept with the search.
    page.get_by_text("Columns", exact=True).click()
    page.get_by_label("Lapses").check()
    page.get_by_role("button", name="Show these columns").click()
    expect(page.get_by_role("columnheader", name="Lapses")).to_be_visible()
    expect(rows).to_have_count(3)

    # Sorted by front, A to Z, then Z to A.
    page.get_by_role("link", name="Front", exact=True).click()
    expect(page.get_by_role("columnheader", name="Front ▲")).to_have_attribute(
        "aria-sort", "ascending"
    )
    fronts = rows.locator(".browser-front a")
    expect(fronts).to_have_text(["Kafka consumer groups", "Kafka partitions", "Redis eviction"])
    page.get_by_role("link", name="Front ▲").click()
    expect(fronts).to_have_text(["Redis eviction", "Kafka partitions", "Kafka consumer groups"])

    # The arrows move the highlight, Space ticks a row, Enter opens its card.
    page.keyboard.press("ArrowDown")
    expect(rows.nth(0)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # stays on the last
    expect(rows.nth(2)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowUp")
    expect(rows.nth(1)).to_have_attribute("aria-selected", "true")
    expect(rows.nth(2)).to_have_attribute("aria-selected", "false")
    page.keyboard.press(" ")
    expect(rows.nth(1).get_by_role("checkbox")).to_be_checked()
    expect(page.locator("#browser-selected")).to_have_text("1")
    page.keyboard.press("ArrowUp")
    page.keyboard.press(" ")
    expect(page.locator("#browser-selected")).to_have_text("2")
    page.keyboard.press(" ")
    expect(page.locator("#browser-selected")).to_have_text("1")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/cards/{kafka.pk}/$"))

    # At phone width the table scrolls inside its box, not the page.
    page.set_viewport_size(PHONE)
    page.goto("/cards/?cols=front,topic,tags,kind,due,interval,stability,difficulty,recall")
    expect(rows).to_have_count(4)
    assert_fits_a_phone(page, "The card browser")
    box = page.locator(".browser-scroll")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    assert search.bounding_box()["width"] > PHONE["width"] * 0.6


def test_select_two_rows_suspend_them_and_undo(page: Page):
    dana = make_user("dana")
    streams = make_topic(owner=dana, name="Streams")
    for front in ("Kafka partitions", "Kafka consumer groups", "Redis eviction"):
        make_card(streams, dana, front=front)

    log_in(page, "dana")
    page.goto("/cards/?sort=front")
    rows = page.locator(".browser-row")
    expect(rows).to_have_count(3)
    bar = page.get_by_role("form", name="Act on the selected cards")
    expect(bar).to_be_hidden()  # until something is selected

    # Space ticks the first two rows; the bar appears with the count.
    page.keyboard.press("ArrowDown")
    page.keyboard.press(" ")
    page.keyboard.press("ArrowDown")
    page.keyboard.press(" ")
    expect(page.locator("#browser-selected")).to_have_text("2")
    expect(bar).to_be_visible()
    expect(
        bar.get_by_label("Topic to move the cards to")
    ).to_be_visible()  # moving is the first action
    bar.get_by_label("Action").select_option("Suspend")
    expect(bar.get_by_label("Topic to move the cards to")).to_be_hidden()
    bar.get_by_role("button", name="Apply").click()
    message = page.locator("#messages").get_by_role("alert")

    expect(message).to_contain_text("Suspended 2 cards.")
    expect(rows.filter(has_text="suspended")).to_have_count(2)
    expect(rows.filter(has_text="Redis eviction")).not_to_contain_text("suspended")

    message.get_by_role("button", name="Undo").click()
    expect(message).to_contain_text("Undone: 2 cards back in your study sessions again.")
    expect(rows.filter(has_text="suspended")).to_have_count(0)
    expect(message.get_by_role("button", name="Undo")).to_have_count(0)

    # The box in the header ticks the whole page.
    page.get_by_label("Select every card on this page").check()
    expect(page.locator("#browser-selected")).to_have_text("3")


def test_export_the_ticked_cards_as_a_csv_download(page: Page):
    dana = make_user("dana")
    streams = make_topic(owner=dana, name="Streams")
    make_card(streams, dana, front="Kafka partitions", tags=["kafka"])
    make_card(streams, dana, front="Redis eviction")

    log_in(page, "dana")
    page.goto("/cards/?q=kafka")
    rows = page.locator(".browser-row")
    expect(rows).to_have_count(1)
    rows.nth(0).get_by_role("checkbox").check()
    page.get_by_label("Export format").select_option("csv")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export", exact=True).click()
    assert re.fullmatch(r"prep-cards-\d{4}-\d{2}-\d{2}\.csv", download.value.suggested_filename)
    text = download.value.path().read_text(encoding="utf-8")
    assert "Kafka partitions" in text and "Redis eviction" not in text
