"""The overlap check of the accessibility walk finds content that collides and
a fixed bar that hides the end of the page, and lets alone what only looks
like it: a key inside its button, a field joined to its button, the content of
a closed <details>, text for screen readers only, text scrolled out of its box."""

from playwright.sync_api import Page

from tests.browser.audit import overlap_problems

STYLE = """<style>
  body { margin: 0; font: 16px/1.5 sans-serif; }
  p { margin: 0; }
  .up { margin-top: -1.25rem; }
  .row { display: flex; }
  .row > * { margin: 0; }
  .row > * + * { margin-left: -1px; }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0, 0, 0, 0); }
  .scroll { height: 1.5rem; overflow-y: auto; }
  .bar { position: fixed; left: 0; right: 0; bottom: 0; height: 4rem; background: #eee; }
  .tall { height: 1200px; }
</style>"""

FINE = f"""{STYLE}
<button>Show answer <kbd>Space</kbd></button>
<div class="row"><input aria-label="Search"><button>Search</button></div>
<details><summary>How to search</summary><p>One line</p><p class="up">Another line</p></details>
<p>Seen by everyone</p><span class="sr">Read out only</span>
<div class="scroll"><p>The first line</p><p>The second line, scrolled out of the box</p></div>
<p>After the box</p>
<div class="tall"></div>
<p>The last line</p>
<div class="bar"><button>Good</button> <button>Easy</button></div>
<style>body {{ padding-bottom: 4rem; }}</style>"""

BROKEN = f"""{STYLE}
<p>A heading that is long</p>
<p class="up">A line pulled up into it</p>
<svg width="300" height="40"><text x="10" y="20">Mon 1</text><text x="30" y="22">Tue 2</text></svg>
<div class="tall"></div>
<p>The last line</p>
<div class="bar"><button>Good</button></div>"""


def test_the_overlap_check_lets_alone_what_only_looks_like_an_overlap(page: Page):
    page.set_content(FINE)
    assert overlap_problems(page) == []


def test_the_overlap_check_finds_content_that_collides_and_a_bar_that_hides_it(page: Page):
    page.set_content(BROKEN)
    problems = overlap_problems(page)
    assert len(problems) == 3, problems
    collided, labels, covered = problems
    assert collided.startswith('overlap: p "A heading that is long" and p.up "A line pulled up')
    assert labels.startswith('overlap: text "Mon 1" and text "Tue 2"')
    assert covered.startswith("covered: div.bar (64px high, at the bottom) hides p")
    assert '"The last line"' in covered
