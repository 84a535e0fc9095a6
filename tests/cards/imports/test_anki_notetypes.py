"""Anki's note types in its “Notes in Plain Text” export (a note type column)
and in its packages, written by Anki's own engine (the ``anki`` package): each
stock note type becomes the card it is in Anki, an image occlusion note is left
out, and any other note type is read as basic with a line in the preview.
Uploaded, previewed and confirmed through the test client."""

import html

import pytest
from django.test import TestCase

from cards.models import Card
from prep_site.devtools.images import png
from tests.cards.imports.test_anki_engine import (
    ALGORITHMS,
    COMMA_TAG,
    SYSTEM_DESIGN,
    build_collection,
    export_package,
    upload_package,
)
from tests.cards.imports.test_views import body, confirmed_job, job_url, upload, uploaded_job

pytestmark = pytest.mark.django_db

QUOTED_TAG = 'say"hi"'
# front, kind, topic, tags: what the person has once imported.
EXPECTED = [
    ("A {{c1::B-tree}} keeps its keys {{c2::sorted}}", "cloze", ALGORITHMS, []),
    ("Big O of binary search", "basic", ALGORITHMS, ["Big-O"]),
    ("DDIA ch. 3", "basic", ALGORITHMS, []),  # a cloze type of one's own: named below
    ("What does CAP stand for?", "basic", SYSTEM_DESIGN, [COMMA_TAG, "sys::basics"]),
    ("What is TCP's handshake?", "basic", SYSTEM_DESIGN, [QUOTED_TAG]),
    ("idempotent", "reversed", SYSTEM_DESIGN, ["vocabulary"]),
    ("leader election", "reversed", SYSTEM_DESIGN, ["vocabulary"]),
    ("quorum", "basic", SYSTEM_DESIGN, []),
    ("sharding", "basic", SYSTEM_DESIGN, []),  # reversed, but under a name Anki's text hides
]
LINES = [
    "1 note of the note type “Cloze with source” was imported as basic cards, with their "
    "first two fields as front and back.",
    "1 note of the note type “Einfach (mit umgedrehter Karte)” was imported as basic cards, "
    "with their first two fields as front and back.",
    "1 note of the note type “Image Occlusion” was left out: an image occlusion card asks "
    "about parts of an image that Anki hides, and has no text of its own.",
    "1 note of the note type “Vocabulary” was imported as basic cards, with their first two "
    "fields as front and back; 1 more field is left out.",
]


def add_occlusion_note(col, folder) -> None:
    image = folder / "cell.png"
    image.write_bytes(png())
    col.add_image_occlusion_note(
        notetype_id=col.models.by_name("Image Occlusion")["id"],
        image_path=str(image),
        occlusions="{{c1::image-occlusion:rect:left=.1:top=.1:width=.5:height=.5:oi=1}}",
        header="Parts of a cell",
        back_extra="",
        tags=["biology"],
    )


def add_quoted_tag_note(col, note_type: str) -> None:
    note = col.new_note(col.models.by_name(note_type))
    note.fields[:2] = ["What is TCP's handshake?", "SYN, SYN-ACK, ACK"]
    note.tags = [QUOTED_TAG]
    col.add_note(note, col.decks.id(SYSTEM_DESIGN))


def engine_text_export(tmp_path) -> bytes:
    """Every kind of note, exported by Anki with every column it can add."""
    col = build_collection(tmp_path / "collection.anki2")
    add_quoted_tag_note(col, "Basic (type in the answer)")
    add_occlusion_note(col, tmp_path)
    path = tmp_path / "notes.txt"
    col.export_note_csv(
        out_path=str(path),
        limit=None,
        with_html=True,
        with_tags=True,
        with_deck=True,
        with_notetype=True,
        with_guid=True,
    )
    col.close()
    return path.read_bytes()


def test_anki_s_text_export_makes_each_note_type_s_cards(client_in, user, tmp_path):
    exported = engine_text_export(tmp_path)
    assert b"#notetype column:" in exported and b"\tImage Occlusion\t" in exported

    job = uploaded_job(client_in, exported, name="notes.txt", new_topic="Anki")
    page = body(client_in.get(job_url(job)))
    assert job.error_count == 0, job.errors
    assert "<strong>9</strong> new cards" in page
    for line in LINES:
        assert html.escape(line, quote=False) in page
    assert "more than two fields" not in page  # Add Reverse and padding are not left out

    confirmed_job(client_in, job)
    cards = Card.objects.filter(owner=user).select_related("topic").order_by("front")
    assert [
        (card.front, card.kind, card.topic.name, sorted(card.tags.names())) for card in cards
    ] == EXPECTED
    assert cards.get(front="DDIA ch. 3").back == "An {{c1::LSM-tree}} appends writes"
    assert cards.get(front="leader election").prompts.count() == 2
    assert not Card.objects.filter(front__contains="image-occlusion").exists()


def test_optional_reversed_rows_follow_their_add_reverse_field(client_in, user):
    # As Anki writes them: one note type column, then fields padded to the widest.
    text = (
        "#separator:tab\n#html:true\n#notetype column:1\n#tags column:5\n"
        "Basic (optional reversed card)\tgossip\tPeers spread state\t<div>&nbsp;</div>\t\n"
        "Basic (optional reversed card)\tRaft\tA consensus protocol\ty\t\n"
    )
    job = uploaded_job(client_in, text, name="notes.txt", new_topic="Anki")
    assert "more than two fields" not in body(client_in.get(job_url(job)))
    confirmed_job(client_in, job)
    kinds = dict(Card.objects.filter(owner=user).values_list("front", "kind"))
    assert kinds == {"gossip": "basic", "Raft": "reversed"}


def test_a_file_of_only_image_occlusion_notes_says_why_nothing_is_imported(client_in, user):
    text = (
        "#separator:tab\n#html:true\n#notetype column:1\n"
        "Image Occlusion\t{{c1::image-occlusion:rect:left=.1:top=.1:width=.5:height=.5:oi=1}}"
        '\t<img src="cell.png">\tParts of a cell\t\t\n'
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = upload(client_in, "notes.txt", text, new_topic="Anki")
    page = body(client_in.get(response.url, follow=True))
    assert (
        "The file has no notes that can be imported. 1 note of the note type “Image "
        "Occlusion” was left out" in html.unescape(page)
    )
    assert not Card.objects.filter(owner=user).exists()


@pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "anki21b"])
def test_an_image_occlusion_note_in_a_package_is_left_out_with_a_line(
    client_in, user, tmp_path, legacy
):
    col = build_collection(tmp_path / "collection.anki2")
    add_occlusion_note(col, tmp_path)
    add_quoted_tag_note(col, "Basic")
    job = upload_package(client_in, export_package(col, tmp_path, whole=False, legacy=legacy))

    page = body(client_in.get(job_url(job)))
    assert job.error_count == 0, job.errors
    assert "<strong>9</strong> new cards" in page  # not the image occlusion note
    assert html.escape(LINES[2], quote=False) in page
    confirmed_job(client_in, job)
    assert Card.objects.filter(owner=user).count() == 9
    handshake = Card.objects.get(owner=user, front="What is TCP's handshake?")
    assert list(handshake.tags.names()) == [QUOTED_TAG]  # quotes and all
    assert not Card.objects.filter(front__contains="image-occlusion").exists()


def test_a_note_type_for_the_whole_file_applies_to_every_row(client_in, user):
    text = "#separator:tab\n#notetype:Basic (and reversed card)\nhola\thello\nadiós\tgoodbye\n"
    confirmed_job(client_in, uploaded_job(client_in, text, name="notes.txt", new_topic="Anki"))
    kinds = set(Card.objects.filter(owner=user).values_list("kind", flat=True))
    assert kinds == {Card.Kind.REVERSED}
    assert Card.objects.filter(owner=user).count() == 2


def test_many_note_types_of_one_s_own_are_named_up_to_a_limit(client_in, user):
    rows = "".join(f"Type {n:02}\tfront {n}\tback {n}\n" for n in range(25))
    text = "#separator:tab\n#notetype column:1\n" + rows
    job = uploaded_job(client_in, text, name="notes.txt", new_topic="Anki")
    page = html.unescape(body(client_in.get(job_url(job))))
    assert "1 note of the note type “Type 19” was imported as basic cards" in page
    assert "“Type 20”" not in page
    assert "5 notes of 5 more note types were imported as basic cards the same way." in page
