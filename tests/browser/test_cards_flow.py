"""Writing cards in the browser: Markdown with highlighted code and typeset math,
raw HTML that must not run, finding a card again, and the pages at phone width."""

import re

from playwright.sync_api import Page, expect

from cards.models import Card, Topic
from tests.browser.helpers import PHONE, assert_fits_a_phone, card_settled, log_in, on_study_page
from tests.factories import make_user

CODE_AND_MATH_BACK = """\
Divide, and mind the zero:

```python
def ratio(numerator: float, denominator: float, *, default: float = 0.0) -> float:
    return numerator / denominator if denominator else default
```

$$\\frac{a}{b}$$
"""
XSS_FRONT = (
    '<img src=x onerror="window.__xss=1"> <script>window.__xss=1</script> '
    "Which probe leaves no trace?"
)
PROBE_BACK = "Nothing runs, and this still typesets: \\(x^2\\)"


def test_write_cards_search_and_read_them_on_a_phone(page: Page, browser_problems):
    make_user("carol")
    # The <img src=x> of the XSS probe is a relative URL, which is allowed: the browser
    # asks for .../x and gets a 404. That request is expected; its onerror must not run.
    browser_problems.allow(r"/x$")

    log_in(page, "carol")

    # A topic, through the navbar and the topic list.
    page.get_by_role("navigation").get_by_role("link", name="Topics").click()
    page.get_by_role("link", name="New topic").click()
    page.locator("input[name=name]").fill("Numerics")
    page.locator("textarea[name=description]").fill("Floating point and friends.")
    page.get_by_role("button", name="Save topic").click()
    expect(page.get_by_text("Topic “Numerics” created. Add its first card.")).to_be_visible()
    topic = Topic.objects.get(name="Numerics")
    assert topic.owner.username == "carol"
    expect(page).to_have_url(re.compile(rf"/cards/new/\?topic={topic.pk}$"))

    # A card with a code block and display math, then (save and add another) the probe.
    expect(page.locator("select[name=topic]")).to_have_value(str(topic.pk))
    page.locator("textarea[name=front]").fill("How do you divide safely in Python?")
    page.locator("textarea[name=back]").fill(CODE_AND_MATH_BACK)
    page.locator("input[name=tags]").fill("python, math")
    page.get_by_role("button", name="Save and add another").click()
    expect(page.get_by_text("Card added.")).to_be_visible()
    expect(page).to_have_url(
        re.compile(
            rf"/cards/new/\?topic={topic.pk}&kind=basic&text_format=markdown&tags=math%2C\+python$"
        )
    )
    expect(page.locator("input[name=tags]")).to_have_value("math, python")  # kept
    page.locator("input[name=tags]").fill("")
    page.locator("textarea[name=front]").fill(XSS_FRONT)
    page.locator("textarea[name=back]").fill(PROBE_BACK)
    page.get_by_role("button", name="Save card", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/topics/{topic.pk}/$"))
    expect(page.get_by_text("2 cards")).to_be_visible()
    code_card, probe = Card.objects.filter(topic=topic).order_by("pk")
    # Browsers send textarea lines ending in CRLF.
    assert code_card.back.replace("\r\n", "\n") == CODE_AND_MATH_BACK.strip()
    assert sorted(code_card.tags.names()) == ["math", "python"]
    assert probe.front == XSS_FRONT
    assert page.evaluate("typeof window.__xss") == "undefined"

    # The code card: highlighted code and KaTeX-rendered math.
    page.get_by_role("link", name=re.compile("How do you divide safely")).click()
    expect(page).to_have_url(re.compile(rf"/cards/{code_card.pk}/$"))
    keyword = page.locator(".card-face pre span.k").first
    expect(keyword).to_have_text("def")
    expect(keyword).to_have_css("font-weight", "700")  # Pygments' keyword style loaded
    math = page.locator(".card-face .math.math-display")
    expect(math).to_have_count(1)
    expect(math.locator(".katex")).to_have_count(1)
    expect(math.locator(".katex .mfrac")).to_have_count(1)
    expect(math).to_have_attribute("data-typeset", "")
    expect(math).to_have_attribute("title", "\\frac{a}{b}")

    # The probe: the page shows it, nothing it carried runs.
    page.goto(probe.get_absolute_url())
    front = page.locator(".card-face").first
    expect(front).to_contain_text("Which probe leaves no trace?")
    expect(front.locator("img")).to_have_count(1)
    assert front.locator("img").get_attribute("onerror") is None
    expect(page.locator("main script")).to_have_count(0)
    assert page.evaluate("typeof window.__xss") == "undefined"

    # The navbar search finds it (and does not run it either).
    search = page.get_by_role("navigation").get_by_role("searchbox", name="Search cards")
    search.fill("probe")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=probe$"))
    results = page.locator("#results")
    expect(results).to_contain_text("1 card matches “probe”.")
    hits = results.get_by_role("link")
    expect(hits).to_have_count(1)
    expect(hits).to_have_attribute("href", probe.get_absolute_url())
    assert page.evaluate("typeof window.__xss") == "undefined"
    # Searching by tag from the navbar finds the other card.
    search = page.get_by_role("navigation").get_by_role("searchbox", name="Search cards")
    search.fill("math")
    search.press("Enter")
    expect(results.get_by_role("link")).to_have_count(1)
    results.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/cards/{code_card.pk}/$"))

    # At phone width: no page scrolls sideways, the menu opens, study works.
    page.set_viewport_size(PHONE)
    page.goto("/")
    expect(page.get_by_role("heading", name="Hello, carol")).to_be_visible()
    assert_fits_a_phone(page, "the home page")

    page.goto(topic.get_absolute_url())
    expect(page.get_by_role("heading", name="Numerics")).to_be_visible()
    assert_fits_a_phone(page, "the topic page")

    page.goto(code_card.get_absolute_url())
    expect(page.locator(".math .katex").first).to_be_attached()
    assert_fits_a_phone(page, "the card page with a long code line")

    # The navbar is collapsed behind its toggler; Bootstrap's JS opens it.
    study_link = page.get_by_role("navigation").get_by_role("link", name="Study", exact=True)
    expect(study_link).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(study_link).to_be_visible()
    study_link.click()
    page.get_by_label("Numerics", exact=True).check()
    page.get_by_role("button", name="Start studying").click()
    on_study_page(page)
    expect(page.get_by_test_id("question")).to_contain_text("How do you divide safely")
    assert_fits_a_phone(page, "the study page")

    page.keyboard.press("Space")
    expect(page.get_by_test_id("answer")).to_be_visible()
    expect(page.get_by_test_id("answer").locator(".math .katex")).to_have_count(1)
    buttons = page.locator("#study-card .study-grades button")
    expect(buttons).to_have_count(4)
    for index in range(4):
        expect(buttons.nth(index)).to_be_visible()
        box = buttons.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert_fits_a_phone(page, "the study page with its answer shown")

    # Grading swaps in the probe; math in swapped-in cards is typeset too (htmx:load).
    buttons.nth(2).click()
    expect(page.get_by_test_id("question")).to_contain_text("Which probe leaves no trace?")
    card_settled(page)
    assert_fits_a_phone(page, "the next study card")
    page.keyboard.press("Space")
    answer = page.get_by_test_id("answer")
    expect(answer).to_contain_text("Nothing runs")
    expect(answer.locator(".math.math-inline .katex")).to_have_count(1)
    assert page.evaluate("typeof window.__xss") == "undefined"
