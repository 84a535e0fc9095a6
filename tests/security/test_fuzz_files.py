"""Bad files and bad markup: Hypothesis builds card imports (CSV with tricky
cells, sometimes a megabyte) and backups to upload, and glues text and
fragments of markup together for the Markdown renderer, which never raises
and never lets a script, an event handler or a javascript: URL through. The
rules for each request are those of tests/security/test_fuzz.py."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from cards.markdown import cloze_side, render_markdown
from tests.security.fuzzing import EXAMPLES, FUZZ, TRICKY, htmx, huge_text, text, with_surrogates
from tests.security.outcomes import exercise
from tests.security.payloads import PAYLOADS
from tests.security.test_xss import read

pytestmark = pytest.mark.django_db


# Uploads --------------------------------------------------------------------------------------

CSV_CELLS = st.one_of(
    text, st.sampled_from(["front", "back", "topic", "tags", "Fuzz", "{{c1::x}}"])
)


def _csv(rows: list[list[str]], separator: str) -> bytes:
    lines = []
    for row in rows:
        cells = []
        for cell in row:
            cell = cell.decode("latin-1") if isinstance(cell, bytes) else cell
            cells.append(
                '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',\t"\n') else cell
            )
        lines.append(separator.join(cells))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


small_uploads = st.one_of(
    st.binary(max_size=4000),
    st.builds(
        _csv,
        st.lists(st.lists(CSV_CELLS, min_size=1, max_size=5), max_size=12),
        st.sampled_from([",", "\t", ";"]),
    ),
    st.sampled_from(
        [
            b"",
            b"\xef\xbb\xbffront,back\nQ,A\n",
            b"front,back\nQ\xff\xfe,A\n",  # invalid UTF-8
            b"front,back\nQ\x00,A\n",  # a NUL byte
            b"front,back\n" + b"Q," + b"A" * 20_000 + b"\n",
            b"\xed\xa0\x80,x\n",  # an encoded lone surrogate
            b"PK\x03\x04" + b"\x00" * 100,  # a broken zip
            b"[" * 100_000,
            b'{"format": "prep-backup", "version": 1, "cards": [{"front": "\\ud800"}]}',
            b"\x1f\x8b\x08\x00" + b"\xff" * 50,  # a broken gzip
        ]
    ),
)
# Now and then, a large file: a megabyte in a few long lines, or many short ones.
large_upload = st.sampled_from(
    [
        b"front,back,topic\nq," + b"a" * 1_000_000 + b",Fuzz\n",
        b"front,back,topic\n" + "q,\u00e9\U0001f642,Fuzz\n".encode() * 20_000,
        b"\xff" * 1_000_000,
    ]
)
upload_bytes = st.integers(0, 15).flatmap(lambda n: large_upload if n == 0 else small_uploads)
filenames = st.one_of(
    st.sampled_from(
        [
            "cards.csv",
            "cards.tsv",
            "notes.txt",
            "deck.apkg",
            "backup.json",
            "backup.json.gz",
            "backup.zip",
            "cards.exe",
            "../../../etc/passwd.csv",
            "名前.csv",
            ".csv",
            "a" * 300 + ".csv",
        ]
    ),
    st.text(min_size=1, max_size=40).map(lambda name: name.replace("\x00", "") + ".csv"),
)


@FUZZ
@given(content=upload_bytes, name=filenames, new_topic=st.one_of(st.none(), text), htmx=htmx)
def test_import_upload(world, content, name, new_topic, htmx):
    try:
        url = reverse("cards:import")
    except NoReverseMatch:
        pytest.skip("the import is not built yet")
    if isinstance(new_topic, bytes):
        new_topic = new_topic.decode("utf-8", "replace")
    if isinstance(new_topic, str):
        new_topic = new_topic.encode("utf-8", "replace").decode()
    exercise(
        world["client"],
        url,
        {"new_topic": new_topic},
        htmx=htmx,
        files={"file": SimpleUploadedFile(name or "x.csv", content)},
    )


@FUZZ
@given(content=upload_bytes, name=filenames, merge=st.booleans())
def test_backup_restore(world, content, name, merge):
    try:
        url = reverse("accounts:backup_restore")
    except NoReverseMatch:
        pytest.skip("the backup is not built yet")
    exercise(
        world["client"],
        url,
        {"merge": "on" if merge else None},
        files={"file": SimpleUploadedFile(name or "x.json", content)},
    )


# The Markdown renderer ------------------------------------------------------------------------

FRAGMENTS = [
    "<",
    ">",
    "</",
    "/>",
    "<script>",
    "</script>",
    "<img",
    " src=",
    "xssimg",
    " onerror=",
    "alert(1)",
    "javascript:",
    "JaVaScRiPt:",
    "&#106;",
    "&#x09;",
    "data:text/html,",
    "<a href=",
    "<svg",
    "<math",
    "<style>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    '"',
    "'",
    "`",
    "```",
    "\n",
    "\n\n",
    "[",
    "]",
    "(",
    ")",
    "![",
    "](",
    "<http://",
    "$$",
    "$",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "\\href{",
    "}",
    "{",
    "{{c1::",
    "::",
    "}}",
    "|",
    "---",
    "> ",
    "- ",
    "1. ",
    "    ",
    "\t",
    "*",
    "_",
    "~~",
    "&",
    "&amp;",
    "&lt;",
    "\x00",
    "\u202e",
    "🙂",
    "<details open ontoggle=",
    "<iframe",
    "<object",
    "<base",
    "<form",
    "<input",
    "<div",
    "<span class=",
    "math",
    "cloze",
]
markdown_sources = st.one_of(
    st.text(),
    st.builds(with_surrogates, st.text(max_size=80), st.lists(st.integers(0, 90), max_size=3)),
    st.lists(st.sampled_from(FRAGMENTS + PAYLOADS), max_size=40).map("".join),
    st.sampled_from(TRICKY + PAYLOADS),
    huge_text.map(lambda s: s[:200_000]),
)


@pytest.mark.db_independent  # the Markdown renderer alone; it opens no database
@settings(FUZZ, max_examples=max(EXAMPLES * 10, 300))
@given(source=markdown_sources, number=st.integers(1, 3), reveal=st.booleans())
def test_markdown_never_raises_and_never_lets_a_script_through(source, number, reveal):
    for markdown in (source, cloze_side(source, number, reveal=reveal)):
        html = render_markdown(markdown)
        assert isinstance(html, str)
        # Read as a browser would: no <script>, no on…= attribute, no script URL,
        # no frame or object (text that only looks like one, escaped, is fine).
        reader = read(html)
        assert not reader.dangers, (reader.dangers, html[:2000])


@pytest.mark.db_independent
def test_markdown_survives_a_lone_surrogate():
    """Found by the fuzzing: nh3 takes only valid UTF-8, and a lone surrogate used
    to make render_markdown raise UnicodeEncodeError."""
    html = render_markdown("before \ud800 after")
    assert "before" in html and "after" in html
