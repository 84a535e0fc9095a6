"""Study history from Anki: a collection studied with Anki's own scheduler (the
``anki`` package, with FSRS on) is exported with its scheduling and imported
through the upload pages. The reviews show on each card's page, due dates are
Anki's, a suspended card stays suspended and the preview counts it all."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions
from django.test import TestCase
from django.urls import reverse

from cards.models import Card, ImportJob, Progress, ReviewDay, ReviewLog
from tests.cards.imports.test_anki_engine import upload_package
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


def _studied_collection(path) -> tuple[Collection, dict[str, dict[int, int]]]:
    """The collection, and each note's card ids by Anki's card ord."""
    col = Collection(str(path))
    col.set_config("fsrs", True)
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
    col.sched.suspend_cards([card_ids["quorum"][0]])
    col.sched.bury_cards([card_ids["sharding"][0]])
    return col, card_ids


def _export(tmp_path, *, legacy: bool):
    col, card_ids = _studied_collection(tmp_path / "collection.anki2")
    path = tmp_path / f"{'legacy' if legacy else 'current'}.apkg"
    options = ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=True, with_media=False, legacy=legacy
    )
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    due = {
        (front, ordinal): col.card_stats_data(card_id).due_date
        for front, cards in card_ids.items()
        for ordinal, card_id in cards.items()
        if ordinal in STUDIED[front][2]
    }
    col.close()
    return path, due


def _prompt_ordinal(front: str, anki_ord: int) -> int:
    return anki_ord + 1 if "{{c1::" in front else anki_ord


@pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "anki21b"])
def test_history_suspension_and_due_dates_come_along(
    client_in, user, tmp_path, legacy, django_assert_max_num_queries
):
    path, anki_due = _export(tmp_path, legacy=legacy)
    job = upload_package(client_in, path)
    page = html.unescape(body(client_in.get(job_url(job))))
    assert "5 cards arrive studied, with 12 reviews from Anki; 1 card arrives new." in page
    assert "1 card arrives suspended, as in Anki." in page
    assert "1 card buried in Anki arrives not buried" in page

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
    assert not Progress.objects.filter(card=cards[NEW[0]]).exists()
    assert sum(ReviewDay.objects.filter(user=user).values_list("reviews", flat=True)) == 12
