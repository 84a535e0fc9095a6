"""Undoing a bulk delete of the person's own cards (/cards/bulk/, action
"delete", then /cards/bulk/undo/): the cards come back with their prompts,
progress, reviews, tags and images, everywhere they were shown, once; their
images' files stay until the undo can no longer happen."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cards.browse import deleted
from cards.imports.anki_media import store_images
from cards.models import (
    Card,
    CardMedia,
    Progress,
    Prompt,
    Rating,
    ReviewDay,
    ReviewLog,
    UndoRecord,
)
from cards.models import cards as card_models
from prep_site.devtools.images import png
from tests.cards.browse.test_bulk import UNDO, assert_copies_right, post, said, send
from tests.cards.browse.test_delete import confirmed, undo
from tests.cards.test_denormalized import dashboard
from tests.conftest import stored_files
from tests.factories import PASSWORD, grade_card, make_card, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(user):
    """Three cards of the person's, studied on two days, tagged, one with an image."""
    kafka = make_topic(owner=user, name="Kafka")
    cards = [
        make_card(kafka, user, front=f"Zookeeper quorum {i}", tags=["brokers", f"n{i}"])
        for i in range(3)
    ]
    pictured = make_card(kafka, user, front="Which partition? ![](red.png)", tags=["brokers"])
    store_images(pictured, {"red.png": png()})
    for days, card in [(2, cards[0]), (1, cards[1]), (3, pictured)]:
        grade_card(user, card, Rating.GOOD, timezone.now() - timedelta(days=days))
    return [*cards, pictured]


def rows(user) -> dict:
    """Every row of the person's cards, as the database has them."""
    cards = Card.objects.filter(owner=user)
    return {
        "cards": list(cards.order_by("pk").values()),
        "prompts": list(Prompt.objects.filter(card__in=cards).order_by("pk").values()),
        "progress": list(Progress.objects.filter(user=user).order_by("pk").values()),
        "reviews": list(ReviewLog.objects.filter(user=user).order_by("pk").values()),
        "media": list(CardMedia.objects.order_by("pk").values()),
        "tags": {card.pk: sorted(card.tags.names()) for card in cards},
        "days": list(ReviewDay.objects.filter(user=user).order_by("pk").values()),
    }


def pages(client, cards) -> dict:
    """What the person sees of the cards: their pages, the browser, the topic's
    counts, the dashboard's figures, a search and the image."""
    topic = cards[0].topic
    pictured = cards[-1]
    image = client.get(reverse("cards:card_media", args=[pictured.pk, "red.png"]))
    return {
        "details": [
            "Zookeeper quorum" in page or "Which partition?" in page
            for page in (
                client.get(reverse("cards:card_detail", args=[card.pk])).content.decode()
                for card in cards
            )
        ],
        "browser": client.get(reverse("cards:card_browser")).content.decode().count("quorum"),
        "tagged": client.get(reverse("cards:card_browser"), {"q": "tag:brokers"})
        .content.decode()
        .count("Which partition"),
        "topic": "4 cards" in client.get(reverse("cards:topic_list")).content.decode(),
        "topic page": client.get(reverse("cards:topic_detail", args=[topic.pk]))
        .content.decode()
        .count("quorum"),
        "dashboard": dashboard(client),
        "search": client.get(reverse("cards:search"), {"q": "zookeep"})
        .content.decode()
        .count("quorum"),
        "image": (image.status_code, b"".join(image) if image.status_code == 200 else b""),
    }


def test_the_undo_brings_deleted_cards_back_as_they_were(
    client_in, user, mine, media_root, django_capture_on_commit_callbacks
):
    before_rows, before_pages = rows(user), pages(client_in, mine)
    assert before_pages["details"] == [True] * 4 and before_pages["image"][0] == 200
    assert before_pages["search"] >= 3 and before_pages["dashboard"]["topics"]["Kafka"]["studied"]
    files = stored_files(media_root)
    assert len(files) == 1

    confirm = post(client_in, "delete", mine).content.decode()
    assert "4 cards of your own will be deleted, with their tags" in confirm
    assert "Undo button that puts it all back once" in confirm
    assert "cannot be undone" not in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = confirmed(client_in, mine)
    assert said(response) == ["Deleted 4 cards."]
    assert not Card.objects.filter(owner=user).exists()
    gone = pages(client_in, mine)
    assert gone["details"] == [False] * 4 and gone["image"][0] == 404 and gone["search"] == 0
    assert stored_files(media_root) == files  # kept for the undo

    with django_capture_on_commit_callbacks(execute=True):
        response = undo(client_in, user)
    assert said(response) == ["Undone: 4 cards of your own back, as they were."]
    assert rows(user) == before_rows
    assert pages(client_in, mine) == before_pages
    assert stored_files(media_root) == files
    assert_copies_right()

    # Once: the record is gone, and the same undo sent again is refused.
    assert not UndoRecord.objects.exists()
    response = send(client_in, UNDO, {"undo": "1"})
    assert Card.objects.filter(owner=user).count() == 4
    assert "Undone" not in " ".join(said(response))


def test_a_second_undo_is_refused_and_changes_nothing(client_in, user, mine):
    confirmed(client_in, mine)
    record = UndoRecord.objects.get(user=user)
    undo(client_in, user)
    before = rows(user)
    response = send(client_in, UNDO, {"undo": str(record.pk)})
    assert response.status_code in (200, 302)
    assert "Undone" not in " ".join(said(response))
    assert rows(user) == before


def test_a_card_whose_topic_went_stays_deleted(client_in, user, mine, media_root):
    other = make_topic(owner=user, name="Other")
    elsewhere = make_card(other, user, front="Elsewhere")
    confirmed(client_in, [*mine, elsewhere])
    response = client_in.post(reverse("cards:topic_delete", args=[other.pk]))
    assert response.status_code == 302
    response = undo(client_in, user)
    assert said(response) == [
        "Undone: 4 cards of your own back, as they were. "
        "1 card of your own stayed deleted: its topic was deleted since."
    ]
    assert not Card.objects.filter(pk=elsewhere.pk).exists()
    assert Card.objects.filter(owner=user).count() == 4
    assert_copies_right()


def test_an_undo_past_the_most_cards_is_refused_and_kept(client_in, user, mine, monkeypatch):
    confirmed(client_in, mine)
    make_card(mine[0].topic, user, front="Added since")
    monkeypatch.setattr(card_models, "MAX_CARDS_PER_PERSON", 3)
    response = undo(client_in, user)
    assert said(response) == [
        "This would add 4 cards to your 1; one person can keep at most 3, so 2 more fit. "
        "Nothing was undone."
    ]
    assert Card.objects.filter(owner=user).count() == 1
    assert UndoRecord.objects.filter(user=user).exists()  # to use once there is room


def test_replacing_the_undo_deletes_the_kept_images(
    client_in, user, mine, media_root, django_capture_on_commit_callbacks
):
    keep = make_card(mine[0].topic, user, front="Kept")
    with django_capture_on_commit_callbacks(execute=True):
        confirmed(client_in, [mine[-1]])
    assert len(stored_files(media_root)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_in, "suspend", [keep])
    assert said(response)[0] == "Suspended 1 card."
    assert stored_files(media_root) == []
    response = undo(client_in, user)  # the suspend's
    assert not Card.objects.filter(pk=mine[-1].pk).exists()


def test_deleting_the_account_deletes_the_kept_images(
    client_in, user, mine, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        confirmed(client_in, mine)
    assert len(stored_files(media_root)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client_in.post(
            reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"}
        )
    assert response.url == reverse("accounts:deleted")
    assert stored_files(media_root) == []


def test_past_the_cap_a_delete_is_for_good(client_in, user, mine, monkeypatch):
    monkeypatch.setattr(deleted, "MAX_KEPT", 3)
    confirm = post(client_in, "delete", mine).content.decode()
    assert "will be deleted for good" in confirm and "This cannot be undone" in confirm
    assert "Undo button" not in confirm
    response = confirmed(client_in, mine)
    assert said(response) == ["Deleted 4 cards for good (this cannot be undone)."]
    assert not UndoRecord.objects.exists()


@pytest.mark.parametrize("size", [10, 200])
def test_deleting_and_bringing_back_cost_the_same_few_queries_at_any_size(
    client_in, user, django_assert_max_num_queries, size
):
    kafka = make_topic(owner=user, name="Kafka")
    cards = [make_card(kafka, user, front=f"Mine {i}", tags=["a", f"n{i}"]) for i in range(size)]
    for card in cards[:5]:
        grade_card(user, card, Rating.GOOD, timezone.now() - timedelta(days=2))
    with django_assert_max_num_queries(33):
        response = confirmed(client_in, cards)
    assert said(response) == [f"Deleted {size} cards."]
    # 27 on PostgreSQL at either size; SQLite takes at most 999 values a
    # statement, so 76 cards an insert: 3 more at 200.
    with django_assert_max_num_queries(30):
        response = undo(client_in, user)
    assert said(response) == [f"Undone: {size} cards of your own back, as they were."]
    assert Card.objects.filter(owner=user).count() == size
    assert_copies_right()
