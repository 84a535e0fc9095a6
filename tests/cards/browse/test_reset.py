"""Resetting progress from the card browser (/cards/bulk/, action "reset"),
asked first, and its undo: through the test client, what the person is told
and what the database holds after."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cards.browse.bulk import run_bulk_action
from cards.models import (
    Card,
    HiddenCard,
    Progress,
    Rating,
    ResetProgress,
    ResetReview,
    ReviewDay,
    ReviewLog,
    StudySession,
    UndoRecord,
)
from cards.study.services import grade_prompt
from tests.cards.browse.test_bulk import BULK, UNDO, assert_copies_right, post, said, send
from tests.factories import grade_card, make_card, make_collection, make_topic

AGO = timedelta(days=1)


@pytest.fixture
def world(user, other_user):
    kafka = make_topic(owner=user, name="Kafka")
    starter = make_topic(name="System design")
    mine = [make_card(kafka, user, front=f"Mine {i}") for i in range(3)]
    shared = make_card(starter, None, front="Starter")
    for card in [*mine[:2], shared]:
        grade_card(user, card, Rating.GOOD, timezone.now() - AGO)
    grade_card(other_user, shared, Rating.GOOD, timezone.now() - AGO)
    return {"kafka": kafka, "mine": mine, "starter": shared}


def rows_of(user) -> tuple[list, list]:
    """The person's progress and reviews, every field, to compare before and after."""
    progress = list(Progress.objects.filter(user=user).order_by("pk").values())
    reviews = list(ReviewLog.objects.filter(user=user).order_by("pk").values())
    return progress, reviews


def reviews_counted(user) -> int:
    return sum(ReviewDay.objects.filter(user=user).values_list("reviews", flat=True))


def confirmed(client, cards, **data):
    return post(client, "reset", cards, confirmed="1", **data)


def test_reset_asks_first_and_writes_nothing_until_confirmed(client_in, user, world):
    before = rows_of(user)
    response = post(client_in, "reset", [*world["mine"], world["starter"]])
    assert response.status_code == 200
    page = response.content.decode()
    assert "Reset the progress of 4 cards?" in page
    assert "3 cards you have studied lose their progress" in page
    assert "3 reviews are removed" in page
    assert 'name="confirmed" value="1"' in page
    assert page.count('name="ids"') == 4
    one = post(client_in, "reset", world["mine"][:1]).content.decode()
    assert "1 card you have studied loses its progress, and 1 review is removed" in one
    assert rows_of(user) == before
    assert not UndoRecord.objects.exists()


def test_reset_makes_the_cards_new_for_this_person_only(client_in, user, other_user, world):
    theirs = rows_of(other_user)
    response = confirmed(client_in, [*world["mine"], world["starter"]])
    assert response.status_code == 302
    assert said(response) == [
        "Reset 3 cards: new again, without their progress and reviews.",
    ]
    assert not Progress.objects.filter(user=user).exists()
    assert not ReviewLog.objects.filter(user=user).exists()
    assert reviews_counted(user) == 0
    assert rows_of(other_user) == theirs
    found = client_in.get(reverse("cards:card_browser"), {"q": "is:new"}).content.decode()
    assert all(front in found for front in ("Mine 0", "Mine 1", "Mine 2", "Starter"))
    assert_copies_right()


def test_a_reset_card_can_be_studied_again_from_the_start(client_in, user, world):
    confirmed(client_in, world["mine"][:1])
    grade_card(user, world["mine"][0], Rating.GOOD, timezone.now())
    log = ReviewLog.objects.get(user=user, card=world["mine"][0])
    assert (log.review_number, log.state_before) == (1, None)


def test_reset_offers_the_cards_to_open_sessions_again(client_in, user, world):
    session = StudySession.objects.create(user=user, new_from=world["mine"][-1].pk + 1)
    session.topics.add(world["kafka"])
    confirmed(client_in, world["mine"])
    session.refresh_from_db()
    assert session.new_from == world["mine"][0].pk


def test_resetting_new_cards_changes_nothing(client_in, user, world):
    response = confirmed(client_in, world["mine"][2:])
    assert said(response) == ["That card is new already: nothing to reset."]
    assert not UndoRecord.objects.exists()


def test_a_double_submit_resets_once_and_keeps_the_undo(client_in, user, world):
    confirmed(client_in, world["mine"])
    record = UndoRecord.objects.get(user=user)
    response = confirmed(client_in, world["mine"])
    assert said(response) == ["Those cards are new already: nothing to reset."]
    assert UndoRecord.objects.get(user=user) == record


def test_undo_puts_progress_and_reviews_back_exactly(client_in, user, world):
    before = rows_of(user)
    counted = reviews_counted(user)
    confirmed(client_in, [*world["mine"], world["starter"]])
    response = send(client_in, UNDO, {"undo": str(UndoRecord.objects.get(user=user).pk)})
    assert said(response) == ["Undone: 3 cards have their progress and reviews back."]

    def without_ids(rows):
        return [{k: v for k, v in row.items() if k != "id"} for row in rows]

    after = rows_of(user)
    assert without_ids(after[0]) == without_ids(before[0])
    assert without_ids(after[1]) == without_ids(before[1])
    assert reviews_counted(user) == counted
    assert_copies_right()


def test_undo_leaves_a_card_studied_since(client_in, user, world):
    confirmed(client_in, world["mine"][:2])
    grade_card(user, world["mine"][0], Rating.AGAIN, timezone.now())
    response = send(client_in, UNDO, {"undo": str(UndoRecord.objects.get(user=user).pk)})
    assert said(response) == [
        "Undone: 1 card has its progress and reviews back. "
        "1 card changed or went since, so it was left as it is."
    ]
    assert ReviewLog.objects.get(user=user, card=world["mine"][0]).rating == Rating.AGAIN
    assert ReviewLog.objects.filter(user=user, card=world["mine"][1]).count() == 1


def test_another_persons_or_deleted_cards_refuse_the_reset(client_in, user, other_user, world):
    theirs = make_card(make_topic(owner=other_user), other_user, front="Theirs")
    gone = make_card(world["kafka"], user)
    gone_id = gone.pk
    gone.delete()
    before = rows_of(user)
    for cards in ([*world["mine"], theirs], [*world["mine"], Card(pk=gone_id)]):
        response = confirmed(client_in, cards)
        assert said(response) == [
            "1 of the selected cards is no longer yours or were deleted; nothing was changed."
        ]
        response = post(client_in, "reset", cards)  # the question too
        assert response.status_code == 302
    assert rows_of(user) == before


def test_resetting_all_that_match_a_search(client_in, user, world):
    response = send(client_in, BULK, {"action": "reset", "all": "1", "q": "mine"})
    assert "Reset the progress of 3 cards?" in response.content.decode()
    response = send(client_in, BULK, {"action": "reset", "all": "1", "q": "mine", "confirmed": "1"})
    assert said(response) == ["Reset 2 cards: new again, without their progress and reviews."]


@pytest.mark.parametrize("size", [10, 200])
def test_reset_and_its_undo_run_the_same_few_queries_at_any_size(
    client_in, user, django_assert_max_num_queries, size
):
    collection = make_collection(user, size)
    cards = list(Card.objects.filter(topic=collection))
    for card in cards[-5:]:
        grade_card(user, card, Rating.GOOD, timezone.now() - timedelta(days=2))
    with django_assert_max_num_queries(25):
        response = confirmed(client_in, cards)
    assert said(response)[0].startswith("Reset")
    with django_assert_max_num_queries(25):
        response = send(client_in, UNDO, {"undo": str(UndoRecord.objects.get(user=user).pk)})
    assert said(response)[0].startswith("Undone:")
    assert_copies_right()


def undo(client, user):
    return send(client, UNDO, {"undo": str(UndoRecord.objects.get(user=user).pk)})


def test_undo_leaves_a_starter_card_hidden_since(client_in, user, world):
    confirmed(client_in, [world["starter"], *world["mine"]])
    record = UndoRecord.objects.get(user=user)
    # Hidden from another tab meanwhile (its own undo would take the reset's place).
    HiddenCard.objects.create(user=user, card=world["starter"], hidden_at=timezone.now())
    response = send(client_in, UNDO, {"undo": str(record.pk)})
    assert said(response) == [
        "Undone: 2 cards have their progress and reviews back. "
        "1 card changed or went since, so it was left as it is."
    ]
    assert not Progress.objects.filter(user=user, card=world["starter"]).exists()
    assert Progress.objects.filter(user=user).count() == 2


def test_undo_brings_back_the_cards_that_remain(client_in, user, world):
    cloze = make_card(world["kafka"], user, front="{{c1::Leader}} and {{c2::ISR}}", kind="cloze")
    session = StudySession.objects.create(user=user, new_from=cloze.pk)
    for prompt in cloze.prompts.all():
        grade_prompt(
            user=user,
            session=session,
            prompt=prompt,
            rating=Rating.GOOD,
            expected_reps=0,
            duration_ms=1000,
            now=timezone.now() - AGO,
        )
    kept_prompt = cloze.prompts.get(ordinal=1)
    confirmed(client_in, [cloze, world["starter"], world["mine"][0]])
    cloze.front = "{{c1::Leader}} and followers"
    cloze.save()
    cloze.sync_prompts()  # as the editor does
    session.delete()
    world["mine"][0].delete()
    response = undo(client_in, user)
    assert said(response) == [
        "Undone: 2 cards have their progress and reviews back. "
        "1 card changed or went since, so it was left as it is."
    ]
    assert [row.prompt_id for row in Progress.objects.filter(user=user, card=cloze)] == [
        kept_prompt.pk
    ]
    back = ReviewLog.objects.get(user=user, card=cloze)
    assert back.prompt_id == kept_prompt.pk and back.session_id is None
    assert ReviewLog.objects.filter(user=user, card=world["starter"]).count() == 1
    assert reviews_counted(user) == ReviewLog.objects.filter(user=user).count()
    assert not ResetProgress.objects.exists() and not ResetReview.objects.exists()
    assert_copies_right()


def test_the_copy_goes_with_its_undo(client_in, user, other_user, world):
    confirmed(client_in, world["mine"])
    # Another person's reset keeps its own copy, whatever this person does.
    other_card = make_card(make_topic(owner=other_user), other_user)
    grade_card(other_user, other_card, Rating.GOOD, timezone.now() - AGO)
    run_bulk_action(
        user=other_user, action="reset", ids=[other_card.pk], text=None, topic=None, tags=[]
    )
    assert ResetProgress.objects.filter(user=user).count() == 2
    assert ResetReview.objects.filter(user=user).count() == 2
    post(client_in, "suspend", world["mine"][:1])  # the next action's undo takes its place
    assert not ResetProgress.objects.filter(user=user).exists()
    assert not ResetReview.objects.filter(user=user).exists()
    assert ResetProgress.objects.filter(user=other_user).count() == 1
    response = undo(client_in, user)
    assert said(response)[0].startswith("Undone: 1 card ")
    assert Progress.objects.filter(user=user).count() == 1  # the starter card's
