"""The study page on a phone (390×844): the grades at the bottom within reach,
wide tables and code scrolling inside the card, a tap on the card showing the
answer, and focus mode, remembered through a reload."""

import re

import pytest
from playwright.sync_api import Page, expect

from cards.models import ReviewLog
from cards.study import services
from tests.browser.helpers import PHONE, assert_fits_a_phone, card_settled, log_in, on_study_page
from tests.factories import make_card, make_topic, make_user

WIDE_TABLE = "\n".join(
    [
        "Which isolation level allows which anomaly?",
        "",
        "| Isolation level with a deliberately long first column | Dirty read "
        "| Non-repeatable read | Phantom read | Lost update |",
        "| --- | --- | --- | --- | --- |",
        "| Read uncommitted (the weakest, rarely used in practice) "
        "| possible | possible | possible | possible |",
        "| Serializable (every transaction as if alone) "
        "| prevented | prevented | prevented | prevented |",
    ]
)
# A phone: its screen, and taps.
pytestmark = pytest.mark.browser_context_args(viewport=PHONE, has_touch=True)

ARGUMENTS = ", ".join(f"argument_{n}" for n in range(20))
LONG_CODE = f"```python\nresult = compute({ARGUMENTS})\n```"


def studying(page: Page, username: str, cards: list[tuple[str, str]]):
    user = make_user(username)
    topic = make_topic(owner=user, name="Databases")
    for front, back in cards:
        make_card(topic, owner=user, front=front, back=back)
    session = services.start_session(user=user, topics=[topic])
    log_in(page, username)
    page.goto(session.get_absolute_url())
    on_study_page(page)
    return user


def in_viewport(page: Page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None, "not on screen"
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def test_wide_table_scrolls_in_the_card_and_grades_sit_at_the_bottom(page: Page):
    back = "A long answer.\n\n" + "\n\n".join(f"Paragraph {n} of the answer." for n in range(30))
    studying(page, "pia", [(WIDE_TABLE, back + "\n\n" + LONG_CODE)])

    question = page.get_by_test_id("question")
    table = question.locator("table")
    expect(table).to_be_visible()
    assert_fits_a_phone(page, "the study page with a wide table")
    # The table scrolls inside the card: wider than it shows.
    widths = table.evaluate("t => [t.scrollWidth, t.clientWidth]")
    assert widths[0] > widths[1], f"the table squeezes instead of scrolling: {widths}"
    # Its right edge fades: there is more; scrolled to the end, the left one does.
    expect(table).to_have_class(re.compile(r"\bscroll-more-right\b"))
    expect(table).not_to_have_class(re.compile(r"\bscroll-more-left\b"))
    table.evaluate("t => t.scrollTo({left: t.scrollWidth})")
    expect(table).to_have_class(re.compile(r"\bscroll-more-left\b"))
    expect(table).not_to_have_class(re.compile(r"\bscroll-more-right\b"))
    card_box = page.locator("#study-card .card").bounding_box()
    table_box = table.bounding_box()
    assert table_box["x"] + table_box["width"] <= card_box["x"] + card_box["width"] + 0.5
    # No word of the long first column is broken in the middle (a hyphen may end a line).
    broken = table.evaluate(
        """t => Array.from(t.querySelectorAll("th, td")).filter(cell => {
            const range = document.createRange();
            return cell.textContent.split(/[\\s-]+/).some(word => {
                const node = cell.firstChild;
                if (!node || node.nodeType !== 3) return false;
                const at = node.nodeValue.indexOf(word);
                if (!word || at < 0) return false;
                range.setStart(node, at);
                range.setEnd(node, at + word.length);
                return range.getClientRects().length > 1;
            });
        }).map(cell => cell.textContent)"""
    )
    assert broken == [], f"words broken across lines: {broken}"
    expect(page.get_by_test_id("reveal")).to_be_visible()
    in_viewport(page, page.get_by_test_id("reveal"))

    # A tap on the question shows the answer.
    question.locator("p").first.tap()
    answer = page.get_by_test_id("answer")
    expect(answer).to_be_visible()
    buttons = page.locator("#study-card .study-grades button")
    expect(buttons).to_have_count(4)
    for index in range(4):
        in_viewport(page, buttons.nth(index))
    assert page.evaluate("window.scrollY") == 0, "the page scrolled to reach the grades"
    assert_fits_a_phone(page, "the study page with the answer and a long code line")
    code = answer.locator("pre")
    assert code.evaluate("p => p.scrollWidth > p.clientWidth"), "the code squeezes"
    expect(code).to_have_class(re.compile(r"\bscroll-more-right\b"))

    # The end of the answer is not hidden under the buttons: scrolled to the
    # bottom, its last line sits above them.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    bar_top = page.locator("#study-card .study-actions").bounding_box()["y"]
    end = answer.bounding_box()
    assert end["y"] + end["height"] <= bar_top, (end, bar_top)
    # The footer would sit between the card and the grades: the card ends the page.
    expect(page.locator("footer")).to_be_hidden()


def test_tap_reveals_but_not_on_a_link_or_a_selection(page: Page):
    user = studying(
        page,
        "quinn",
        [("Read [the manual](#manual) before you answer this question.", "The answer.")],
    )
    question = page.get_by_test_id("question")
    answer = page.get_by_test_id("answer")

    question.get_by_role("link", name="the manual").click()
    expect(answer).to_be_hidden()

    # Selecting words of the question (a drag) leaves the answer hidden.
    box = question.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 20, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    assert page.evaluate("String(window.getSelection())"), "nothing was selected"
    expect(answer).to_be_hidden()

    page.evaluate("window.getSelection().removeAllRanges()")
    question.tap()
    expect(answer).to_be_visible()
    page.locator("#study-card .study-grades button[value='3']").tap()
    expect(answer).to_be_hidden()
    card_settled(page)
    assert ReviewLog.objects.filter(user=user, rating=3).count() == 1


# Whether the navigation is displayed when the page is parsed, before its
# deferred scripts run: what the first paint may show.
NAV_BEFORE_SCRIPTS = """document.addEventListener("readystatechange", () => {
  if (document.readyState !== "interactive") return;
  const nav = document.querySelector("body > nav");
  window.navShownBeforeScripts = nav ? getComputedStyle(nav).display !== "none" : null;
});"""


def test_focus_mode_hides_everything_but_the_card_and_survives_a_reload(page: Page):
    page.add_init_script(NAV_BEFORE_SCRIPTS)
    studying(page, "rosa", [("What does MVCC keep?", "Versions of rows."), ("Second?", "Yes.")])
    nav = page.get_by_role("navigation")
    counts = page.get_by_test_id("due-count")
    expect(nav).to_be_visible()

    page.get_by_test_id("focus").click()
    expect(nav).to_be_hidden()
    expect(counts).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(page.get_by_role("button", name="End session")).to_be_hidden()
    expect(page.get_by_test_id("question")).to_be_visible()
    expect(page.get_by_test_id("reveal")).to_be_visible()
    expect(page.get_by_test_id("focus")).to_have_attribute("aria-pressed", "true")

    page.reload()
    on_study_page(page)
    expect(nav).to_be_hidden()
    # Hidden from the first paint, not shown until the scripts have run.
    assert page.evaluate("window.navShownBeforeScripts") is False
    expect(page.get_by_test_id("focus")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Space")
    expect(page.locator("#study-card .study-grades button[value='3']")).to_be_visible()
    page.keyboard.press("3")
    expect(page.get_by_test_id("question")).to_contain_text("Second?")
    card_settled(page)
    expect(nav).to_be_hidden()

    # Esc leaves it, and it stays left.
    page.keyboard.press("Escape")
    expect(nav).to_be_visible()
    expect(counts).to_be_visible()
    page.reload()
    on_study_page(page)
    expect(nav).to_be_visible()
    assert page.evaluate("window.navShownBeforeScripts") is True
    # F turns it on from the keyboard.
    page.keyboard.press("f")
    expect(nav).to_be_hidden()
