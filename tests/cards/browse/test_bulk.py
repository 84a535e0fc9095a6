"""Bulk actions of the card browser (/cards/bulk/) and their undo, through the
test client: what the person is told, what the database holds after, and that
the copies (progress rows, review day counts, topic counts) stay right."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from cards import integrity
from cards.browse.bulk import BulkRefused
from cards.browse.undo import undo_bulk_action
from cards.models import Card, Progress, Rating, StudySession, UndoRecord
from tests.factories import grade_card, make_card, make_collection, make_topic
from tests.security.outcomes import forget_messages

BULK = reverse("cards:card_bulk")
UNDO = reverse("cards:card_bulk_undo")


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def tags_of(card: Card) -> set[str]:
    return set(card.tags.names())


def undo_id(user) -> str:
    return str(UndoRecord.objects.get(user=user).pk)


def assert_copies_right() -> None:
    """The progress rows' copies and the per-day review counts agree with the cards."""
    assert integrity.find_progress_copies() == []
    assert integrity.find_review_days() == []


@pytest.fixture
def world(user, other_user):
    kafka = make_topic(owner=user, name="Kafka")
    streams = make_topic(owner=user, name="Streams")
    starter = make_topic(name="System design")
    mine = [make_card(kafka, user, front=f"Mine {i}", tags=["old"]) for i in range(3)]
    yesterday = timezone.now() - timedelta(days=1)
    for card in mine[:2]:
        grade_card(user, card, Rating.GOOD, yesterday)
    return {
        "kafka": kafka,
        "streams": streams,
        "mine": mine,
        "starter": make_card(starter, None, front="Starter"),
        "theirs": make_card(make_topic(owner=other_user), other_user, front="Theirs"),
    }


def send(client, url: str, data: dict):
    """Post, with the messages of earlier requests forgotten (nobody followed
    their redirects)."""
    forget_messages(client)
    return client.post(url, data)


def post(client, action: str, cards, **data):
    return send(client, BULK, {"action": action, "ids": [card.pk for card in cards], **data})


# Moving ------------------------------------------------------------------------------------


def test_moving_cards_moves_their_grades_and_progress(client_in, user, world):
    response = post(client_in, "move", world["mine"], topic=world["streams"].pk)
    assert response.status_code == 302
    assert said(response) == ["Moved 3 cards to Streams."]
    assert {card.topic_id for card in Card.objects.filter(owner=user)} == {world["streams"].pk}
    assert set(Progress.objects.filter(user=user).values_list("topic_id", flat=True)) == {
        world["streams"].pk
    }
    assert_copies_right()


def test_starter_cards_stay_and_the_message_says_why(client_in, world):
    response = post(
        client_in, "move", [*world["mine"][:1], world["starter"]], topic=world["streams"].pk
    )
    assert said(response) == [
        "Moved 1 card to Streams. 1 card of the starter library was left: "
        "starter cards stay in their topics."
    ]
    world["starter"].refresh_from_db()
    assert world["starter"].topic.name == "System design"


def test_only_starter_cards_cannot_move(client_in, world):
    response = post(client_in, "move", [world["starter"]], topic=world["streams"].pk)
    assert said(response) == ["Starter cards cannot move to another topic; nothing was changed."]
    assert not UndoRecord.objects.exists()


def test_a_topic_not_theirs_is_refused(client_in, world, other_user):
    theirs = world["theirs"].topic
    response = post(client_in, "move", world["mine"], topic=theirs.pk)
    assert said(response) == ["Choose one of your own topics to move the cards to."]
    assert not Card.objects.filter(topic=theirs, owner=world["mine"][0].owner).exists()


def test_another_persons_card_refuses_the_whole_action(client_in, user, world):
    before = list(Card.objects.order_by("pk").values_list("pk", "topic_id", "suspended"))
    response = post(client_in, "suspend", [*world["mine"], world["theirs"]])
    assert said(response) == [
        "1 of the selected cards is no longer yours or were deleted; nothing was changed."
    ]
    assert list(Card.objects.order_by("pk").values_list("pk", "topic_id", "suspended")) == before
    assert not UndoRecord.objects.exists()


def test_deleted_cards_refuse_the_whole_action(client_in, user, world):
    gone = [make_card(world["kafka"], user), make_card(world["kafka"], user)]
    ids = [card.pk for card in gone]
    Card.objects.filter(pk__in=ids).delete()
    response = post(client_in, "suspend", [*world["mine"], *gone])
    assert said(response) == [
        "2 of the selected cards are no longer yours or were deleted; nothing was changed."
    ]
    assert not Card.objects.filter(suspended=True).exists()


def test_an_empty_selection_is_refused(client_in, world):
    response = send(client_in, BULK, {"action": "suspend"})
    assert said(response) == ["Select at least one card first."]


def test_too_many_ids_name_the_limit(client_in, world):
    response = send(client_in, BULK, {"action": "suspend", "ids": list(range(1, 502))})
    assert said(response) == [
        "One action takes at most 500 ticked cards; you ticked 501. Choose “all matching” for more."
    ]


def test_moving_twice_changes_nothing_the_second_time(client_in, user, world):
    post(client_in, "move", world["mine"], topic=world["streams"].pk)
    first = UndoRecord.objects.get(user=user)
    response = post(client_in, "move", world["mine"], topic=world["streams"].pk)
    assert said(response) == ["Those cards are already in Streams."]
    assert UndoRecord.objects.get(user=user) == first  # the first can still be undone
    assert_copies_right()


# Tags --------------------------------------------------------------------------------------


def test_adding_and_removing_tags(client_in, world):
    mine = world["mine"]
    response = post(client_in, "add_tags", [*mine, world["starter"]], tags="kafka, streams")
    assert said(response) == [
        "Added kafka, streams to 3 cards. 1 card of the starter library was left: "
        "their tags are shared by everyone."
    ]
    assert all(tags_of(card) == {"old", "kafka", "streams"} for card in mine)
    assert tags_of(world["starter"]) == set()
    response = post(client_in, "remove_tags", mine[:2], tags="old")
    assert said(response) == ["Removed old from 2 cards."]
    assert [tags_of(card) for card in mine] == [
        {"kafka", "streams"},
        {"kafka", "streams"},
        {"old", "kafka", "streams"},
    ]


def test_tags_past_the_limit_change_nothing(client_in, world):
    card = world["mine"][0]
    card.tags.set([f"t{i}" for i in range(19)])
    response = post(client_in, "add_tags", world["mine"], tags="a, b")
    assert said(response) == [
        "1 card would have more than 20 tags, the most a card keeps; nothing was changed."
    ]
    assert tags_of(world["mine"][1]) == {"old"}


def test_tags_must_be_written(client_in, world):
    response = post(client_in, "add_tags", world["mine"], tags="")
    assert said(response) == ["Write the tags, separated by commas."]


# Suspending --------------------------------------------------------------------------------


def test_suspending_all_that_match_a_search(client_in, user, world):
    response = send(client_in, BULK, {"action": "suspend", "all": "1", "q": "mine"})
    assert said(response) == ["Suspended 3 cards."]
    assert response["Location"] == f"{reverse('cards:card_browser')}?q=mine"
    assert not Card.objects.filter(owner=user, suspended=False).exists()
    assert not Progress.objects.filter(user=user, suspended=False).exists()
    assert_copies_right()


def test_unsuspending_offers_the_cards_to_open_sessions_again(client_in, user, world):
    Card.objects.filter(owner=user).update(suspended=True)
    Progress.objects.filter(user=user).update(suspended=True)
    last = world["mine"][-1]
    session = StudySession.objects.create(user=user, new_from=last.pk + 1)
    session.topics.set([world["kafka"]])
    response = post(client_in, "unsuspend", world["mine"][1:])
    assert said(response) == ["2 cards back in your study sessions."]
    session.refresh_from_db()
    assert session.new_from == world["mine"][1].pk
    assert_copies_right()


def test_a_search_that_cannot_be_read_changes_nothing(client_in, world):
    response = send(client_in, BULK, {"action": "suspend", "all": "1", "q": "prop:x<1"})
    assert said(response)[0].endswith("; nothing was changed.")
    assert not Card.objects.filter(suspended=True).exists()


def test_the_topic_page_counts_right_after_a_move(client_in, user, world):
    topics = reverse("home")  # its counts are kept in the figures cache
    assert "3 cards" in client_in.get(topics).content.decode()
    post(client_in, "move", world["mine"][:2], topic=world["streams"].pk)
    counts = {topic.name: topic.card_count for topic in client_in.get(topics).context["topics"]}
    assert counts["Kafka"] == 1 and counts["Streams"] == 2


# Undo --------------------------------------------------------------------------------------


def test_undo_puts_the_cards_back_once(client_in, user, world):
    post(client_in, "move", world["mine"], topic=world["streams"].pk)
    page = client_in.get(reverse("cards:card_browser")).content.decode()
    assert f'name="undo" value="{undo_id(user)}"' in page
    record = undo_id(user)
    response = send(client_in, UNDO, {"undo": record})
    assert said(response) == ["Undone: 3 cards back in their topics."]
    assert {card.topic_id for card in Card.objects.filter(owner=user)} == {world["kafka"].pk}
    assert_copies_right()
    response = send(client_in, UNDO, {"undo": record})
    assert said(response) == ["That action was undone already, or a newer one took its place."]


def test_undo_skips_cards_changed_since(client_in, user, world):
    post(client_in, "suspend", world["mine"])
    edited = world["mine"][0]
    edited.refresh_from_db()
    edited.back = "Changed"
    edited.save()
    Card.objects.filter(pk=world["mine"][1].pk).delete()
    response = send(client_in, UNDO, {"undo": undo_id(user)})
    assert said(response) == [
        "Undone: 1 card back in your study sessions again. "
        "2 cards changed or went since, so they were left as they are."
    ]
    assert Card.objects.get(pk=edited.pk).suspended
    assert not Card.objects.get(pk=world["mine"][2].pk).suspended


def test_undo_of_tags(client_in, user, world):
    post(client_in, "remove_tags", world["mine"], tags="old")
    send(client_in, UNDO, {"undo": undo_id(user)})
    assert all(tags_of(card) == {"old"} for card in world["mine"])
    post(client_in, "add_tags", world["mine"], tags="new, old")
    response = send(client_in, UNDO, {"undo": undo_id(user)})
    assert said(response) == ["Undone: 3 cards have their tags as before."]
    assert all(tags_of(card) == {"old"} for card in world["mine"])


def test_a_newer_action_replaces_the_undo(client_in, user, world):
    post(client_in, "suspend", world["mine"][:1])
    first = undo_id(user)
    post(client_in, "suspend", world["mine"][1:])
    response = send(client_in, UNDO, {"undo": first})
    assert said(response) == ["That action was undone already, or a newer one took its place."]
    assert UndoRecord.objects.filter(user=user).count() == 1


def test_nobody_undoes_another_persons_action(client_in, user, other_user, world):
    theirs = make_card(world["theirs"].topic, other_user)
    UndoRecord.objects.create(
        user=other_user, action="suspend", changes={str(theirs.pk): None}, done_at=theirs.updated_at
    )
    response = send(client_in, UNDO, {"undo": undo_id(other_user)})
    assert said(response) == ["That action was undone already, or a newer one took its place."]
    assert UndoRecord.objects.filter(user=other_user).exists()


# Queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [10, 300])
@pytest.mark.parametrize(
    "action, data",
    [
        ("move", "topic"),
        ("add_tags", {"tags": "a, b"}),
        ("remove_tags", {"tags": "old"}),
        ("suspend", {}),
    ],
)
def test_an_action_runs_the_same_few_queries_at_any_size(
    client_in, user, django_assert_max_num_queries, size, action, data
):
    collection = make_collection(user, size)
    cards = list(Card.objects.filter(topic=collection))
    for card in cards[-5:]:  # not studied yet
        grade_card(user, card, Rating.GOOD, timezone.now() - timedelta(days=2))
    Card.objects.get(pk=cards[0].pk).tags.add("old")
    if data == "topic":
        data = {"topic": make_topic(owner=user, name="Elsewhere").pk}
    # A move takes the reviews off their days and counts them on the new
    # topic's: a few queries each, at any number of reviews.
    with django_assert_max_num_queries(29):
        response = post(client_in, action, cards, **data)
    assert said(response)[0].split()[0] in {"Moved", "Added", "Removed", "Suspended"}
    with django_assert_max_num_queries(27):
        response = send(client_in, UNDO, {"undo": undo_id(user)})
    assert said(response)[0].startswith("Undone:")
    assert_copies_right()


def test_the_browser_page_offers_the_actions_on_the_persons_own_topics(client_in, world):
    response = client_in.get(reverse("cards:card_browser"))
    html = response.content.decode()
    assert f'action="{BULK}"' in html
    assert [topic.name for topic in response.context["topics"]] == ["Kafka", "Streams"]
    assert f'name="ids" value="{world["mine"][0].pk}" form="browser-bulk"' in html
    assert "All 4 matching" in html  # three of theirs and the starter card
    for label in ("Move to topic", "Add tags", "Remove tags", "Suspend", "Unsuspend"):
        assert f">{label}</option>" in html


def test_two_undos_sent_at_once_undo_once(client_in, user, world):
    """Both passed the form before either ran: the second finds the record gone."""
    post(client_in, "suspend", world["mine"])
    record = UndoRecord.objects.get(user=user)
    assert undo_bulk_action(record=record) == "Undone: 3 cards back in your study sessions again."
    with pytest.raises(BulkRefused, match="undone already"):
        undo_bulk_action(record=record)
    assert not Card.objects.filter(suspended=True).exists()
