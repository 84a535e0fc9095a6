"""Every control of the main pages is reached with Tab, and wherever the focus
lands it can be seen: the element is on the screen, nothing covers it, and its
outline or its shadow changes when it takes the focus. At a desktop's width and
a phone's, in light and dark mode. (Studying by keys alone, Space and 1-4, is
test_study_flow.py's walk.)"""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.audit import CONTRAST_OVER, NAME_ELEMENT
from tests.browser.helpers import log_in
from tests.browser.test_accessibility import COLOR_SCHEMES, WIDTHS, seed

PAGES = [
    "home",
    "study card",
    "card browser",
    "an interview's checklist",
    "mock question",
    "settings",
]
MOST_PRESSES = 80  # the longest of these pages has about 50 stops

FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]"

# The outline and shadow of everything that can take the focus (and of its
# labels: a visually hidden box shows its focus on its label), before any has it;
# and which of them a person can see, so the walk can tell which it never reached.
REMEMBER = """(focusable) => {
  const look = (el) => {
    const style = getComputedStyle(el);
    return {
      outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
      shadow: style.boxShadow,
      border: style.borderTopColor,
    };
  };
  // A field the page focuses as it opens is measured without the focus, then given it back.
  const first = document.activeElement;
  if (first && first !== document.body) {
    first.blur();
    // Its focus style fades out (Bootstrap's transitions): measure where it ends,
    // not the focused look the fade starts from.
    for (const run of first.getAnimations()) run.finish();
  }
  const before = new Map();
  const controls = new Set();
  for (const el of document.body.querySelectorAll(focusable)) {
    before.set(el, look(el));
    for (const label of el.labels || []) before.set(label, look(label));
    const seen = el.checkVisibility({opacityProperty: true, visibilityProperty: true});
    const big = el.getBoundingClientRect().width > 1;
    if (seen && big && el.tabIndex >= 0 && !el.disabled && !el.closest("[inert]")) {
      controls.add(el);
    }
  }
  if (first && first !== document.body) first.focus();
  window.prepFocus = {before, controls, reached: new Set(), look};
  return first !== null && first !== document.body;
}"""

# Where the focus is now, and what keeps a person from seeing it.
CHECK_FOCUS = """async () => {
  const name = NAME_ELEMENT;
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  // What was not in view the page scrolls to smoothly (Bootstrap's
  // scroll-behavior), and not always at once: wait until it is in view and
  // stands still (or a second and a half has gone by).
  const frame = () => new Promise((done) => requestAnimationFrame(done));
  const inView = (r) =>
    r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
  const meets = (r) => r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  for (let n = 0, still = 0, was = null; n < 90; n++) {
    const at = el.getBoundingClientRect();
    still = JSON.stringify(at) === was ? still + 1 : 0;
    was = JSON.stringify(at);
    if ((n === 0 && inView(at)) || (meets(at) && still >= 3)) break;
    await frame();
  }
  const {before, reached, look} = window.prepFocus;
  const again = reached.has(el);
  reached.add(el);
  const problems = [];
  // A box hidden for its looks (.btn-check) shows its focus on its label.
  const small = el.getBoundingClientRect().width <= 1;
  const shown = small && el.labels && el.labels.length ? el.labels[0] : el;
  const r = shown.getBoundingClientRect();
  const left = Math.max(r.left, 0);
  const right = Math.min(r.right, innerWidth);
  const top = Math.max(r.top, 0);
  const bottom = Math.min(r.bottom, innerHeight);
  const seen = shown.checkVisibility({opacityProperty: true, visibilityProperty: true});
  if (!seen || right - left < 2 || bottom - top < 2) {
    problems.push(`not on the screen (${Math.round(r.left)}, ${Math.round(r.top)}, ` +
      `${Math.round(r.width)}x${Math.round(r.height)})`);
  } else {
    const over = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
    if (over && !shown.contains(over) && !over.contains(shown) && over.control !== el) {
      problems.push(`under ${name(over)}`);
    }
  }
  // The focus style fades in (Bootstrap's transitions): its end is what is seen.
  const fades = shown.getAnimations()
    .filter((run) => /outline|shadow|border/.test(run.transitionProperty));
  await Promise.all(fades.map((run) => run.finished.catch(() => null)));
  const now = look(shown);
  const was = before.get(shown) || {outline: "", shadow: "", border: ""};
  const style = getComputedStyle(shown);
  // The ring is seen against what is behind the element: the first background
  // up the page that is more than faint.
  const contrastOver = CONTRAST_OVER;
  const contrast = (color) => contrastOver(color, shown.parentElement, 0.5);
  // What changed on focus, and how it stands out (WCAG's 3:1 for what is not text).
  const marks = [];
  if (now.outline !== was.outline && style.outlineStyle !== "none" &&
      parseFloat(style.outlineWidth) >= 1) {
    marks.push(style.outlineStyle === "auto" ? 3 : contrast(style.outlineColor));
  }
  if (now.shadow !== was.shadow) {
    const ring = /(rgba?\\([^)]*\\)) (-?[\\d.]+)px (-?[\\d.]+)px ([\\d.]+)px (-?[\\d.]+)px/g;
    for (const [, color, , , blur, spread] of now.shadow.matchAll(ring)) {
      if (Math.max(Number(blur), Number(spread)) >= 2) marks.push(contrast(color));
    }
  }
  if (now.border !== was.border && parseFloat(style.borderTopWidth) >= 1) {
    marks.push(contrast(style.borderTopColor));
  }
  const best = Math.max(0, ...marks);
  if (best < 3) {
    problems.push(`focus hard to see: ${best.toFixed(1)}:1 against the background ` +
      `(outline ${now.outline}; shadow ${now.shadow}; border ${now.border})`);
  }
  return {name: name(el), again, problems};
}""".replace("NAME_ELEMENT", NAME_ELEMENT).replace("CONTRAST_OVER", CONTRAST_OVER)

# The controls a person can see that Tab never reached.
UNREACHED = """() => {
  const name = NAME_ELEMENT;
  const {controls, reached} = window.prepFocus;
  // Tab reaches one of a group of radio buttons; the arrow keys move in it.
  const group = (el) => el.type === "radio" && el.form
    ? [...el.form.elements].filter((other) => other.type === "radio" && other.name === el.name)
    : [el];
  return [...controls].filter((el) => !group(el).some((one) => reached.has(one))).map(name);
}""".replace("NAME_ELEMENT", NAME_ELEMENT)


def tab_through(page: Page, what: str) -> list[str]:
    """Press Tab until the focus has been everywhere once; what went wrong."""
    # A page that focuses a field as it opens starts the walk there: past the
    # end of the page, Tab goes on from the top.
    # A field with autofocus takes the focus when the page is next drawn.
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")
    mid_page = page.evaluate(REMEMBER, FOCUSABLE)
    problems = []
    for _ in range(MOST_PRESSES):
        page.keyboard.press("Tab")
        found = page.evaluate(CHECK_FOCUS)
        if found is None and mid_page:
            mid_page = False
            continue
        if found is None or found["again"]:
            break
        problems += [f"{what}: {found['name']}: {problem}" for problem in found["problems"]]
    else:
        return problems + [f"{what}: still in the page after {MOST_PRESSES} presses of Tab"]
    unreached = page.evaluate(UNREACHED)
    return problems + [f"{what}: {name}: never reached with Tab" for name in unreached]


@pytest.mark.parametrize("color_scheme", COLOR_SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_every_control_takes_a_visible_focus_from_the_keyboard(
    page: Page, width: str, color_scheme: str
):
    pages = seed()
    page.set_viewport_size(WIDTHS[width])
    page.emulate_media(color_scheme=color_scheme)

    page.goto("/")
    problems = tab_through(page, "landing")
    log_in(page, "ada")
    for what in PAGES:
        page.goto(pages[what])
        page.wait_for_load_state("load")
        problems += tab_through(page, what)
        if what == "study card":
            page.goto(pages[what])
            page.wait_for_load_state("load")
            page.keyboard.press("Space")
            expect(page.get_by_test_id("answer")).to_be_visible()
            problems += tab_through(page, "study card revealed")

    assert not problems, f"{len(problems)} problems at {width} width, {color_scheme} mode:\n" + (
        "\n".join(problems)
    )
