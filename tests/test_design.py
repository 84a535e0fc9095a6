"""The design: its colors meet WCAG AA contrast in both themes, and its page
(/design/) is for staff only."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import make_staff, make_user

CSS = Path(__file__).resolve().parent.parent / "static" / "css"
AA = 4.5  # WCAG 2.1 AA, normal text

# (text, background) token pairs: every text color on each background it sits on.
PAIRS = [
    ("text", "bg"),
    ("text", "surface"),
    ("text", "selected-bg"),
    ("muted", "bg"),
    ("muted", "surface"),
    ("link", "bg"),
    ("link", "surface"),
    ("link", "selected-bg"),
    ("on-brand", "brand"),
    ("on-brand", "brand-hover"),
    ("soft-text", "soft-bg"),
    ("code-text", "code-bg"),
    ("danger-text", "bg"),
    ("success-text", "bg"),
    ("warning-text", "bg"),
    ("chart-label", "bg"),
    ("white", "grade-again"),
    ("white", "grade-hard"),
    ("white", "grade-good"),
    ("white", "grade-easy"),
]
NON_TEXT = 3  # WCAG 2.1 1.4.11: the edges of controls, the marks of a chart
# (color, background, themes): a control's edge, and the heatmap's filled levels
# in the dark theme (the light theme's low levels are pale on white, as before;
# every day's count is also in the table under the chart).
GRAPHICS = [
    ("control-border", "bg", ("light", "dark")),
    ("control-border", "surface", ("light", "dark")),
    *((f"heat-{level}", "bg", ("light", "dark")) for level in range(1, 5)),
]
# Pygments classes whose color is not that of text to read (whitespace).
NOT_TEXT = {"w"}


def block(css: str, selector: str) -> str:
    start = css.index(selector + " {")
    return css[start : css.index("\n}", start)]


def tokens(text: str) -> dict[str, str]:
    return dict(re.findall(r"--prep-([\w-]+):\s*(#[0-9a-fA-F]{3,6})\s*;", text))


def themes() -> dict[str, dict[str, str]]:
    css = (CSS / "prep.css").read_text()
    light = {"white": "#fff", **tokens(block(css, ":root, [data-bs-theme=light]"))}
    dark = {**light, **tokens(block(css, "[data-bs-theme=dark]"))}
    return {"light": light, "dark": dark}


def luminance(color: str) -> float:
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_colors_meet_aa_contrast_on_their_backgrounds(theme):
    colors = themes()[theme]
    low = [
        f"--prep-{text} on --prep-{background}: {contrast(colors[text], colors[background]):.2f}"
        for text, background in PAIRS
        if contrast(colors[text], colors[background]) < AA
    ]
    assert not low, f"below {AA}:1 in the {theme} theme:\n" + "\n".join(low)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_control_edges_and_heatmap_levels_meet_non_text_contrast(theme):
    colors = themes()[theme]
    pairs = [(color, background) for color, background, where in GRAPHICS if theme in where]
    low = [
        f"--prep-{color} on --prep-{background}: {contrast(colors[color], colors[background]):.2f}"
        for color, background in pairs
        if contrast(colors[color], colors[background]) < NON_TEXT
    ]
    assert pairs
    assert not low, f"below {NON_TEXT}:1 in the {theme} theme:\n" + "\n".join(low)


def test_heatmap_levels_climb_from_empty():
    """Each level of the heatmap stands further from the page than the one below
    it, empty first: lighter in the dark theme, darker in the light one."""
    for theme, climbing in [("dark", True), ("light", False)]:
        colors = themes()[theme]
        shades = [luminance(colors[f"heat-{level}"]) for level in range(5)]
        assert shades == sorted(shades, reverse=not climbing), theme
        assert len(set(shades)) == 5, theme


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_highlighted_code_meets_aa_contrast(theme):
    code_bg = themes()[theme]["code-bg"]
    rules = (CSS / "pygments.css").read_text().splitlines()
    dark = [rule for rule in rules if rule.startswith("[data-bs-theme=dark]")]
    light = [rule for rule in rules if rule.startswith(".card-face pre .")]
    low = []
    for rule in dark if theme == "dark" else light:
        match = re.search(r"pre \.(\w+) \{ color: (#[0-9a-fA-F]{3,6})", rule)
        if match and match[1] not in NOT_TEXT and contrast(match[2], code_bg) < AA:
            low.append(f".{match[1]} {match[2]}: {contrast(match[2], code_bg):.2f}")
    assert dark and light
    assert not low, f"code colors below {AA}:1 on {code_bg}:\n" + "\n".join(low)


def test_every_chart_color_is_a_token():
    """Charts draw through CSS variables, so each theme gives them its colors."""
    css = (CSS / "prep.css").read_text()
    chart = r"^\.(?:chart|hm|workload|quiz-chart|mock-spark)[^{]*\{[^}]*\}"
    chart_rules = re.findall(chart, css, re.M)
    assert chart_rules
    hard_coded = [rule for rule in chart_rules if re.search(r"(fill|stroke|background):\s*#", rule)]
    assert not hard_coded, hard_coded


@pytest.mark.django_db
class TestDesignPage:
    def test_staff_see_every_component(self, client):
        client.force_login(make_staff("ada"))
        response = client.get(reverse("design"))
        assert response.status_code == 200
        page = response.content.decode()
        for heading in [
            "Type scale",
            "Colors",
            "Buttons and badges",
            "Forms, with errors",
            "Cards",
            "Tables",
            "Empty states",
            "Messages",
            "Charts",
            "Study card, with code and math",
        ]:
            assert f">{heading}</h2>" in page, heading
        assert "Ensure this value is less than or equal to 0.97." in page
        assert "That card was deleted." in page
        assert 'class="chart-bar"' in page and 'class="hm-' in page
        assert 'class="math math-display"' in page and '<span class="k">def</span>' in page

    def test_staff_find_it_in_the_menu_and_others_do_not(self, client):
        link = f'href="{reverse("design")}">Design system</a>'
        client.force_login(make_staff("ada"))
        assert link in client.get(reverse("home")).content.decode()
        client.force_login(make_user("bob"))
        assert link not in client.get(reverse("home")).content.decode()

    def test_others_are_refused(self, client):
        client.force_login(make_user("bob"))
        response = client.get(reverse("design"))
        assert response.status_code == 403
        assert "doesn’t have access to this page" in response.content.decode()
        assert "Type scale" not in response.content.decode()

    def test_a_visitor_is_sent_to_log_in(self, client):
        response = client.get(reverse("design"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
