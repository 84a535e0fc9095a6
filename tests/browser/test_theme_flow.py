"""The color theme: the system's by default, light or dark by choice from the
navigation, kept through a reload, on every page and chart."""

from playwright.sync_api import Page, expect

from tests.browser.helpers import PHONE, assert_fits_a_phone, log_in
from tests.factories import make_staff

DARK_BG = "rgb(17, 19, 24)"  # --prep-bg in the dark theme
LIGHT_BG = "rgb(255, 255, 255)"


def theme(page: Page) -> str:
    return page.evaluate("document.documentElement.getAttribute('data-bs-theme')")


def background(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def choose(page: Page, name: str) -> None:
    page.locator("#theme-toggle").click()
    page.get_by_role("button", name=name, exact=True).click()


def test_the_theme_follows_the_system_until_a_choice_is_made(page: Page):
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="dark")
    page.goto("/")
    assert_fits_a_phone(page, "the landing page with the theme menu")
    assert theme(page) == "dark"
    assert background(page) == DARK_BG
    expect(page.locator("#theme-toggle")).to_contain_text("System")

    # The system changes its mind: the page follows at once.
    page.emulate_media(color_scheme="light")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    assert background(page) == LIGHT_BG

    # Dark by choice, kept through a reload whatever the system says.
    choose(page, "Dark")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    expect(page.locator("#theme-toggle")).to_contain_text("Dark")
    page.reload()
    assert theme(page) == "dark"
    assert background(page) == DARK_BG
    page.locator("#theme-toggle").click()
    expect(page.get_by_role("button", name="Dark", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    page.keyboard.press("Escape")

    # Printed in the light theme, whatever the choice.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert theme(page) == "light"
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert theme(page) == "dark"

    # Light by choice against a dark system.
    page.emulate_media(color_scheme="dark")
    choose(page, "Light")
    page.reload()
    assert theme(page) == "light"

    # Back to the system's.
    choose(page, "System")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    page.reload()
    assert theme(page) == "dark"
    assert page.evaluate("localStorage.getItem('prep-theme')") is None


def test_the_menu_works_by_keyboard_on_a_phone(page: Page):
    make_staff("ada")
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="light")
    log_in(page, "ada")
    page.get_by_role("button", name="Menu").click()
    toggle = page.locator("#theme-toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    dark = page.get_by_role("button", name="Dark", exact=True)
    expect(dark).to_be_visible()
    dark.focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")

    # The design page: every chart color comes from the theme.
    page.goto("/design/")
    expect(page.get_by_role("heading", name="Design", exact=True)).to_be_visible()
    assert_fits_a_phone(page, "the design page")
    bar_fill = page.locator(".chart-bar").first.evaluate("el => getComputedStyle(el).fill")
    assert bar_fill == "rgb(129, 140, 248)"  # --prep-chart-bar in the dark theme
    code = page.locator(".card-face pre").first
    assert code.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(13, 17, 23)"
    expect(page.locator(".katex").first).to_be_visible()
