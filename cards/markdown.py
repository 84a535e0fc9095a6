"""Card faces as HTML. A Markdown card: CommonMark, tables, fenced code
highlighted on the server with Pygments, and TeX math (``$$ … $$``,
``\\( … \\)``, ``\\[ … \\]``) left as escaped text in ``.math`` elements for the
vendored KaTeX to typeset in the browser. An HTML card (from Anki): its HTML as
it is, colors kept, with Anki's math delimiters made ``.math`` elements the
same way. Everything the user wrote goes through nh3 before it reaches a page.
"""

import html
import re
from functools import lru_cache
from urllib.parse import quote

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

CLOZE_PATTERN = re.compile(r"\{\{c([0-9]+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
# The highest cloze number: a card asks one prompt per number, and Anki's own
# notes stay far below it. A higher number is not a deletion (the card form says so).
MAX_CLOZE = 500

_FORMATTER = HtmlFormatter(nowrap=True)


def _highlight_code(code: str, lang: str, attrs) -> str:
    try:
        lexer = get_lexer_by_name(lang.strip().split()[0]) if lang.strip() else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return ""  # markdown-it falls back to plain escaped code
    return highlight(code, lexer, _FORMATTER)


def _math_inline(self, tokens, idx, options, env) -> str:
    return f'<span class="math math-inline">{escapeHtml(tokens[idx].content.strip())}</span>'


def _math_display(self, tokens, idx, options, env) -> str:
    return f'<div class="math math-display">{escapeHtml(tokens[idx].content.strip())}</div>\n'


def _build_parser() -> MarkdownIt:
    md = (
        MarkdownIt("commonmark", {"html": True, "highlight": _highlight_code})
        .enable(["table", "strikethrough"])
        # ``$$`` blocks and inline ``$…$``; a dollar next to a digit is money, not math.
        .use(dollarmath_plugin, allow_digits=False, allow_space=False, double_inline=True)
        .use(texmath_plugin, delimiters="brackets")
    )
    md.add_render_rule("math_inline", _math_inline)
    for name in ("math_inline_double", "math_block", "math_block_label", "math_block_eqno"):
        md.add_render_rule(name, _math_display)
    return md


_PARSER = _build_parser()

_CLEANER_CLASSES = {
    "span": set(STANDARD_TYPES.values()) - {""} | {"math", "math-inline", "cloze"},
    "div": {"math", "math-display"},
    "pre": {"highlight"},
}
# A block of code or a table scrolls sideways inside the card when it is wide
# (prep.css): it takes the keyboard's focus, so that the arrow keys can scroll
# it too.
_FOCUSABLE = {"pre": {"tabindex": "0"}, "table": {"tabindex": "0"}}
_CLEANER = nh3.Cleaner(
    tags=nh3.ALLOWED_TAGS - {"area", "map"},
    attributes={**nh3.ALLOWED_ATTRIBUTES, "span": set(), "div": set(), "pre": set()},
    allowed_classes=_CLEANER_CLASSES,
    url_schemes={"http", "https", "mailto"},
    set_tag_attribute_values=_FOCUSABLE,
)

# Anki's editor writes colors as inline styles (and, in old notes, <font>): an
# HTML card keeps those two properties and nothing else of a style.
_HTML_CLEANER = nh3.Cleaner(
    tags=nh3.ALLOWED_TAGS - {"area", "map"} | {"font"},
    attributes={
        **nh3.ALLOWED_ATTRIBUTES,
        "*": {"style"},
        "span": {"style"},
        "div": {"style"},
        "pre": set(),
        "font": {"color"},
    },
    allowed_classes=_CLEANER_CLASSES,
    url_schemes={"http", "https", "mailto"},
    filter_style_properties={"color", "background-color"},
    set_tag_attribute_values=_FOCUSABLE,
)

# Anki's math: \( \) and [$] [/$] inline, \[ \] and [$$] [/$$] displayed.
_HTML_MATH = re.compile(
    r"\\\((?P<inline>.+?)\\\)|\[\$\](?P<inline_old>.+?)\[/\$\]"
    r"|\\\[(?P<display>.+?)\\\]|\[\$\$\](?P<display_old>.+?)\[/\$\$\]",
    re.DOTALL,
)
_TAG = re.compile(r"<[^>]*>")
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Safe HTML for a piece of card Markdown."""
    return _CLEANER.clean(_PARSER.render(_valid_text(text)))


def _valid_text(text: str) -> str:
    # A lone surrogate is not text nh3 can take: it becomes "?".
    return text.encode("utf-8", "replace").decode("utf-8")


def _typeset(match: re.Match) -> str:
    """One of Anki's math delimiters as a ``.math`` element: its TeX as text,
    without the tags and entities the editor put in it."""
    tex = next(value for value in match.groupdict().values() if value is not None)
    tex = html.unescape(_TAG.sub("", _LINE_BREAK.sub(" ", tex))).strip()
    if match.group("inline") is not None or match.group("inline_old") is not None:
        return f'<span class="math math-inline">{escapeHtml(tex)}</span>'
    return f'<div class="math math-display">{escapeHtml(tex)}</div>'


@lru_cache(maxsize=4096)
def render_html(text: str) -> str:
    """Safe HTML for a face written in HTML (a card from Anki), not read as
    Markdown: only sanitized, with its math made ready for KaTeX."""
    return _HTML_CLEANER.clean(_HTML_MATH.sub(_typeset, _valid_text(text)))


# An image by its bare name (as Anki's notes give them): one the card keeps.
_OWN_IMAGE = re.compile(r'(<img\b[^>]*?\bsrc=")([^"/:?#]+)(")')


def image_names(safe_html: str) -> set[str]:
    """The bare names of the images this sanitised HTML shows."""
    if "<img" not in safe_html:
        return set()
    return {html.unescape(match.group(2)).strip() for match in _OWN_IMAGE.finditer(safe_html)}


def link_images(safe_html: str, base: str | None, named: dict[str, str] | None = None) -> str:
    """Sanitised HTML with each image given by a bare name pointing at its
    address in ``named``, else under ``base``, the address of the card's images
    (left as it is without one)."""
    if "<img" not in safe_html:
        return safe_html

    def link(match: re.Match) -> str:
        name = html.unescape(match.group(2)).strip()
        if named and name in named:
            return f"{match.group(1)}{named[name]}{match.group(3)}"
        if base is None:
            return match.group(0)
        return f"{match.group(1)}{base}{quote(name, safe='')}{match.group(3)}"

    return _OWN_IMAGE.sub(link, safe_html)


def render_face(text: str, *, html: bool = False) -> str:
    """Safe HTML for a card face, read as HTML or as Markdown."""
    return render_html(text) if html else render_markdown(text)


def _cloze_number(match: re.Match) -> int | None:
    digits = match.group(1).lstrip("0") or "0"
    return int(digits) if len(digits) <= len(str(MAX_CLOZE)) and int(digits) <= MAX_CLOZE else None


def cloze_numbers(text: str) -> list[int]:
    """The distinct cloze numbers a text uses, in order: ``{{c2::x}} {{c1::y}}`` → [1, 2]."""
    numbers = {_cloze_number(m) for m in CLOZE_PATTERN.finditer(text)}
    return sorted(numbers - {None})


def cloze_past_limit(text: str) -> str | None:
    """A message naming the first cloze number past MAX_CLOZE, if the text has one."""
    for match in CLOZE_PATTERN.finditer(text):
        if _cloze_number(match) is None:
            number = match.group(1)
            shown = number if len(number) <= 12 else f"{number[:12]}…"
            return f"Cloze numbers go from 1 to {MAX_CLOZE}: c{shown} is past that."
    return None


def cloze_side(text: str, number: int, *, reveal: bool) -> str:
    """The text of one cloze prompt: the asked deletion hidden (or shown
    highlighted when revealed), every other deletion shown as it is. The answer
    and the hint keep their markup (``O(n<sup>2</sup>)``): the face is sanitized
    as a whole when it is rendered."""

    def replace(match: re.Match) -> str:
        if _cloze_number(match) != number:
            return match.group(2)
        if reveal:
            return f'<span class="cloze">{match.group(2)}</span>'
        hint = match.group(3)
        return f'<span class="cloze">[{hint if hint else "…"}]</span>'

    return CLOZE_PATTERN.sub(replace, text)


# Inline tokens whose content is text a reader sees, in a face written as plain text.
_PLAIN_INLINE = {"text", "code_inline", "math_inline", "math_inline_double"}
_PLAIN_BLOCK = {"fence", "code_block", "math_block", "math_block_label", "math_block_eqno"}


@lru_cache(maxsize=4096)
def plain_text(text: str, *, is_html: bool = False, limit: int = 200) -> str:
    """A face as one line of plain text, for a list or a table: no Markdown
    marks or tags, code and math as written, an image as its description, a
    cloze's answers in brackets ("The [GIL] lets one thread run"). Cut at
    ``limit`` characters, with an ellipsis."""
    text = CLOZE_PATTERN.sub(lambda m: f"[{m.group(2)}]", text[: limit * 8])
    if is_html:
        words = [html.unescape(_TAG.sub(" ", _LINE_BREAK.sub(" ", text)))]
    else:
        words = []
        for token in _PARSER.parse(_valid_text(text)):
            if token.type in _PLAIN_BLOCK:
                words.append(token.content)
            for child in token.children or ():
                if child.type in _PLAIN_INLINE:
                    words.append(child.content)
                elif child.type == "image":
                    words.append(child.content or "(image)")
                elif child.type in ("softbreak", "hardbreak"):
                    words.append(" ")
            if token.type.endswith("_close") and token.block:
                words.append(" ")
    line = " ".join("".join(words).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
