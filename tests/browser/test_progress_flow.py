"""The progress dashboard on a phone: the year of reviews opens on its latest
weeks, its month names do not run into each other, and the topics table fits."""

import itertools

from django.utils import timezone
from playwright.sync_api import Page, expect

from cards.study import services
from tests.browser.helpers import PHONE, assert_fits_a_phone, log_in
from tests.factories import make_card, make_topic, make_user


def test_the_dashboard_reads_on_a_phone(page: Page):
    user = make_user("hana")
    card = make_card(make_topic(owner=user, name="Networking"), user, front="What is TCP?")
    services.grade_prompt(
        user=user,
        session=None,
        prompt=card.prompts.get(),
        rating=3,
        expected_reps=0,
        duration_ms=3000,
        now=timezone.now(),
    )

    page.set_viewport_size(PHONE)
    log_in(page, "hana")
    page.goto("/progress/")
    heatmap = page.get_by_role("img", name="Calendar of reviews per day")
    expect(heatmap).to_be_visible()
    assert_fits_a_phone(page, "the progress dashboard")

    # The chart is wider than the screen; today's square (the one review) is in view.
    scroller = page.get_by_test_id("heatmap-scroll")
    scroll_left, scroll_width, client_width = scroller.evaluate(
        "box => [box.scrollLeft, box.scrollWidth, box.clientWidth]"
    )
    assert scroll_width > client_width
    assert scroll_left + client_width >= scroll_width - 1
    today = heatmap.locator("rect", has=page.locator("title", has_text=": 1 review"))
    expect(today).to_have_count(1)
    box = today.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

    # Each month's name ends before the next one starts.
    names = heatmap.locator("text[y='12']")
    boxes = [names.nth(i).bounding_box() for i in range(names.count())]
    boxes.sort(key=lambda b: b["x"])
    assert len(boxes) >= 12
    for left, right in itertools.pairwise(boxes):
        assert left["x"] + left["width"] <= right["x"], "two month names overlap"

    # The topics table fits the screen, with each topic's mastery bar under its name.
    table = page.get_by_test_id("topic-table")
    expect(table.get_by_role("row", name="Networking")).to_contain_text("0 / 1")
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    retention = table.get_by_role("columnheader", name="Retention").bounding_box()
    assert retention["x"] + retention["width"] <= PHONE["width"]
