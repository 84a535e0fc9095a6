"""A background (htmx) request that fails says so: a refused CSRF token, the
database out of reach (503), a lost connection and an ended session each put a
message in the page's alert region, and what was typed stays on the page.

The page is an interview's checklist, whose answers are saved as they are typed.
Each failure is real: the CSRF or session cookie is deleted, the live server's
database connection is pointed where there is none, the browser goes offline."""

import re

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from interviews.checklists import services
from tests.browser.conftest import BrowserProblems
from tests.browser.helpers import log_in
from tests.factories import make_interview, make_user
from tests.security.test_database_unavailable import unreachable_database


class ExpectedProblems(BrowserProblems):
    """The conftest's watch, told about console errors a test expects (htmx
    logs every failed request to the console itself)."""

    def __init__(self):
        super().__init__()
        self._expected_console: list[re.Pattern] = []

    def expect_console(self, text_pattern: str) -> None:
        self._expected_console.append(re.compile(text_pattern))

    def _on_console(self, message) -> None:
        if message.type == "error" and any(p.search(message.text) for p in self._expected_console):
            return
        super()._on_console(message)


@pytest.fixture
def browser_problems():
    return ExpectedProblems()


@pytest.fixture
def checklist(page: Page):
    """Logged in, on an interview page with one question on its checklist."""
    user = make_user("ines")
    interview = make_interview(user, company="Initech")
    item = services.checklist_add_new(
        interview=interview, text="How do you deploy?", category="tech", save_to_bank=False
    )
    log_in(page, "ines")
    page.goto(interview.get_absolute_url())
    page.wait_for_load_state("load")  # the deferred scripts, request_errors.js among them
    return item


def answer_box(page: Page):
    return page.get_by_label("What they answered")


def item_status(page: Page):
    return page.locator(".item-status")


def alert(page: Page):
    """The region request_errors.js writes to (flash messages are alerts too)."""
    return page.locator("#request-error[role=alert]")


def save_url(item) -> str:
    return f"/interviews/{item.interview_id}/checklist/{item.pk}/$"


def type_answer(page: Page, text: str):
    """Type an answer and wait for the save it sends."""
    with page.expect_response(
        lambda response: response.request.method == "POST" and "/checklist/" in response.url
    ) as saved:
        answer_box(page).fill(text)
    return saved.value


def test_saved_answers_show_no_alert(page: Page, checklist):
    type_answer(page, "Blue-green, twice a day")
    expect(item_status(page)).to_contain_text("Saved")
    expect(alert(page)).to_be_empty()
    checklist.refresh_from_db()
    assert checklist.answer == "Blue-green, twice a day"


def test_an_expired_csrf_token_says_to_reload_and_keeps_the_text(
    page: Page, checklist, browser_problems
):
    browser_problems.allow(save_url(checklist))
    browser_problems.expect_console(r"Response Status Error Code 403")
    page.context.clear_cookies(name="csrftoken")

    response = type_answer(page, "Canary releases behind a flag")
    assert response.status == 403
    message = page.get_by_test_id("request-error-message")
    expect(message).to_be_visible()
    expect(message).to_contain_text("That was not saved: your session has expired")
    expect(message).to_contain_text("reload the page")
    expect(alert(page)).to_contain_text("That was not saved")  # read out: role="alert"
    expect(answer_box(page)).to_have_value("Canary releases behind a flag")
    expect(item_status(page)).to_be_empty()  # no error page swapped into the form
    checklist.refresh_from_db()
    assert checklist.answer == ""

    # Leaving the box sends the answer once more ("change"), refused the same
    # way: the message stays as it is.
    with page.expect_response(lambda r: r.request.method == "POST" and "/checklist/" in r.url):
        page.keyboard.press("Tab")
    expect(page.get_by_test_id("request-error-message")).to_have_count(1)

    # Reload, as it says: a new token, and saving works again.
    # Wait for the reload's own response: the old page is already "loaded".
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Reload page").click()
    expect(alert(page)).to_be_empty()
    type_answer(page, "Canary releases behind a flag")
    expect(item_status(page)).to_contain_text("Saved")
    checklist.refresh_from_db()
    assert checklist.answer == "Canary releases behind a flag"


def test_the_database_out_of_reach_is_a_503_with_its_own_message(
    page: Page, checklist, browser_problems, tmp_path
):
    browser_problems.allow(save_url(checklist))
    browser_problems.expect_console(r"Response Status Error Code 503")
    # The live server opens a connection per request, from the same settings.
    with unreachable_database(tmp_path):
        response = type_answer(page, "Rolling, one zone at a time")
    assert response.status == 503
    assert response.headers["retry-after"] == "30"
    message = page.get_by_test_id("request-error-message")
    expect(message).to_contain_text("prep is unavailable for a moment")
    expect(message).to_contain_text("try again in a minute")
    expect(answer_box(page)).to_have_value("Rolling, one zone at a time")

    # Back: the next save works and the message goes.
    connection.ensure_connection()
    type_answer(page, "Rolling, one zone at a time.")
    expect(item_status(page)).to_contain_text("Saved")
    expect(alert(page)).to_be_empty()


def test_a_lost_connection_says_the_server_cannot_be_reached(
    page: Page, checklist, browser_problems
):
    browser_problems.allow(save_url(checklist))
    browser_problems.expect_console(r"^htmx:(afterRequest|sendError)")
    page.context.set_offline(True)
    with page.expect_event("requestfailed", lambda request: "/checklist/" in request.url):
        answer_box(page).fill("Terraform, then Argo")
    message = page.get_by_test_id("request-error-message")
    expect(message).to_contain_text("Can’t reach the server")
    expect(answer_box(page)).to_have_value("Terraform, then Argo")

    # Online again, the message can be dismissed, and saving works.
    page.context.set_offline(False)
    page.get_by_role("button", name="Dismiss this message").click()
    expect(alert(page)).to_be_empty()
    type_answer(page, "Terraform, then Argo CD")
    expect(item_status(page)).to_contain_text("Saved")


def test_an_ended_session_does_not_swap_the_login_page_into_the_form(page: Page, checklist):
    page.context.clear_cookies(name="sessionid")
    response = type_answer(page, "By hand, on Fridays")
    assert response.status == 302  # to the login page, which the browser then fetched
    message = page.get_by_test_id("request-error-message")
    expect(message).to_contain_text("you have been logged out")
    expect(item_status(page)).to_be_empty()
    expect(page.locator("main input[name=password]")).to_have_count(0)
    expect(answer_box(page)).to_have_value("By hand, on Fridays")
