"""Anki deck packages (.apkg): a zip holding an SQLite collection. The packages
here are built by the tests with sqlite3 and zipfile, in Anki's classic schema
(decks as JSON in col.decks), and the malicious ones by hand."""

import json
import sqlite3
import zipfile

import pytest
import zstandard
from django.core.files.storage import default_storage

from cards.imports import ImportRejected, apkg, parse_upload
from cards.models import ImportJob

# Parsing packages (their SQLite is the package's, not the app's): no test here opens
# the database (pytest-django would refuse it).
pytestmark = pytest.mark.db_independent

FIELD_SEPARATOR = "\x1f"
BASIC_MODEL = 1_342_697_561_419
CLOZE_MODEL = 1_342_697_561_420
NO_HISTORY = (
    "The package holds no study history: every card arrives new. To keep it, export from "
    "Anki with “Include scheduling information” ticked."
)

SCHEMA = """
CREATE TABLE col (
    id integer PRIMARY KEY, crt integer NOT NULL, mod integer NOT NULL, scm integer NOT NULL,
    ver integer NOT NULL, dty integer NOT NULL, usn integer NOT NULL, ls integer NOT NULL,
    conf text NOT NULL, models text NOT NULL, decks text NOT NULL, dconf text NOT NULL,
    tags text NOT NULL
);
CREATE TABLE notes (
    id integer PRIMARY KEY, guid text NOT NULL, mid integer NOT NULL, mod integer NOT NULL,
    usn integer NOT NULL, tags text NOT NULL, flds text NOT NULL, sfld integer NOT NULL,
    csum integer NOT NULL, flags integer NOT NULL, data text NOT NULL
);
CREATE TABLE cards (
    id integer PRIMARY KEY, nid integer NOT NULL, did integer NOT NULL, ord integer NOT NULL,
    mod integer NOT NULL, usn integer NOT NULL, type integer NOT NULL, queue integer NOT NULL,
    due integer NOT NULL, ivl integer NOT NULL, factor integer NOT NULL, reps integer NOT NULL,
    lapses integer NOT NULL, left integer NOT NULL, odue integer NOT NULL, odid integer NOT NULL,
    flags integer NOT NULL, data text NOT NULL
);
CREATE TABLE revlog (
    id integer PRIMARY KEY, cid integer NOT NULL, usn integer NOT NULL, ease integer NOT NULL,
    ivl integer NOT NULL, lastIvl integer NOT NULL, factor integer NOT NULL,
    time integer NOT NULL, type integer NOT NULL
);
CREATE TABLE graves (usn integer NOT NULL, oid integer NOT NULL, type integer NOT NULL);
CREATE INDEX ix_cards_nid ON cards (nid);
"""


def make_collection(path, notes, decks: dict[int, str] | None = None) -> None:
    """An Anki collection in the classic schema. ``notes`` are (fields, tags,
    deck id) with fields a list; a cloze note gets one card per deletion."""
    decks = decks if decks is not None else {1: "Default"}
    models = {
        str(BASIC_MODEL): {
            "id": BASIC_MODEL,
            "name": "Basic",
            "type": 0,
            "flds": [{"name": "Front", "ord": 0}, {"name": "Back", "ord": 1}],
            "tmpls": [{"name": "Card 1", "ord": 0}],
        },
        str(CLOZE_MODEL): {
            "id": CLOZE_MODEL,
            "name": "Cloze",
            "type": 1,
            "flds": [{"name": "Text", "ord": 0}, {"name": "Back Extra", "ord": 1}],
            "tmpls": [{"name": "Cloze", "ord": 0}],
        },
    }
    deck_json = {str(deck_id): {"id": deck_id, "name": name} for deck_id, name in decks.items()}
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.execute(
        "INSERT INTO col VALUES (1, 0, 0, 0, 11, 0, 0, 0, '{}', ?, ?, '{}', '{}')",
        (json.dumps(models), json.dumps(deck_json)),
    )
    card_id = 1
    for note_id, (fields, tags, deck_id) in enumerate(notes, start=1_600_000_000_000):
        cloze = "{{c" in fields[0]
        db.execute(
            "INSERT INTO notes VALUES (?, ?, ?, 0, -1, ?, ?, ?, 0, 0, '')",
            (
                note_id,
                f"guid{note_id}",
                CLOZE_MODEL if cloze else BASIC_MODEL,
                f" {' '.join(tags)} " if tags else "",
                FIELD_SEPARATOR.join(fields),
                fields[0],
            ),
        )
        for ordinal in range(2 if cloze and "{{c2::" in fields[0] else 1):
            db.execute(
                "INSERT INTO cards VALUES (?, ?, ?, ?, 0, -1, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '')",
                (card_id, note_id, deck_id, ordinal, card_id),
            )
            card_id += 1
    db.commit()
    db.close()


def make_apkg(
    tmp_path,
    notes,
    decks=None,
    *,
    name: str = "deck.apkg",
    collection_name: str = "collection.anki2",
    media: dict[str, bytes] | None = None,
):
    """A real .apkg file on disk: the collection, the media list and media files."""
    collection = tmp_path / "collection.sqlite"
    collection.unlink(missing_ok=True)
    make_collection(collection, notes, decks)
    path = tmp_path / name
    media = media or {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(collection, collection_name)
        archive.writestr("media", json.dumps({str(n): key for n, key in enumerate(media)}))
        for number, content in enumerate(media.values()):
            archive.writestr(str(number), content)
    return path


SPANISH_AND_RUST = [
    (["hola", "hello"], ["spanish", "greetings"], 10),
    (["<b>adiós</b>", "goodbye"], ["spanish"], 10),
    (["What does {{c1::ownership}} guarantee? {{c2::Memory safety}}", "Extra note"], [], 20),
    (["What is a borrow?", "A reference", "a third field"], ["rust::basics"], 20),
]
DECKS = {1: "Default", 10: "Spanish", 20: "Programming::Rust"}


def parse_file(path, **options):
    with path.open("rb") as file:
        return parse_upload(file=file, filename=path.name, **options)


def rejected(path, **options) -> str:
    with pytest.raises(ImportRejected) as error:
        parse_file(path, **options)
    return str(error.value)


def test_a_package_with_two_decks_becomes_two_topics_with_tags(tmp_path):
    path = make_apkg(tmp_path, SPANISH_AND_RUST, DECKS)
    parsed = parse_file(path)
    assert parsed.source == ImportJob.Source.APKG
    assert parsed.rows == [
        [1, "hola", "hello", "Spanish", ["greetings", "spanish"], {"html": True}],
        [2, "<b>adiós</b>", "goodbye", "Spanish", ["spanish"], {"html": True}],
        [
            3,
            "What does {{c1::ownership}} guarantee? {{c2::Memory safety}}",
            "Extra note",
            "Programming::Rust",
            [],
            {"html": True},
        ],
        [
            4,
            "What is a borrow?",
            "A reference",
            "Programming::Rust",
            ["rust::basics"],
            {"html": True},
        ],
    ]
    assert parsed.errors == []
    assert parsed.notes == [
        NO_HISTORY,
        "1 note has more than two fields; only the first two (front and back) are imported.",
    ]


def test_images_are_kept_for_the_import(tmp_path):
    path = make_apkg(
        tmp_path,
        [(['<img src="cat.jpg">', "A cat"], [], 1)],
        media={"cat.jpg": b"\xff\xd8\xff fake jpeg", "meow.mp3": b"ID3 fake"},
    )
    parsed = parse_file(path, default_topic="Animals")
    [row] = parsed.rows
    assert row[:5] == [1, '<img src="cat.jpg">', "A cat", "Default", []]
    [(name, (path, size))] = row[5]["media"].items()
    assert (name, size) == ("cat.jpg", 13)
    assert default_storage.open(path).read() == b"\xff\xd8\xff fake jpeg"
    assert parsed.notes == [NO_HISTORY, "1 image comes with the cards; only you will see them."]


def test_the_anki21_collection_is_preferred_and_bad_notes_are_errors(tmp_path):
    path = make_apkg(
        tmp_path,
        [(["Front", "Back"], [], 1), (["", "No front"], [], 1)],
        collection_name="collection.anki21",
    )
    parsed = parse_file(path)
    assert parsed.rows == [[1, "Front", "Back", "Default", [], {"html": True}]]
    assert parsed.errors == [[2, "the front is empty"]]


def test_a_note_in_an_unknown_deck_goes_to_the_default_topic(tmp_path):
    path = make_apkg(tmp_path, [(["Q", "A"], [], 99)], {1: "Default"})
    assert parse_file(path, default_topic="Inbox").rows == [
        [1, "Q", "A", "Inbox", [], {"html": True}]
    ]


def test_an_apkg_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "deck.apkg"
    path.write_bytes(b"SQLite format 3\x00 but not zipped")
    assert rejected(path).startswith("This .apkg file is not a zip archive")


def test_an_apkg_without_a_collection_is_refused(tmp_path):
    path = tmp_path / "deck.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("media", "{}")
        archive.writestr("notes.txt", "hello")
    assert rejected(path).startswith("The package has no collection inside")


def test_a_newer_collection_that_is_not_zstd_is_refused(tmp_path):
    path = tmp_path / "deck.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("collection.anki2", b"a stub asking to update Anki")
        archive.writestr("collection.anki21b", b"zstd data")
    message = rejected(path)
    assert message.startswith("The package's “collection.anki21b” cannot be decompressed (")


def test_a_newer_collection_is_decompressed_only_up_to_the_cap(tmp_path, monkeypatch):
    bomb = zstandard.ZstdCompressor().compress(b"\x00" * (4 * 1024 * 1024))
    path = tmp_path / "deck.colpkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("collection.anki21b", bomb)
    monkeypatch.setattr(apkg, "MAX_COLLECTION_BYTES", 1024 * 1024)
    message = rejected(path)
    assert message == (
        "The package's “collection.anki21b” unpacks to more than 1,048,576 bytes, the most "
        "allowed. It was refused and nothing was imported."
    )


def test_a_collection_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "deck.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("collection.anki2", b"definitely not a database" * 100)
    assert "is not a readable Anki collection" in rejected(path)


def test_a_collection_without_the_anki_tables_is_refused(tmp_path):
    collection = tmp_path / "other.sqlite"
    db = sqlite3.connect(collection)
    db.execute("CREATE TABLE things (id integer)")
    db.commit()
    db.close()
    path = tmp_path / "deck.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(collection, "collection.anki2")
    assert "has no notes, cards or col table" in rejected(path)


def changed_apkg(tmp_path, notes, sql: str):
    """A package whose collection ``sql`` has changed after it was made."""
    path = make_apkg(tmp_path, notes)
    collection = tmp_path / "collection.sqlite"
    db = sqlite3.connect(collection)
    db.execute(sql)
    db.commit()
    db.close()
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(collection, "collection.anki2")
    return path


def test_a_damaged_deck_list_is_refused(tmp_path):
    path = changed_apkg(tmp_path, [(["Q", "A"], [], 1)], "UPDATE col SET decks = '{not json'")
    assert "(col.decks) is damaged" in rejected(path)


@pytest.mark.parametrize("name", ["../evil", "media/../../evil", "/etc/passwd", "C:\\evil"])
def test_a_zip_entry_that_climbs_out_is_refused(tmp_path, name):
    path = make_apkg(tmp_path, [(["Q", "A"], [], 1)])
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(name, b"payload")
    message = rejected(path)
    assert message.startswith(f"The package contains a file named “{name}”, which points outside")


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path):
    path = tmp_path / "bomb.apkg"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", b"\x00" * (20 * 1024 * 1024))
    assert path.stat().st_size < 100_000  # small on disk, 20 MB unpacked
    message = rejected(path)
    assert "times its packed size, which only a zip bomb does" in message


def test_an_entry_larger_than_the_cap_is_refused(tmp_path, monkeypatch):
    path = make_apkg(tmp_path, [(["Q", "A"], [], 1)])
    monkeypatch.setattr(apkg, "MAX_COLLECTION_BYTES", 1024)
    message = rejected(path)
    assert message.startswith("The package's “collection.anki2” would unpack to")
    assert "more than the 1,024 allowed" in message


def test_unpacking_stops_at_the_declared_size(tmp_path):
    """A zip whose header understates an entry's size: reading stops there."""
    path = make_apkg(tmp_path, [(["Q", "A"], [], 1)])
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("collection.anki2")
        info.file_size = 100  # what a lying header would say
        with pytest.raises(ImportRejected) as error, (tmp_path / "out").open("wb") as target:
            apkg._unpack(archive, info, target)
    assert "cannot be unpacked" in str(error.value) or "more than it declares" in str(error.value)
    assert (tmp_path / "out").stat().st_size <= 100


def test_a_package_with_no_notes_is_refused(tmp_path):
    path = make_apkg(tmp_path, [])
    assert rejected(path) == "The package's collection has no notes in it."


def test_tags_keep_commas_and_a_note_of_an_unknown_type_says_so(tmp_path):
    tags = ["latency,throughput", "C++", "rust::basics"]
    path = changed_apkg(tmp_path, [(["Q", "A"], tags, 1)], "UPDATE notes SET mid = 42")
    parsed = parse_file(path)
    assert parsed.rows == [
        [1, "Q", "A", "Default", ["C++", "latency,throughput", "rust::basics"], {"html": True}]
    ]
    assert parsed.notes == [
        NO_HISTORY,
        "1 note of the note type “unknown (id 42)” was imported as basic cards, with their "
        "first two fields as front and back.",
    ]
