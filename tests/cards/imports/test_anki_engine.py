"""Anki's own engine (the ``anki`` package, the backend of Anki desktop) builds
real collections and exports them as .apkg and .colpkg, in the older format
(collection.anki21, note types as JSON) and in Anki 2.1.50's (collection.anki21b,
zstd, note types in tables). Each is imported through the upload pages, and the
person's cards, kinds, prompts, topics and tags are checked. The other way, the
engine imports prep's own Anki export."""

import html
import re
import sqlite3
import zipfile

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions, ImportCsvRequest
from django.test import TestCase
from django.urls import reverse

from cards.models import Card, ImportJob
from tests.cards.imports.test_views import body, confirm_url, job_url
from tests.factories import make_card, make_topic

pytestmark = pytest.mark.django_db

UPLOAD_URL = reverse("cards:import")
SYSTEM_DESIGN = "Interviews::System design"
ALGORITHMS = "Interviews::Algorithms"
COMMA_TAG = "latency,throughput"
# front, kind, topic, tags, prompt ordinals: what the person has once imported.
EXPECTED = [
    ("A {{c1::B-tree}} keeps its keys {{c2::sorted}}", "cloze", ALGORITHMS, [], [1, 2]),
    ("An {{c1::LSM-tree}} appends writes", "cloze", ALGORITHMS, [], [1]),
    ("Big O of binary search", "basic", ALGORITHMS, ["Big-O"], [0]),
    ("What does CAP stand for?", "basic", SYSTEM_DESIGN, [COMMA_TAG, "sys::basics"], [0]),
    ("idempotent", "reversed", SYSTEM_DESIGN, ["vocabulary"], [0, 1]),
    ("leader election", "reversed", SYSTEM_DESIGN, ["vocabulary"], [0, 1]),
    ("quorum", "basic", SYSTEM_DESIGN, [], [0]),
    ("sharding", "reversed", SYSTEM_DESIGN, [], [0, 1]),
]
OTHER_TYPE_LINE = (
    "1 note of the note type “Vocabulary” was imported as basic cards, with “Word” and "
    "“Meaning” as front and back; “Example” is left out."
)


def _note(col, notetype: str, deck: str, fields: list[str], tags: list[str]) -> None:
    note = col.new_note(col.models.by_name(notetype))
    for number, value in enumerate(fields):
        note.fields[number] = value
    note.tags = tags
    col.add_note(note, col.decks.id(deck))


def _add_type(models, name, fields, *, question, answer, cloze=False) -> None:
    """A note type of one's own, with one card template."""
    model = models.new(name)
    model["type"] = 1 if cloze else 0  # Anki's cloze kind
    for field in fields:
        models.add_field(model, models.new_field(field))
    template = models.new_template("Card 1")
    template["qfmt"], template["afmt"] = question, answer
    models.add_template(model, template)
    models.add(model)


def build_collection(path) -> Collection:
    """A collection with every kind of note type: Anki's stock ones, a reversed
    type under another language's name, a cloze type whose deletions are in its
    second field, and a type of one's own."""
    col = Collection(str(path))
    models = col.models
    german = models.copy(models.by_name("Basic (and reversed card)"), add=False)
    german["name"] = "Einfach (mit umgedrehter Karte)"
    models.add(german)
    _add_type(
        models,
        "Vocabulary",
        ["Word", "Meaning", "Example"],
        question="{{Word}}",
        answer="{{FrontSide}}<hr id=answer>{{Meaning}}<br>{{Example}}",
    )
    _add_type(
        models,
        "Cloze with source",
        ["Source", "Text"],
        question="<small>{{Source}}</small> {{cloze:Text}}",
        answer="{{cloze:Text}}",
        cloze=True,
    )

    _note(
        col,
        "Basic",
        SYSTEM_DESIGN,
        ["What does CAP stand for?", "Consistency, availability, partition tolerance"],
        [COMMA_TAG, "sys::basics"],
    )
    _note(
        col,
        "Basic (and reversed card)",
        SYSTEM_DESIGN,
        ["idempotent", "The same result however often it runs"],
        ["vocabulary"],
    )
    _note(
        col,
        "Basic (optional reversed card)",
        SYSTEM_DESIGN,
        ["leader election", "Choosing one node to coordinate", "y"],
        ["vocabulary"],
    )
    _note(
        col,
        "Basic (optional reversed card)",
        ALGORITHMS,
        ["Big O of binary search", "O(log n)", ""],
        ["Big-O"],
    )
    _note(
        col,
        "Cloze",
        ALGORITHMS,
        ["A {{c1::B-tree}} keeps its keys {{c2::sorted}}", "Databases"],
        [],
    )
    _note(
        col,
        "Cloze with source",
        ALGORITHMS,
        ["DDIA ch. 3", "An {{c1::LSM-tree}} appends writes"],
        [],
    )
    _note(
        col,
        "Einfach (mit umgedrehter Karte)",
        SYSTEM_DESIGN,
        ["sharding", "Splitting data across nodes"],
        [],
    )
    _note(
        col,
        "Vocabulary",
        SYSTEM_DESIGN,
        ["quorum", "A majority of replicas", "Writes need a quorum"],
        [],
    )
    return col


def export(tmp_path, *, whole: bool, legacy: bool):
    """The collection as Anki exports it: a deck package or the whole collection."""
    col = build_collection(tmp_path / "collection.anki2")
    return export_package(col, tmp_path, whole=whole, legacy=legacy)


def export_package(col, folder, *, whole: bool, legacy: bool, scheduling: bool = False):
    """Export ``col`` as a deck package (with its study history when
    ``scheduling``) or as the whole collection, and close it."""
    suffix = "colpkg" if whole else "apkg"
    path = folder / f"{'legacy' if legacy else 'current'}.{suffix}"
    if whole:  # the engine closes the collection
        col.export_collection_package(str(path), include_media=False, legacy=legacy)
    else:
        options = ExportAnkiPackageOptions(
            with_scheduling=scheduling,
            with_deck_configs=scheduling,
            with_media=False,
            legacy=legacy,
        )
        col.export_anki_package(out_path=str(path), options=options, limit=None)
        col.close()
    return path


def upload_package(client, path) -> ImportJob:
    with path.open("rb") as file, TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(UPLOAD_URL, {"file": file})
    assert response.status_code == 302, body(response)
    return ImportJob.objects.get(pk=re.search(r"/import/(\d+)/$", response.url).group(1))


@pytest.mark.parametrize("whole", [False, True], ids=["apkg", "colpkg"])
@pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "anki21b"])
def test_a_package_from_anki_imports_every_note_type(
    client_in, user, tmp_path, whole, legacy, django_assert_max_num_queries
):
    path = export(tmp_path, whole=whole, legacy=legacy)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    assert ("collection.anki21b" in names) is not legacy  # the format under test

    job = upload_package(client_in, path)
    with django_assert_max_num_queries(12):
        page = body(client_in.get(job_url(job)))
    assert job.error_count == 0
    assert "<strong>8</strong> new cards" in page
    assert html.escape(OTHER_TYPE_LINE, quote=False) in page
    assert "more than two fields" not in page  # Add Reverse is not a field left out

    with TestCase.captureOnCommitCallbacks(execute=True):
        client_in.post(confirm_url(job), {"on_duplicate": "skip"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.result
    cards = Card.objects.filter(owner=user).select_related("topic").order_by("front")
    assert [
        (
            card.front,
            card.kind,
            card.topic.name,
            sorted(tag.name for tag in card.tags.all()),
            list(card.prompts.values_list("ordinal", flat=True)),
        )
        for card in cards
    ] == EXPECTED
    assert cards.get(front="sharding").back == "Splitting data across nodes"
    assert cards.get(front__startswith="A {{c1::B-tree}}").back == "Databases"
    assert cards.get(front__startswith="An {{c1::LSM-tree}}").back == "DDIA ch. 3"
    shown = body(client_in.get(reverse("cards:card_detail", args=[cards[3].pk])))
    assert f"#{COMMA_TAG}<" in shown  # one tag, comma and all


def _engine_notes(col) -> list[tuple]:
    rows = []
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        cards = note.cards()
        rows.append(
            (
                note.note_type()["name"],
                col.decks.name(cards[0].did),
                note.fields[0],
                note.fields[1],
                sorted(note.tags),
                len(cards),
            )
        )
    return sorted(rows, key=lambda row: row[2])


def test_prep_s_anki_export_imports_into_anki_with_the_same_notes(client_in, user, tmp_path):
    rust = make_topic(owner=user, name="Programming::Rust")
    design = make_topic(owner=user, name="System design")
    make_card(rust, user, front="What is a borrow?", back="A reference", tags=["rust", COMMA_TAG])
    make_card(
        design,
        user,
        front="idempotent",
        back="Same result <however> often\nit runs",
        kind=Card.Kind.REVERSED,
        tags=["vocabulary", 'say "hi"'],  # a space: prep's header line, which Anki skips
    )
    make_card(design, user, front="A {{c1::quorum}} is a {{c2::majority}}", back="", kind="cloze")

    response = client_in.get(reverse("cards:export_anki"))
    assert response.status_code == 200
    text = tmp_path / "prep.txt"
    text.write_bytes(b"".join(response.streaming_content))
    col = Collection(str(tmp_path / "collection.anki2"))
    metadata = col.get_csv_metadata(str(text), None)
    col.import_csv(ImportCsvRequest(path=str(text), metadata=metadata))

    assert _engine_notes(col) == [
        ("Cloze", "System design", "A {{c1::quorum}} is a {{c2::majority}}", "", [], 2),
        ("Basic", "Programming::Rust", "What is a borrow?", "A reference", [COMMA_TAG, "rust"], 1),
        (
            "Basic (and reversed card)",
            "System design",
            "idempotent",
            "Same result &lt;however&gt; often<br>it runs",
            ['say_"hi"', "vocabulary"],
            2,
        ),
    ]
    col.close()
    # The nested topic went to a nested deck.
    db = sqlite3.connect(tmp_path / "collection.anki2")
    assert ("Programming\x1fRust",) in db.execute("SELECT name FROM decks").fetchall()
    db.close()
