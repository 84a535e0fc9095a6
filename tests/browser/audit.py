"""What a page is checked for on every visit of the accessibility walk:
axe-core's WCAG 2.1 A/AA rules, and a layout that fits the screen.

axe-core comes from the npm registry (package.json) like Bootstrap. The
pages' Content-Security-Policy lets no inline script run, so it is not added
as a <script> tag: Playwright evaluates its text through the DevTools
protocol, which the policy does not govern, and the page's own policy stays
as it is for everything the page does."""

from functools import cache

from django.conf import settings
from playwright.sync_api import Page

AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
  }));
}"""

# A short name for an element in a failure message: tag#id.classes.
NAME_ELEMENT = """(el) => {
  let name = el.tagName.toLowerCase();
  if (el.id) name += "#" + el.id;
  for (const c of el.classList) name += "." + c;
  return name;
}"""

# Elements that reach past the right edge of the page (outside any box that
# scrolls or clips them), and elements that clip their own text without an
# ellipsis. Hidden elements (Bootstrap's .visually-hidden, closed menus) are
# not seen, so they are left out.
CHECK_LAYOUT = f"""() => {{
  const name = {NAME_ELEMENT};
  const root = document.documentElement;
  const width = root.clientWidth;
  const clipped = (el) => {{
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {{
      const x = getComputedStyle(up).overflowX;
      if (x !== "visible") return true;
    }}
    return false;
  }};
  const seen = (el) =>
    el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const wide = [];
  const cut = [];
  if (root.scrollWidth > width) {{
    for (const el of document.body.querySelectorAll("*")) {{
      if (!seen(el) || clipped(el)) continue;
      const right = el.getBoundingClientRect().right;
      if (right > width + 1) wide.push(`${{name(el)}} (right edge at ${{Math.round(right)}}px)`);
    }}
  }}
  for (const el of document.body.querySelectorAll("*")) {{
    const style = getComputedStyle(el);
    if (style.overflowX !== "hidden" || !seen(el)) continue;
    if (el.clientWidth <= 1 || style.position === "absolute" && style.clip !== "auto") continue;
    if (style.textOverflow === "ellipsis" || !el.textContent.trim()) continue;
    if (el.scrollWidth > el.clientWidth + 1) {{
      cut.push(`${{name(el)}} (${{el.scrollWidth}}px of text in ${{el.clientWidth}}px)`);
    }}
  }}
  return {{scrollWidth: root.scrollWidth, width, wide, cut}};
}}"""


@cache
def axe_source() -> str:
    return AXE.read_text()


def axe_violations(page: Page) -> list[str]:
    """Each WCAG 2.1 A/AA violation axe finds in the page: rule, impact, elements."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return [
        f"{v['rule']} ({v['impact']}): {v['help']}: {', '.join(v['targets'])}"
        for v in page.evaluate(RUN_AXE, WCAG_21_AA)
    ]


def layout_problems(page: Page) -> list[str]:
    """The page scrolls sideways (and what makes it wider), or text is cut off."""
    found = page.evaluate(CHECK_LAYOUT)
    problems = []
    if found["scrollWidth"] > found["width"]:
        problems.append(
            f"scrolls sideways: {found['scrollWidth']}px wide in {found['width']}px: "
            + ", ".join(found["wide"][:8])
        )
    problems += [f"text cut off: {element}" for element in found["cut"]]
    return problems
