"""Plan an interview, build its checklist of questions to ask, reorder it by
dragging and from the keyboard, tick questions off and note the answers."""

import re
import time

from playwright.sync_api import Page, expect

from interviews.checklists import services
from interviews.models import ChecklistItem, Interview
from interviews.starter import load_starter_questions
from tests.browser.audit import CONTRAST_OVER
from tests.browser.helpers import log_in
from tests.factories import make_user


def eventually(check, timeout: float = 5.0) -> None:
    """Wait for a write the page sent in the background to reach the database."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the change never reached the database"
        time.sleep(0.05)


def checklist_texts(interview: Interview) -> list[str]:
    return list(interview.checklist.values_list("text", flat=True))


# WCAG's contrast ratio of an element's text over the first opaque background
# behind it, a translucent text color blended over that background first.
CONTRAST = f"""element => ({CONTRAST_OVER})(getComputedStyle(element).color, element)"""


def contrast_on_page(locator) -> float:
    return locator.evaluate(CONTRAST)


def screen_texts(page: Page) -> list[str]:
    return page.locator(".checklist-item .form-check-label").all_inner_texts()


def test_plan_an_interview_build_reorder_and_tick_off_its_checklist(page: Page):
    load_starter_questions()
    user = make_user("planner")
    services.seed_question_bank(user=user)
    log_in(page, "planner")

    # Plan the interview.
    page.get_by_role("link", name="Interviews").first.click()
    expect(page.get_by_text("No interview coming up")).to_be_visible()
    page.get_by_role("link", name="Plan one").click()
    page.get_by_label("Company").fill("Initech")
    page.get_by_label("Role").fill("Data engineer")
    page.get_by_label("Date and time").fill("2031-06-01T09:30")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_label("Stage").select_option("system-design")
    page.get_by_role("button", name="Save interview").click()
    expect(page.get_by_role("heading", name="Initech")).to_be_visible()
    interview = Interview.objects.get(user=user)
    assert interview.timezone == "Europe/Berlin"

    # Add from the bank, filtered by category, without a page reload. The
    # filter links are only htmx links once the page's scripts have run.
    page.wait_for_load_state("load")
    page.evaluate("window.__marker = 1")
    page.get_by_role("link", name="Tech", exact=True).click()
    # The filtered panel has replaced the first one (boxes ticked before the
    # swap would be gone with it).
    expect(page.get_by_role("link", name="Tech", exact=True)).to_have_class(
        re.compile(r"\bactive\b")
    )
    choices = page.locator(".bank-choices input[type=checkbox]")
    expect(choices.first).to_be_visible()
    for index in range(3):
        choices.nth(index).check()
    page.get_by_role("button", name="Add selected").click()
    expect(page.get_by_text("Added 3 questions")).to_be_visible()
    expect(page.locator(".checklist-item")).to_have_count(3)

    # Write a new one on the spot, kept in the bank too.
    page.get_by_label("Your question").fill("Who would I pair with in my first week?")
    page.get_by_role("button", name="Add to checklist").click()
    expect(page.locator(".checklist-item")).to_have_count(4)
    assert page.evaluate("window.__marker") == 1
    assert screen_texts(page) == checklist_texts(interview)
    assert user.questions_to_ask.filter(text__startswith="Who would I pair").exists()

    # Reorder from the keyboard: focus the last question's "up" button, press Enter.
    before = checklist_texts(interview)
    last_up = page.locator(".checklist-item").nth(3).locator(".move-up")
    last_up.focus()
    page.keyboard.press("Enter")
    expected = [before[0], before[1], before[3], before[2]]
    expect(page.locator(".checklist-item .form-check-label")).to_have_text(expected)
    assert checklist_texts(interview) == expected
    # focus stays on the moved question, so pressing again keeps moving it
    expect(page.locator(".checklist-item").nth(2).locator(".move-up")).to_be_focused()
    page.keyboard.press("Enter")
    expected = [before[0], before[3], before[1], before[2]]
    expect(page.locator(".checklist-item .form-check-label")).to_have_text(expected)
    assert checklist_texts(interview) == expected

    # Reorder by dragging the first question below the second: one request.
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.locator("#checklist-items").scroll_into_view_if_needed()
    handle = page.locator(".drag-handle").first.bounding_box()
    second = page.locator(".checklist-item").nth(1).bounding_box()
    start_y, end_y = handle["y"] + 4, second["y"] + second["height"] * 0.75
    page.mouse.move(handle["x"] + 4, start_y)
    page.mouse.down()
    for step in range(1, 21):  # a hand moves in many small steps, not one jump
        page.mouse.move(handle["x"] + 4, start_y + (end_y - start_y) * step / 20)
        page.wait_for_timeout(15)
    page.mouse.up()
    expected = [before[3], before[0], before[1], before[2]]
    expect(page.locator(".checklist-item .form-check-label")).to_have_text(expected)
    expect(page.locator(".htmx-request")).to_have_count(0)
    assert checklist_texts(interview) == expected

    # Tick off the first question and note the answer: saved as it is typed.
    first = page.locator(".checklist-item").first
    first.locator("textarea").fill("Their tech lead, remote pairing twice a week")
    expect(first.locator(".item-status")).to_contain_text("Saved")
    item = ChecklistItem.objects.get(interview=interview, text=expected[0])
    assert item.answer == "Their tech lead, remote pairing twice a week"
    assert not item.asked
    expect(first.get_by_test_id("asked-mark")).to_be_hidden()
    first.locator("input[name=asked]").check()
    expect(first).to_have_class(re.compile("is-asked"))
    # An asked question looks done, not deleted: a check mark and "Asked", its
    # text muted but readable, never struck through.
    expect(first.get_by_test_id("asked-mark")).to_be_visible()
    expect(first.get_by_test_id("asked-mark")).to_have_text("✓ Asked")
    label = first.locator(".form-check-label")
    assert "line-through" not in label.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert contrast_on_page(label) >= 4.5
    eventually(lambda: ChecklistItem.objects.get(pk=item.pk).asked)
    assert page.evaluate("window.__marker") == 1

    # The print view and the Markdown export carry the answer.
    page.get_by_role("link", name="Print view").click()
    expect(page.get_by_text("Their tech lead, remote pairing twice a week")).to_be_visible()
    markdown = page.request.get(f"/interviews/{interview.pk}/checklist.md").text()
    assert f"- [x] {expected[0]}\n  > Their tech lead" in markdown

    # The home page counts down to it.
    page.goto("/")
    expect(page.get_by_test_id("next-interview")).to_contain_text("Initech")
