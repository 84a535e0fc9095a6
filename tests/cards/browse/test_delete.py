"""Deleting cards from the card browser (/cards/bulk/, action "delete"),
asked first: the person's own cards go (until the undo brings them back,
test_delete_undo.py), starter cards are hidden from them alone, everywhere
cards are listed, counted or studied, until they unhide them (is:hidden,
action "unhide") or undo the delete."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cards.models import (
    Card,
    CardMedia,
    HiddenCard,
    Progress,
    Rating,
    ReviewDay,
    ReviewLog,
    UndoRecord,
)
from tests.cards.browse.test_bulk import UNDO, assert_copies_right, post, said, send
from tests.cards.study.pages import header_counts
from tests.factories import grade_card, make_card, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(user, other_user):
    kafka = make_topic(owner=user, name="Kafka")
    design = make_topic(name="System design")
    mine = [make_card(kafka, user, front=f"Mine {i}", tags=["old"]) for i in range(2)]
    starters = [make_card(design, None, front=f"Starter {i}") for i in range(3)]
    yesterday = timezone.now() - timedelta(days=1)
    grade_card(user, mine[0], Rating.GOOD, yesterday)
    # Studied yesterday and due now: counted due until hidden.
    grade_card(user, starters[0], Rating.AGAIN, timezone.now() - timedelta(days=1))
    Progress.objects.filter(user=user, card=starters[0]).update(due=timezone.now())
    grade_card(other_user, starters[0], Rating.GOOD, yesterday)
    return {"kafka": kafka, "design": design, "mine": mine, "starters": starters}


def confirmed(client, cards, action="delete"):
    return post(client, action, cards, confirmed="1")


def undo(client, user):
    return send(client, UNDO, {"undo": str(UndoRecord.objects.get(user=user).pk)})


def study_page(client, *topics) -> str:
    response = client.post(reverse("cards:study_start"), {"topics": [t.pk for t in topics]})
    return client.get(response.url).content.decode()


def test_delete_asks_first_saying_what_goes(client_in, user, world):
    response = post(client_in, "delete", [*world["mine"], world["starters"][0]])
    assert response.status_code == 200
    page = response.content.decode()
    assert "Delete 3 cards?" in page
    assert "2 cards of your own will be deleted, with their tags" in page
    assert "an Undo button that puts it all back once" in page
    assert "cannot be undone" not in page
    assert "1 card of the starter library will be hidden from you" in page
    assert Card.objects.filter(owner=user).count() == 2
    assert not HiddenCard.objects.exists()


def test_deleting_own_cards_takes_what_hangs_from_them(client_in, user, world):
    card = world["mine"][0]
    CardMedia.objects.create(card=card, name="a.png", file="cards/a.png", size=3)
    response = confirmed(client_in, world["mine"])
    assert said(response) == ["Deleted 2 cards."]
    assert not Card.objects.filter(owner=user).exists()
    assert not ReviewLog.objects.filter(card_id=card.pk).exists()
    assert not CardMedia.objects.exists()
    assert sum(ReviewDay.objects.filter(user=user).values_list("reviews", flat=True)) == 1
    assert UndoRecord.objects.get(user=user).card_ids == [c.pk for c in world["mine"]]
    assert "0 cards" in client_in.get(reverse("home")).content.decode()
    assert_copies_right()


def test_starter_cards_are_hidden_from_this_person_only(client_in, user, other_user, world):
    hidden = world["starters"][0]
    topic_page = reverse("cards:topic_detail", args=[world["design"].pk])
    before = study_page(client_in, world["design"])
    assert header_counts(before)[0] == 1

    response = confirmed(client_in, [hidden])
    assert said(response) == [
        "Hid 1 card of the starter library from you; search is:hidden to see or unhide them."
    ]
    assert Card.objects.filter(pk=hidden.pk).exists()
    assert_copies_right()

    browser = client_in.get(reverse("cards:card_browser")).content.decode()
    assert "Starter 1" in browser and "Starter 0" not in browser
    assert "Starter 0" not in client_in.get(topic_page).content.decode()
    found = client_in.get(reverse("cards:search"), {"q": "starter"}).content.decode()
    assert "Starter 1" in found and "Starter 0" not in found
    assert "2 cards" in client_in.get(reverse("home")).content.decode()
    page = study_page(client_in, world["design"])
    assert header_counts(page)[0] == 0  # no longer due
    assert "Starter 0" not in page

    client_in.force_login(other_user)  # Mallory still sees it
    assert "Starter 0" in client_in.get(topic_page).content.decode()


def test_a_session_never_shows_a_hidden_starter_card(client_in, user, world):
    confirmed(client_in, world["starters"][1:])
    Progress.objects.filter(user=user).delete()
    seen = set()
    response = client_in.post(reverse("cards:study_start"), {"topics": [world["design"].pk]})
    url = response.url
    body = client_in.get(url).content.decode()
    for _ in range(5):
        match = re.search(r'name="prompt" value="(\d+)"', body)
        if match is None:
            break
        seen.add(re.search(r"Starter \d", body).group(0))
        reps = re.search(r'name="reps" value="(\d+)"', body).group(1)
        body = client_in.post(
            url + "grade/",
            {"prompt": match.group(1), "rating": 4, "reps": reps, "shown_at": ""},
            HTTP_HX_REQUEST="true",
        ).content.decode()
    assert seen == {"Starter 0"}


def test_is_hidden_finds_them_and_unhide_shows_them_again(client_in, user, world):
    hidden = world["starters"][0]
    confirmed(client_in, [hidden])
    found = client_in.get(reverse("cards:card_browser"), {"q": "is:hidden"}).content.decode()
    assert "Starter 0" in found and "Starter 1" not in found
    detail = client_in.get(reverse("cards:card_detail", args=[hidden.pk]))
    assert detail.status_code == 200  # still readable from there
    response = post(client_in, "unhide", [hidden])
    assert said(response) == ["1 card of the starter library shown again."]
    assert not HiddenCard.objects.exists()
    assert not Progress.objects.get(user=user, card=hidden).suspended
    assert_copies_right()
    response = undo(client_in, user)
    assert said(response) == ["Undone: 1 card of the starter library hidden again."]
    assert HiddenCard.objects.filter(user=user, card=hidden).exists()


def test_undo_of_a_delete_unhides_the_starter_cards(client_in, user, world):
    response = confirmed(client_in, [*world["mine"], *world["starters"][:2]])
    assert said(response) == [
        "Deleted 2 cards. Hid 2 cards of the starter library "
        "from you; search is:hidden to see or unhide them."
    ]
    response = undo(client_in, user)
    assert said(response) == [
        "Undone: 2 cards of your own back, as they were. "
        "2 cards of the starter library shown again."
    ]
    assert not HiddenCard.objects.exists()
    assert Card.objects.filter(owner=user).count() == 2
    assert_copies_right()


def test_a_double_submit_deletes_once(client_in, user, world):
    confirmed(client_in, [world["mine"][0], world["starters"][0]])
    record = UndoRecord.objects.get(user=user)
    response = confirmed(client_in, [world["mine"][0], world["starters"][0]])
    assert said(response) == [
        "1 of the selected cards is no longer yours or were deleted; nothing was changed."
    ]
    response = confirmed(client_in, [world["starters"][0]])
    assert said(response) == ["That starter card is hidden already."]
    assert UndoRecord.objects.get(user=user) == record
    assert HiddenCard.objects.count() == 1


def test_another_persons_card_refuses_the_delete(client_in, user, other_user, world):
    theirs = make_card(make_topic(owner=other_user), other_user, front="Theirs")
    response = confirmed(client_in, [*world["mine"], world["starters"][0], theirs])
    assert said(response) == [
        "1 of the selected cards is no longer yours or were deleted; nothing was changed."
    ]
    assert Card.objects.filter(owner=user).count() == 2
    assert Card.objects.filter(pk=theirs.pk).exists()
    assert not HiddenCard.objects.exists()


@pytest.mark.parametrize("size", [10, 200])
def test_delete_and_its_undo_run_the_same_few_queries_at_any_size(
    client_in, user, django_assert_max_num_queries, size
):
    kafka = make_topic(owner=user, name="Kafka")
    design = make_topic(name="System design")
    mine = [make_card(kafka, user, front=f"Mine {i}") for i in range(size)]
    starters = [make_card(design, None, front=f"Starter {i}") for i in range(size)]
    for card in [*mine[:3], *starters[:3]]:
        grade_card(user, card, Rating.GOOD, timezone.now() - timedelta(days=2))
    with django_assert_max_num_queries(40):
        response = confirmed(client_in, [*mine, *starters])
    assert said(response)[0].startswith("Deleted")
    with django_assert_max_num_queries(40):
        response = undo(client_in, user)
    assert said(response)[0].startswith("Undone:")
    assert_copies_right()
