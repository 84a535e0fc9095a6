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
MOST_OVERLAPS = 12  # listed a page; the rest are counted
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

# WCAG's contrast ratio of a CSS color over what is behind it: the first
# background, from ``start`` up the page, at least ``solid`` opaque (white if
# none), with a translucent color blended over it first.
CONTRAST_OVER = """(color, start, solid = 1) => {
  const rgba = (text) => {
    if (text === "transparent") return [0, 0, 0, 0];
    const [r, g, b, a = 1] = (text.match(/[\\d.]+/g) || [0, 0, 0, 0]).map(Number);
    return [r, g, b, a];
  };
  let ground = [255, 255, 255];
  for (let node = start; node; node = node.parentElement) {
    const [r, g, b, a] = rgba(getComputedStyle(node).backgroundColor);
    if (a >= solid) { ground = [r, g, b]; break; }
  }
  const luminance = (rgb) => {
    const linear = (c) => (c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    const [x, y, z] = rgb.map(linear);
    return 0.2126 * x + 0.7152 * y + 0.0722 * z;
  };
  const [r, g, b, a] = rgba(color);
  const over = [r, g, b].map((c, i) => c * a + ground[i] * (1 - a));
  const [light, dark] = [luminance(over), luminance(ground)].sort((p, q) => q - p);
  return (light + 0.05) / (dark + 0.05);
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

# Content a person would see collide: boxes that are leaves of the layout
# (a line of text, measured from its text rather than from the element around
# it; buttons, links, fields, images, badges, keys) whose rectangles cross by
# more than SLACK pixels both ways, where neither holds the other. Only what
# can be seen counts: hidden elements, Bootstrap's .visually-hidden, and the
# parts of a box that a scrolling or clipping ancestor cuts off are left out.
# What is meant to float over the page (fixed or sticky bars, an open menu, a
# tooltip, a toast, a dialog) is a layer of its own: its content is checked
# against itself, and a fixed bar at the top or bottom of the screen is
# checked to leave room, so that scrolled to the end (or the start) no content
# stays under it. Sorted by top and swept, so a page of a few thousand
# elements is compared in a few hundred thousand steps, not millions.
CHECK_OVERLAP = """() => {
  const name = NAME_ELEMENT;
  const SLACK = 3;
  const BOXES = "a, button, input:not([type=hidden]), select, textarea, img, svg, video, audio, " +
    "canvas, iframe, .btn, .badge, kbd, [role=button]";
  const SEEN = {opacityProperty: true, visibilityProperty: true};
  const TUCKED = ".visually-hidden, .visually-hidden-focusable:not(:focus-within)";
  const FLOATING = ".dropdown-menu.show, .tooltip, .popover, .toast, .modal, .offcanvas";
  const NO_TEXT = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "SELECT", "OPTION",
    "OPTGROUP", "TEXTAREA", "TITLE", "DESC"]);
  const everywhere = {l: -Infinity, t: -Infinity, r: Infinity, b: Infinity};
  const cross = (a, b) => ({
    l: Math.max(a.l, b.l), t: Math.max(a.t, b.t), r: Math.min(a.r, b.r), b: Math.min(a.b, b.b),
  });
  const box = (r) => ({l: r.left, t: r.top, r: r.right, b: r.bottom});
  // For each element: hidden or not, the layer it is in, the clip its own box
  // is cut to (clip) and the clip its content is cut to (inner).
  const known = new Map();
  const inspect = (el) => {
    if (known.has(el)) return known.get(el);
    const up = el.parentElement && el !== document.body
      ? inspect(el.parentElement)
      : {hidden: false, tucked: false, layer: null, inner: everywhere};
    let seen = up;
    if (!up.tucked) {
      const style = getComputedStyle(el);
      // Tucked away for screen readers only; hidden also when not rendered (a closed
      // menu, a closed <details>' content), transparent or visibility: hidden.
      const tucked = el.matches(TUCKED) || (style.position === "absolute" && style.clip !== "auto");
      const hidden = tucked || !el.checkVisibility(SEEN);
      const floats =
        style.position === "fixed" || style.position === "sticky" || el.matches(FLOATING);
      const layer = floats ? el : up.layer;
      const clip = style.position === "fixed" ? everywhere : up.inner;
      let inner = clip;
      const clips = style.overflowX !== "visible" || style.overflowY !== "visible";
      if (clips && el !== document.body) {
        const r = el.getBoundingClientRect();
        const l = r.left + el.clientLeft;
        const t = r.top + el.clientTop;
        inner = cross(clip, {l, t, r: l + el.clientWidth, b: t + el.clientHeight});
      }
      seen = {hidden, tucked, layer, clip, inner, style};
    }
    known.set(el, seen);
    return seen;
  };
  const items = [];
  const add = (node, owner, rects, clip, text) => {
    for (const rect of rects) {
      const r = cross(box(rect), clip);
      if (r.r - r.l > SLACK && r.b - r.t > SLACK) {
        items.push({...r, node, owner, text, layer: inspect(owner).layer});
      }
    }
  };
  const range = document.createRange();
  const show = NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT;
  const walker = document.createTreeWalker(document.body, show);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === Node.TEXT_NODE) {
      const owner = node.parentElement;
      const text = node.textContent.trim();
      if (!text || NO_TEXT.has(owner.tagName.toUpperCase())) continue;
      const seen = inspect(owner);
      if (seen.hidden) continue;
      range.selectNodeContents(node);
      add(node, owner, range.getClientRects(), seen.inner, text);
    } else if (node.matches(BOXES)) {
      const seen = inspect(node);
      if (seen.hidden) continue;
      add(node, node, node.getClientRects(), seen.clip, "");
    }
  }
  const describe = (item) =>
    name(item.owner) + (item.text ? ` "${item.text.slice(0, 30)}"` : "");
  items.sort((a, b) => a.t - b.t);
  const overlaps = new Map();
  for (let i = 0; i < items.length; i++) {
    const a = items[i];
    for (let j = i + 1; j < items.length && items[j].t < a.b - SLACK; j++) {
      const b = items[j];
      if (a.layer !== b.layer || a.node === b.node) continue;
      const w = Math.min(a.r, b.r) - Math.max(a.l, b.l);
      const h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
      if (w <= SLACK || h <= SLACK) continue;
      if (a.node.contains(b.node) || b.node.contains(a.node)) continue;
      const key = describe(a) + " and " + describe(b);
      if (!overlaps.has(key)) {
        overlaps.set(key, `${key} cross by ${Math.round(w)}x${Math.round(h)}px ` +
          `at (${Math.round(Math.max(a.l, b.l))}, ${Math.round(Math.max(a.t, b.t) + scrollY)})`);
      }
    }
  }
  // A bar fixed to the top or bottom of the screen leaves room for the page.
  const covered = [];
  const height = innerHeight;
  const last = Math.max(0, document.documentElement.scrollHeight - height);
  const bars = new Set(items.map((item) => item.layer).filter((layer) =>
    layer && inspect(layer).style.position === "fixed"));
  for (const bar of bars) {
    const r = bar.getBoundingClientRect();
    const atBottom = r.bottom >= height - 1 && r.top > 0;
    const atTop = r.top <= 1 && r.bottom < height;
    if (!atBottom && !atTop) continue;
    const under = items.filter((item) => {
      if (item.layer !== null) return false;
      if (Math.min(item.r, r.right) - Math.max(item.l, r.left) <= SLACK) return false;
      // Where the item is at the page's end (for a bottom bar) or start (top bar).
      if (atBottom) return item.b + scrollY - last > r.top + SLACK;
      return item.t + scrollY < r.bottom - SLACK;
    });
    if (under.length) {
      const edge = atBottom ? "bottom" : "top";
      const more = under.length > 4 ? ` and ${under.length - 4} more` : "";
      covered.push(`${name(bar)} (${Math.round(r.height)}px high, at the ${edge}) hides ` +
        `${under.slice(0, 4).map(describe).join(", ")}${more} ` +
        `${atBottom ? "at the end" : "at the start"} of the page`);
    }
  }
  return {overlaps: [...overlaps.values()], covered, items: items.length};
}""".replace("NAME_ELEMENT", NAME_ELEMENT)


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


def overlap_problems(page: Page) -> list[str]:
    """Content that collides with other content, or stays under a fixed bar."""
    found = page.evaluate(CHECK_OVERLAP)
    problems = [f"overlap: {overlap}" for overlap in found["overlaps"][:MOST_OVERLAPS]]
    if len(found["overlaps"]) > MOST_OVERLAPS:
        problems.append(f"overlap: {len(found['overlaps']) - MOST_OVERLAPS} more")
    return problems + [f"covered: {cover}" for cover in found["covered"]]
