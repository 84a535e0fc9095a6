import pytest

from cards.markdown import cloze_numbers, cloze_side, plain_text, render_html, render_markdown

# Rendering text: no test here opens the database (pytest-django would refuse it).
pytestmark = pytest.mark.db_independent


def test_fenced_code_is_highlighted_on_the_server():
    html = render_markdown("```python\ndef f():\n    return 1\n```")
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">f</span>' in html


def test_code_blocks_take_the_keyboard_focus_to_scroll():
    """A long line scrolls sideways inside its block; the arrow keys scroll it
    once it has the focus. A tabindex the writer gave is not kept."""
    assert render_markdown("```\nprint(1)\n```").startswith('<pre tabindex="0"><code>')
    assert render_markdown('<pre tabindex="-1">x</pre>') == '<pre tabindex="0">x</pre>'
    assert render_html('<pre tabindex="3">x</pre>') == '<pre tabindex="0">x</pre>'


def test_math_is_kept_for_katex_and_escaped():
    html = render_markdown("Inline \\( a < b \\) and\n\n$$\n\\frac{1}{2}\n$$\n")
    assert '<span class="math math-inline">a &lt; b</span>' in html
    assert '<div class="math math-display">\\frac{1}{2}</div>' in html


def test_dollars_next_to_digits_are_money_not_math():
    html = render_markdown("It costs $5 and $10.")
    assert "math" not in html
    assert "$5 and $10" in html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<svg onload=alert(1)>",
        '<iframe src="https://example.com"></iframe>',
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<math><mtext><script>alert(1)</script></mtext></math>",
        '<span class="position-fixed">x</span>',
    ],
)
def test_user_html_is_sanitized(payload):
    html = render_markdown(payload)
    lowered = html.lower()
    # "javascript:" may stay as visible text, never as a link target.
    for bad in ("<script", "onerror", "onload", 'href="javascript', "<iframe", "style=", "<svg"):
        assert bad not in lowered
    assert "position-fixed" not in html


def test_safe_markup_survives():
    html = render_markdown("**bold** <kbd>Ctrl</kbd>\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<strong>bold</strong>" in html
    assert "<kbd>Ctrl</kbd>" in html
    assert '<table tabindex="0">' in html


def test_cloze_sides():
    text = "{{c1::Kafka}} stores {{c2::offsets::what?}} per partition"
    assert cloze_numbers(text) == [1, 2]
    assert cloze_side(text, 2, reveal=False) == (
        'Kafka stores <span class="cloze">[what?]</span> per partition'
    )
    assert "offsets" in cloze_side(text, 2, reveal=True)
    assert "[…]" in cloze_side(text, 1, reveal=False)


def test_cloze_answer_keeps_its_markup_and_is_sanitized():
    html = render_markdown(cloze_side("{{c1::<script>x</script>}}", 1, reveal=True))
    assert "<script" not in html
    html = render_markdown(cloze_side("{{c1::O(n<sup>2</sup>)}}", 1, reveal=True))
    assert html == '<p><span class="cloze">O(n<sup>2</sup>)</span></p>\n'


def test_a_face_as_plain_text_has_no_markdown_marks():
    assert plain_text("How do you **count** words?\n\n```python\nCounter(words)\n```") == (
        "How do you count words? Counter(words)"
    )
    assert plain_text(
        "The {{c1::GIL::a lock}} lets `one` thread run, see [docs](https://x.org)"
    ) == ("The [GIL] lets one thread run, see docs")
    assert plain_text("# Heading\n\n- one\n- two\n\n![a diagram](g.png) $O(n^2)$") == (
        "Heading one two a diagram O(n^2)"
    )
    assert (
        plain_text("| Lookup | Insert |\n|---|---|\n| O(1) | O(1) |") == "Lookup Insert O(1) O(1)"
    )
    assert plain_text("snake_case_name stays") == "snake_case_name stays"
    assert plain_text("<b>Bold</b> &amp; <br>more", is_html=True) == "Bold & more"


def test_plain_text_is_cut_with_an_ellipsis():
    assert plain_text("word " * 100, limit=20) == "word word word word…"
    assert plain_text("short", limit=20) == "short"
