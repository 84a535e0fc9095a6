"""Study history from Anki: a collection studied with Anki's own scheduler (the
``anki`` package, with FSRS on) is exported with its scheduling and imported
through the upload pages. The reviews show on each card's page, due dates are
Anki's, a suspended card stays suspended and the preview counts it all."""

import html
import re
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from anki.collection import Collection
from django.test import TestCase
from django.urls import reverse

from cards import integrity
from cards.models import Card, ImportJob, Progress, ReviewDay, ReviewLog
from tests.cards.imports.test_anki_engine import export_package, upload_package
from tests.cards.imports.test_apkg import make_apkg, parse_file
from tests.cards.imports.test_views import body, confirm_url, job_url

pytestmark = pytest.mark.django_db

DECK = "Interviews"
# front, note type, fields after the first, Anki's card ords and their answers.
STUDIED = {
    "What does CAP stand for?": ("Basic", ["Pick two"], {0: [3, 3, 4]}),
    "idempotent": ("Basic (and reversed card)", ["Same result"], {0: [3, 4], 1: [1, 3, 3]}),
    "A {{c1::B-tree}} keeps keys {{c2::sorted}}": ("Cloze", [""], {1: [4]}),
    "quorum": ("Basic", ["A majority"], {0: [4]}),  # then suspended
    "sharding": ("Basic", ["Splitting data"], {0: [3, 3]}),  # then buried
}
NEW = ("leader election", "Choosing one node")
RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def _studied_collection(path, *, fsrs: bool) -> tuple[Collection, dict[str, dict[int, int]]]:
    """The collection, and each note's card ids by Anki's card ord."""
    col = Collection(str(path))
    col.set_config("fsrs", fsrs)
    deck = col.decks.id(DECK)
    card_ids = {}
    for front, (notetype, rest, answers) in STUDIED.items():
        note = col.new_note(col.models.by_name(notetype))
        note.fields[0] = front
        for number, value in enumerate(rest, start=1):
            note.fields[number] = value
        col.add_note(note, deck)
        cards = {card.ord: card.id for card in note.cards()}
        card_ids[front] = cards
        for ordinal, eases in answers.items():
            for ease in eases:
                card = col.get_card(cards[ordinal])
                card.start_timer()
                col.sched.answerCard(card, ease)
    note = col.new_note(col.models.by_name("Basic"))
    note.fields[0], note.fields[1] = NEW
    col.add_note(note, deck)
    # A manual change of due date is logged too (type 4, ease 0): it is no review.
    col.sched.set_due_date([card_ids["sharding"][0]], "3")
    # A whole note suspended, and one direction of another.
    col.sched.suspend_cards([card_ids["quorum"][0], card_ids["idempotent"][1]])
    col.sched.bury_cards([card_ids["sharding"][0]])
    return col, card_ids


def _export(tmp_path, *, legacy: bool, whole: bool = False, fsrs: bool = True):
    """The package (a deck with its scheduling, or the whole collection), and the
    due date Anki shows for each studied card."""
    col, card_ids = _studied_collection(tmp_path / "collection.anki2", fsrs=fsrs)
    due = {
        (front, ordinal): col.card_stats_data(card_id).due_date
        for front, cards in card_ids.items()
        for ordinal, card_id in cards.items()
        if ordinal in STUDIED[front][2]
    }
    return export_package(col, tmp_path, whole=whole, legacy=legacy, scheduling=True), due


def _prompt_ordinal(front: str, anki_ord: int) -> int:
    return anki_ord + 1 if "{{c1::" in front else anki_ord


@pytest.mark.parametrize("whole", [False, True], ids=["apkg", "colpkg"])
@pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "anki21b"])
def test_history_suspension_and_due_dates_come_along(
    client_in, user, tmp_path, legacy, whole, django_assert_max_num_queries
):
    path, anki_due = _export(tmp_path, legacy=legacy, whole=whole)
    job = upload_package(client_in, path)
    page = html.unescape(body(client_in.get(job_url(job))))
    assert "5 cards arrive studied, with 12 reviews from Anki; 1 card arrives new." in page
    assert "1 card arrives suspended, as in Anki." in page
    assert "1 card buried in Anki arrives not buried" in page
    assert "1 card with only some of its Anki cards suspended arrives not suspended" in page

    # Writing the history costs a bounded number of queries, not one per review.
    with django_assert_max_num_queries(47), TestCase.captureOnCommitCallbacks(execute=True):
        client_in.post(confirm_url(job), {"on_duplicate": "skip"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.result
    cards = {card.front: card for card in Card.objects.filter(owner=user)}
    assert len(cards) == 6

    for front, (_, _, answers) in STUDIED.items():
        card = cards[front]
        shown = body(client_in.get(reverse("cards:card_detail", args=[card.pk])))
        table = re.search(r'data-testid="card-reviews".*?</table>', shown, re.S).group(0)
        # Latest first on the page; the grades of each prompt in the order given.
        seen = re.findall(r"badge bar-\w+\">(\w+)<", table)
        assert sorted(seen) == sorted(RATINGS[e] for eases in answers.values() for e in eases)
        for anki_ord, eases in answers.items():
            ordinal = _prompt_ordinal(front, anki_ord)
            logs = ReviewLog.objects.filter(user=user, card=card, prompt__ordinal=ordinal)
            assert [log.rating for log in logs.order_by("review_number")] == eases
            progress = Progress.objects.get(user=user, card=card, prompt__ordinal=ordinal)
            assert progress.reps == len(eases)
            engine_due = datetime.fromtimestamp(anki_due[(front, anki_ord)], UTC)
            assert abs(progress.due - engine_due) < timedelta(days=1), (front, anki_ord)
    assert cards["quorum"].suspended
    assert Progress.objects.get(card=cards["quorum"]).suspended
    assert not cards["sharding"].suspended
    assert not cards["idempotent"].suspended
    assert not Progress.objects.filter(card=cards[NEW[0]]).exists()
    assert sum(ReviewDay.objects.filter(user=user).values_list("reviews", flat=True)) == 12
    # Every copy and count kept beside the reviews agrees with them.
    assert integrity.find_all() == []


def test_a_collection_studied_without_fsrs_is_replayed_through_fsrs(client_in, user, tmp_path):
    """Anki's older scheduler keeps no memory state: the reviews are replayed
    through the person's FSRS scheduler, which gives the prompts their state."""
    path, _ = _export(tmp_path, legacy=False, fsrs=False)
    job = upload_package(client_in, path)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client_in.post(confirm_url(job), {"on_duplicate": "skip"})
    card = Card.objects.get(owner=user, front="What does CAP stand for?")
    progress = Progress.objects.get(user=user, card=card)
    logs = list(ReviewLog.objects.filter(card=card).order_by("review_number"))
    assert [log.rating for log in logs] == [3, 3, 4]
    assert [log.state_before for log in logs] == [None, 1, 2]
    assert logs[-1].state_after == progress.state == 2  # in review, as in Anki
    assert progress.reps == 3 and progress.stability > 1
    assert progress.last_review == logs[-1].reviewed_at
    assert progress.due == logs[-1].due_after > logs[-1].reviewed_at + timedelta(days=1)
    shown = body(client_in.get(reverse("cards:card_detail", args=[card.pk])))
    assert "State: Review" in shown


def test_damaged_history_is_left_out_and_the_rest_comes_along(client_in, user, tmp_path):
    """Reviews with a rating, time or card that makes no sense, manual changes of
    the due date and a memory state that is not one are left out."""
    path = make_apkg(tmp_path, [(["Q1", "A1"], [], 1), (["Q2", "A2"], [], 1)])
    collection = tmp_path / "collection.sqlite"
    db = sqlite3.connect(collection)
    db.executescript(
        """
        UPDATE col SET conf = '{"schedVer": 2}';
        UPDATE cards SET type = 2, queue = 2, data = '{not json' WHERE id = 1;
        UPDATE cards SET type = 2, queue = -1, due = 1000000000000,
            data = '{"s": -1, "d": 5}' WHERE id = 2;
        INSERT INTO revlog VALUES (1700000000000, 1, 0, 3, 1, 0, 0, 5000, 0);
        INSERT INTO revlog VALUES (1700000100000, 1, 0, 'x', 1, 0, 0, 0, 1);
        INSERT INTO revlog VALUES (1700000150000, 1, 0, 2.5, 1, 0, 0, 0, 1);
        INSERT INTO revlog VALUES (1700000200000, 1, 0, 4, 1, 0, 0, 1000000000, 1);
        INSERT INTO revlog VALUES (1700000300000, 1, 0, 3, 9, 0, 0, 0, 4);
        INSERT INTO revlog VALUES (1700000400000, 1, 0, 0, 9, 0, 0, 0, 1);
        INSERT INTO revlog VALUES (5, 1, 0, 3, 1, 0, 0, 0, 1);
        INSERT INTO revlog VALUES (1700000500000, 99, 0, 3, 1, 0, 0, 0, 1);
        INSERT INTO revlog VALUES (1700000000001, 2, 0, 1, 1, 0, 0, -7, 0);
        """
    )
    db.commit()
    db.close()
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(collection, "collection.anki2")

    parsed = parse_file(path)
    first, second = (row[5] for row in parsed.rows)
    assert first["history"] == [
        {
            "ordinal": 0,
            "reviews": [[1700000000000, 3, 5000], [1700000200000, 4, 600000]],
            "memory": None,
        }
    ]
    assert second["history"] == [{"ordinal": 0, "reviews": [[1700000000001, 1, 0]], "memory": None}]
    assert second["suspended"] is True and "suspended" not in first
    assert "2 cards arrive studied, with 3 reviews from Anki; 0 cards arrive new." in parsed.notes

    job = upload_package(client_in, path)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client_in.post(confirm_url(job), {"on_duplicate": "skip"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.result
    assert ReviewLog.objects.filter(user=user).count() == 3
    assert list(
        Card.objects.filter(owner=user).order_by("front").values_list("suspended", flat=True)
    ) == [False, True]
