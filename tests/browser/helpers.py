"""Steps several browser tests share."""

import re

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}


def assert_fits_a_phone(page: Page, what: str) -> None:
    """Nothing on the page is wider than a phone's screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what} scrolls sideways: {width}px wide at 390px"


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form, the way a person does."""
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=f"Hello, {username}")).to_be_visible()


def current_prompt_id(page: Page) -> int:
    """The prompt the study card on screen asks (the grade form's hidden field)."""
    value = page.locator("#study-card .study-grades input[name=prompt]").input_value()
    return int(value)


def card_settled(page: Page) -> None:
    """Wait until htmx has finished swapping in a study card, and every grade
    waiting in the page has been sent.

    htmx inserts the new card at once but only wires up its hx-post forms (and
    fires htmx:load, which typesets math) after its settle delay, 20 ms later. A
    grade key pressed inside that window submits the plain form: the grade is
    still recorded, but the whole page reloads. No hand is that fast, a test is.
    (Reported to the app: ``hx-swap="outerHTML settle:0ms"`` would close the window.)"""
    expect(page.locator("#study-card.htmx-added, #study-card .htmx-added")).to_have_count(0)
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)
    # The grades study.js sends in the background have all been answered.
    expect(page.locator("body[data-study-outbox]:not([data-study-outbox='0'])")).to_have_count(0)


def grade(page: Page, key: str) -> int:
    """Show the answer with Space, grade with ``key`` and wait for the next card to be
    swapped in. Returns the prompt that was graded."""
    graded = current_prompt_id(page)
    page.keyboard.press("Space")
    expect(page.get_by_test_id("answer")).to_be_visible()
    page.keyboard.press(key)
    prompt_field = page.locator("#study-card .study-grades input[name=prompt]")
    expect(prompt_field).not_to_have_value(str(graded))
    expect(page.get_by_test_id("answer")).to_be_hidden()
    card_settled(page)
    return graded


STUDY_SESSION_URL = re.compile(r"/study/(\d+)/$")


def on_study_page(page: Page) -> None:
    """Wait for the study session page and for its deferred scripts (the keyboard
    shortcuts are study.js; a key pressed before it ran is just a key)."""
    expect(page).to_have_url(STUDY_SESSION_URL)
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("question")).to_be_visible()
