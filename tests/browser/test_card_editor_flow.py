"""Writing a card with the preview beside it: it follows the typing, shows each
cloze prompt and typesets math, warns of a front already in the topic, and
"Save and add another" keeps the topic, kind and tags for the next card."""

from playwright.sync_api import Page, expect

from cards.models import Card
from tests.browser.helpers import log_in
from tests.factories import make_card, make_topic, make_user


def test_the_preview_follows_the_typing_and_save_and_add_keeps_the_choices(
    page: Page, browser_problems
):
    dana = make_user("dana")
    topic = make_topic(owner=dana, name="Networking")
    make_topic(owner=dana, name="Another topic")  # so the topic is a real choice
    twin = make_card(topic, dana, front="What does TCP guarantee?", back="Ordered delivery.")

    log_in(page, "dana")
    page.goto(f"/cards/new/?topic={topic.pk}")
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("The card shows here as you type")

    # Markdown and math, rendered by the server and typeset after the swap.
    page.locator("textarea[name=front]").fill("Why is **this** reliable?")
    page.locator("textarea[name=back]").fill("Acknowledgements: \\(n^2\\) at worst.")
    expect(preview.locator(".study-question strong")).to_have_text("this")
    math = preview.locator(".study-answer .math")
    expect(math.locator(".katex")).to_have_count(1)
    expect(math).to_have_attribute("data-typeset", "")

    # A front already in the topic, typed in another case: a warning with a link.
    page.locator("textarea[name=front]").fill("what does tcp guarantee?")
    warning = page.get_by_test_id("same-front")
    expect(warning).to_contain_text("Another card in Networking has this front:")
    expect(warning.get_by_role("link")).to_have_attribute("href", twin.get_absolute_url())

    # A cloze: one prompt per deletion, each hiding its own.
    page.locator("select[name=kind]").select_option("cloze")
    page.locator("textarea[name=front]").fill("{{c1::TCP}} is **reliable**; {{c2::UDP}} is not.")
    page.locator("textarea[name=back]").fill("")
    prompts = preview.get_by_test_id("preview-prompt")
    expect(prompts).to_have_count(2)
    expect(prompts.nth(0)).to_contain_text("Prompt 1 of 2")
    expect(prompts.nth(0).locator(".study-question")).to_contain_text("[…] is reliable; UDP")
    expect(prompts.nth(1).locator(".study-question")).to_contain_text("TCP is reliable; […]")
    expect(prompts.nth(1).locator(".study-answer .cloze")).to_have_text("UDP")
    expect(prompts.nth(0).locator(".study-question strong")).to_have_text("reliable")
    expect(warning).to_have_count(0)

    # Saved, and the next card starts with the same topic, kind and tags.
    page.locator("input[name=tags]").fill("transport, big o")
    page.get_by_role("button", name="Save and add another").click()
    expect(page.get_by_text("Card added.")).to_be_visible()
    expect(page.locator("select[name=topic]")).to_have_value(str(topic.pk))
    expect(page.locator("select[name=kind]")).to_have_value("cloze")
    expect(page.locator("input[name=tags]")).to_have_value('"big o", transport')
    expect(page.locator("textarea[name=front]")).to_have_value("")
    expect(preview).to_contain_text("The card shows here as you type")
    saved = Card.objects.get(owner=dana, kind="cloze")
    assert sorted(saved.tags.names()) == ["big o", "transport"]
    assert saved.prompts.count() == 2
