"""The landing page's screenshots in a browser: on a desktop and on a phone, in
the light and the dark theme, the picture for that screen and theme is the one
shown, fetched and announced, and the others are not even fetched."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import PHONE, assert_fits_a_phone

DESKTOP = {"width": 1280, "height": 800}
SCREENS = ("study", "dashboard", "checklist")


@pytest.mark.parametrize(
    ("viewport", "scheme", "suffix"),
    [
        (DESKTOP, "light", ""),
        (DESKTOP, "dark", "-dark"),
        (PHONE, "light", "-phone"),
        (PHONE, "dark", "-phone-dark"),
    ],
    ids=["desktop-light", "desktop-dark", "phone-light", "phone-dark"],
)
def test_the_landing_shows_the_screenshots_for_the_screen_and_theme(
    page: Page, viewport, scheme, suffix
):
    fetched = []
    page.on(
        "request",
        lambda request: (
            fetched.append(request.url.rsplit("/", 1)[-1])
            if "/img/screens/" in request.url
            else None
        ),
    )
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=scheme)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", scheme)
    if viewport == PHONE:
        assert_fits_a_phone(page, "the landing page with its screenshots")

    shown = page.locator("picture.screen img:visible")
    expect(shown).to_have_count(len(SCREENS))
    for n, name in enumerate(SCREENS):
        image = shown.nth(n)
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        source = image.evaluate("img => img.currentSrc").rsplit("/", 1)[-1]
        assert source == f"{name}{suffix}.png"
        size = image.evaluate("img => [img.naturalWidth, img.clientWidth]")
        assert size[0] > 0 and size[1] <= viewport["width"]
    page.mouse.wheel(0, 10_000)  # to the end of the page: nothing else loads
    page.wait_for_load_state("networkidle")
    assert sorted(fetched) == sorted(f"{name}{suffix}.png" for name in SCREENS)
    # One image per screenshot is announced: the one shown.
    expect(page.get_by_role("img", name=re.compile(r"^The study page"))).to_have_count(1)
    expect(page.get_by_role("img", name=re.compile(r"^The progress dashboard"))).to_have_count(1)
    expect(page.get_by_role("img", name=re.compile(r"^An interview's checklist"))).to_have_count(1)
