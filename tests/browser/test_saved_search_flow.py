"""Saved searches in the browser: search, save the search, open it again from
the navigation's menu, study the cards it finds and grade one."""

from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in, on_study_page
from tests.factories import make_card, make_topic, make_user


def test_search_save_open_from_the_menu_and_study_these(page: Page):
    dana = make_user("dana")
    streams = make_topic(owner=dana, name="Streams")
    make_card(streams, dana, front="Kafka partitions", back="Ordered logs")
    make_card(streams, dana, front="Redis eviction", back="LRU")

    log_in(page, "dana")
    page.get_by_role("navigation").get_by_role("link", name="Cards").click()
    search = page.get_by_role("searchbox", name="Card search")
    search.fill("kafka")
    search.press("Enter")
    expect(page.locator(".browser-row")).to_have_count(1)

    page.get_by_text("Save search", exact=True).click()
    page.get_by_label("Name for this search").fill("Kafka cards")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved the search as “Kafka cards”.")).to_be_visible()

    # From another page, the menu beside "Cards" lists it.
    page.get_by_role("navigation").get_by_role("link", name="Progress").click()
    page.get_by_role("button", name="Saved searches").click()
    page.get_by_role("link", name="Kafka cards").click()
    expect(page.get_by_role("searchbox", name="Card search")).to_have_value("kafka")
    expect(page.locator(".browser-row")).to_have_count(1)

    page.get_by_role("button", name="Study these").click()
    on_study_page(page)
    expect(page.get_by_test_id("study-search")).to_contain_text("kafka")
    expect(page.get_by_test_id("question")).to_contain_text("Kafka partitions")
    page.keyboard.press("Space")
    expect(page.get_by_test_id("answer")).to_be_visible()
    page.keyboard.press("4")
    expect(page.get_by_text("Redis eviction")).to_have_count(0)
    expect(page.locator("#study-card")).to_have_attribute("data-state", "done")
