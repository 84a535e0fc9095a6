"""Study history from Anki, the harder cases: a card the imported history makes
a leech, a duplicate the person chose to update, Anki's first scheduler (V1)
with three buttons in learning, and a note with only some cards suspended.
Each goes through the upload, preview and confirm pages."""

import contextlib
import html
import re
import sqlite3
import zipfile
from datetime import UTC, datetime

import pytest
from anki.collection import Collection
from django.test import TestCase
from django.urls import reverse

from cards import integrity
from cards.leeches import LEECH_LAPSES
from cards.models import Card, ImportJob, Progress, ReviewLog
from tests.cards.imports.test_anki_engine import export_package, upload_package
from tests.cards.imports.test_anki_history import _export
from tests.cards.imports.test_views import body, confirm_url, job_url
from tests.factories import grade_card, make_card, make_topic

pytestmark = pytest.mark.django_db

DECK = "Interviews"
RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def _page(response) -> str:
    return html.unescape(body(response))


def _confirm(client, job, on_duplicate="skip", *, queries=None, most=0) -> ImportJob:
    """Confirm, and have the worker write the import (counting the queries of
    both with ``queries``, django_assert_max_num_queries, when given)."""
    counted = queries(most) if queries is not None else contextlib.nullcontext()
    with counted, TestCase.captureOnCommitCallbacks(execute=True):
        client.post(confirm_url(job), {"on_duplicate": on_duplicate})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, (job.failure, job.result)
    return job


def _lapsing_collection(tmp_path, lapses: dict[str, int]) -> Collection:
    """Cards learnt, then forgotten (Again in review) and learnt again as many
    times as given, in a deck whose own leech threshold is never reached: Anki
    neither tags nor suspends them."""
    col = Collection(str(tmp_path / "collection.anki2"))
    col.set_config("fsrs", True)
    deck = col.decks.id(DECK)
    config = col.decks.config_dict_for_deck_id(deck)
    config["lapse"]["leechFails"] = 99
    col.decks.update_config(config)
    for front, count in lapses.items():
        note = col.new_note(col.models.by_name("Basic"))
        note.fields[0], note.fields[1] = front, "An answer"
        col.add_note(note, deck)
        card_id = note.cards()[0].id
        for ease in [3, 3] + [1, 3] * count:  # two steps to review, then lapses
            card = col.get_card(card_id)
            card.start_timer()
            col.sched.answerCard(card, ease)
    return col


@pytest.mark.parametrize("leeches", [1, 3], ids=["one-leech", "three-leeches"])
def test_imported_lapses_make_a_leech_as_study_does(
    client_in, user, tmp_path, leeches, django_assert_max_num_queries
):
    lapses = {f"Leech {n}": LEECH_LAPSES + n for n in range(leeches)}
    lapses["Almost a leech"] = LEECH_LAPSES - 1
    col = _lapsing_collection(tmp_path, lapses)
    path = export_package(col, tmp_path, whole=False, legacy=False, scheduling=True)
    job = upload_package(client_in, path)
    with django_assert_max_num_queries(5):
        preview = _page(client_in.get(job_url(job)))
    assert f"{leeches + 1} cards arrive studied" in preview
    # The same bound whatever the number of leeches: they are marked in bulk.
    job = _confirm(client_in, job, queries=django_assert_max_num_queries, most=54)
    assert job.result["leeches"] == leeches
    done = _page(client_in.get(job_url(job)))
    noun = "card was" if leeches == 1 else "cards were"
    marked = "it is a leech" if leeches == 1 else "they are leeches"
    assert (
        f"{leeches} {noun} forgotten so often in the imported history that {marked}: "
        "tagged leech and suspended, as in study."
    ) in done

    cards = {card.front: card for card in Card.objects.filter(owner=user)}
    for front, count in lapses.items():
        card = cards[front]
        assert Progress.objects.get(card=card).lapses == count
        is_leech = count >= LEECH_LAPSES
        assert card.suspended is is_leech, front
        assert Progress.objects.get(card=card).suspended is is_leech
        assert ("leech" in card.tags.names()) is is_leech
        shown = _page(client_in.get(reverse("cards:card_detail", args=[card.pk])))
        assert ("#leech</span>" in shown) is is_leech, front
        assert ("Left out of study sessions." in shown) is is_leech, front
    progress_page = _page(client_in.get(reverse("cards:progress")))
    assert "Leech 0" in progress_page and "Almost a leech" not in progress_page
    assert integrity.find_all() == []


def test_an_updated_duplicate_takes_the_history_only_when_it_has_none(
    client_in, user, tmp_path, django_assert_max_num_queries
):
    topic = make_topic(user, name=DECK)
    studied_here = make_card(topic, user, front="What does CAP stand for?", back="Old")
    never_studied = make_card(topic, user, front="sharding", back="Old")
    grade_card(user, studied_here, 3, datetime(2026, 1, 5, 9, tzinfo=UTC))
    path, _ = _export(tmp_path, legacy=False)
    job = upload_package(client_in, path)
    with django_assert_max_num_queries(7):
        preview = _page(client_in.get(job_url(job)))
    assert "<strong>2</strong> duplicates of cards you already have" in preview
    assert (
        "1 of them has reviews here already: if you choose to update, it keeps its own study "
        "history, not the file's"
    ) in preview

    job = _confirm(client_in, job, "update", queries=django_assert_max_num_queries, most=51)
    assert job.result["updated"] == 2
    # Prep's own review stays, alone; the other card has Anki's two.
    kept = ReviewLog.objects.filter(card=studied_here)
    assert [(log.rating, log.reviewed_at.year) for log in kept] == [(3, 2026)]
    assert Progress.objects.get(card=studied_here).reps == 1
    taken = ReviewLog.objects.filter(card=never_studied).order_by("review_number")
    assert [log.rating for log in taken] == [3, 3]
    progress = Progress.objects.get(card=never_studied)
    assert progress.reps == 2 and progress.topic_id == topic.pk
    shown = _page(client_in.get(reverse("cards:card_detail", args=[never_studied.pk])))
    table = re.search(r'data-testid="card-reviews".*?</table>', shown, re.S).group(0)
    assert re.findall(r"badge bar-\w+\">(\w+)<", table) == ["Good", "Good"]
    never_studied.refresh_from_db()
    assert never_studied.back == "Splitting data"
    assert integrity.find_all() == []


def test_skipped_duplicates_keep_their_history_and_take_none(client_in, user, tmp_path):
    topic = make_topic(user, name=DECK)
    never_studied = make_card(topic, user, front="sharding", back="Old")
    path, _ = _export(tmp_path, legacy=True)
    job = upload_package(client_in, path)
    preview = _page(client_in.get(job_url(job)))
    assert "reviews here already" not in preview  # none of them was studied here
    _confirm(client_in, job, "skip")
    assert not ReviewLog.objects.filter(card=never_studied).exists()
    assert not Progress.objects.filter(card=never_studied).exists()


def _v1_package(tmp_path, *, legacy: bool, version: int | None) -> tuple:
    """A collection built by Anki's engine whose cards were answered with its
    first scheduler (V1): the revlog rows V1 wrote, and ``schedVer`` set to
    ``version`` (None: left out, as in Anki 2.0's collections). The engine no
    longer answers with V1, so its rows are written as V1 wrote them."""
    col = Collection(str(tmp_path / "collection.anki2"))
    deck = col.decks.id(DECK)
    note = col.new_note(col.models.by_name("Basic"))
    note.fields[0], note.fields[1] = "What is a mutex?", "A lock"
    col.add_note(note, deck)
    card_id = note.cards()[0].id
    start = 1_700_000_000_000
    # (type, ease): learning Again, Good, Easy; review Hard, Again; relearning Good, Easy.
    answers = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 1), (2, 2), (2, 3)]
    for number, (kind, ease) in enumerate(answers):
        col.db.execute(
            "INSERT INTO revlog VALUES (?, ?, -1, ?, 1, 0, 2500, 4000, ?)",
            start + number * 86_400_000,
            card_id,
            ease,
            kind,
        )
    col.db.execute("UPDATE cards SET type = 2, queue = 2, due = 30, ivl = 3 WHERE id = ?", card_id)
    if version is not None:
        col.set_config("schedVer", version)
    path = export_package(col, tmp_path, whole=True, legacy=legacy)
    if version is None:  # Anki 2.0 had no schedVer: take it out of the file
        _without_scheduler_version(path, tmp_path)
    return path, card_id


def _without_scheduler_version(path, tmp_path) -> None:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        contents = {name: archive.read(name) for name in names}
    collection = tmp_path / "legacy.sqlite"
    collection.write_bytes(contents["collection.anki21"])
    db = sqlite3.connect(collection)
    db.execute("UPDATE col SET conf = json_remove(conf, '$.schedVer')")
    db.commit()
    db.close()
    contents["collection.anki21"] = collection.read_bytes()
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in contents.items():
            archive.writestr(name, content)


V1_RATINGS = [1, 3, 4, 2, 1, 3, 4]  # learning and relearning 2, 3: Good, Easy
V2_RATINGS = [1, 2, 3, 2, 1, 2, 3]


@pytest.mark.parametrize(
    ("legacy", "version", "expected"),
    [
        (True, 1, V1_RATINGS),
        (False, 1, V1_RATINGS),
        (True, None, V1_RATINGS),
        (True, 2, V2_RATINGS),
        (False, 2, V2_RATINGS),
    ],
    ids=["legacy-v1", "anki21b-v1", "legacy-no-version", "legacy-v2", "anki21b-v2"],
)
def test_anki_v1_grades_in_learning_mean_again_good_easy(
    client_in, user, tmp_path, legacy, version, expected
):
    path, _ = _v1_package(tmp_path, legacy=legacy, version=version)
    job = upload_package(client_in, path)
    assert "1 card arrives studied, with 7 reviews from Anki" in _page(client_in.get(job_url(job)))
    _confirm(client_in, job)
    card = Card.objects.get(owner=user, front="What is a mutex?")
    logs = ReviewLog.objects.filter(card=card).order_by("review_number")
    assert [log.rating for log in logs] == expected
    shown = _page(client_in.get(reverse("cards:card_detail", args=[card.pk])))
    table = re.search(r'data-testid="card-reviews".*?</table>', shown, re.S).group(0)
    # Latest first on the page.
    assert re.findall(r"badge bar-\w+\">(\w+)<", table) == [RATINGS[r] for r in expected[::-1]]


def test_a_note_with_some_cards_suspended_arrives_whole_and_the_preview_says_so(
    client_in, user, tmp_path
):
    """Here a card is suspended with all its prompts or not at all: a reversed
    note with one direction suspended in Anki arrives with both in study, one
    with both suspended arrives suspended, and the preview counts each right."""
    col = Collection(str(tmp_path / "collection.anki2"))
    deck = col.decks.id(DECK)
    ids = {}
    for front in ("one direction", "both directions", "a second one direction"):
        note = col.new_note(col.models.by_name("Basic (and reversed card)"))
        note.fields[0], note.fields[1] = front, "An answer"
        col.add_note(note, deck)
        ids[front] = [card.id for card in sorted(note.cards(), key=lambda card: card.ord)]
        card = col.get_card(ids[front][0])
        card.start_timer()
        col.sched.answerCard(card, 3)
    col.sched.suspend_cards(
        [ids["one direction"][1], *ids["both directions"], ids["a second one direction"][0]]
    )
    path = export_package(col, tmp_path, whole=False, legacy=False, scheduling=True)
    job = upload_package(client_in, path)
    preview = _page(client_in.get(job_url(job)))
    assert "1 card arrives suspended, as in Anki." in preview
    assert (
        "2 cards with only some of their Anki cards suspended arrive not suspended: here a card "
        "is suspended with all its directions and clozes or not at all."
    ) in preview
    _confirm(client_in, job)
    suspended = dict(Card.objects.filter(owner=user).values_list("front", "suspended"))
    assert suspended == {
        "one direction": False,
        "both directions": True,
        "a second one direction": False,
    }
    assert integrity.find_all() == []
