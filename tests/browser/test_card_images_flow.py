"""Images in the card editor: one chosen with "Add image" and one pasted into
the back go into the text where the cursor was, show in the preview, and are
on the card once it is saved; a file that is not an image is refused beside
the field, leaving the text as it was."""

import base64
import re

from playwright.sync_api import Page, expect

from cards.models import Card
from prep_site.devtools.images import png
from tests.browser.helpers import log_in
from tests.factories import make_topic, make_user

PASTE = """([face, data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], "image.png", { type: "image/png" }));
  const textarea = document.querySelector(`textarea[name=${face}]`);
  textarea.focus();
  textarea.dispatchEvent(
    new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true })
  );
}"""
IMAGE_NAME = r"[0-9a-f]{32}\.png"


def loaded(image) -> None:
    """The image is shown: the browser read it whole."""
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")


def test_an_added_and_a_pasted_image_are_on_the_saved_card(page: Page, browser_problems, tmp_path):
    erin = make_user("erin")
    topic = make_topic(owner=erin, name="Diagrams")
    log_in(page, "erin")
    page.goto(f"/cards/new/?topic={topic.pk}")
    front, back = page.locator("textarea[name=front]"), page.locator("textarea[name=back]")
    status = page.locator("[data-image-status]")

    # Not an image: refused beside the field, nothing written into the text.
    browser_problems.allow(r"/cards/images/$")
    svg = tmp_path / "drawing.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    front.fill("What does the diagram show? ")
    page.get_by_label("Add image").set_input_files(svg)
    expect(status).to_contain_text("is not a PNG, JPEG, GIF or WebP image")
    expect(front).to_have_value("What does the diagram show? ")

    # Chosen with "Add image": it goes into the front, the last face in focus.
    dot = tmp_path / "dot.png"
    dot.write_bytes(png())
    front.focus()
    page.get_by_label("Add image").set_input_files(dot)
    written = rf"^What does the diagram show\? !\[\]\({IMAGE_NAME}\)$"
    expect(front).to_have_value(re.compile(written))
    expect(status).to_contain_text("Image added.")

    # Pasted into the back, at the cursor.
    back.fill("A dot: ")
    page.evaluate(PASTE, ["back", base64.b64encode(png()).decode()])
    expect(back).to_have_value(re.compile(rf"^A dot: !\[\]\({IMAGE_NAME}\)$"))

    # The preview shows both from where they wait.
    preview = page.get_by_test_id("preview")
    expect(preview.locator("img")).to_have_count(2)
    for image in preview.locator("img").all():
        expect(image).to_have_attribute("src", re.compile(rf"^/cards/images/{IMAGE_NAME}$"))
        loaded(image)

    page.get_by_role("button", name="Save card", exact=True).click()
    expect(page.get_by_text("Card added.")).to_be_visible()
    card = Card.objects.get(owner=erin)
    assert card.media.count() == 2
    page.goto(card.get_absolute_url())
    images = page.locator(".card-face img")
    expect(images).to_have_count(2)
    for image in images.all():
        expect(image).to_have_attribute(
            "src", re.compile(rf"^/cards/{card.pk}/media/{IMAGE_NAME}$")
        )
        loaded(image)
