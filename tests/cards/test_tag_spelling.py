"""A tag is spelled as the person wrote it, whoever wrote it otherwise before:
in the card form, in an import and in a restore."""

import pytest
from django.urls import reverse

from accounts.backup import backup_document, restore_backup
from cards.models import Card
from tests.cards.imports.test_views import imported_job
from tests.factories import make_card, make_topic, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def lower_case_rust(other_user):
    card = make_card(make_topic(other_user, name="Theirs"), other_user, front="Theirs?")
    card.tags.set(["rust", "kafka"])
    return card


def names(card) -> list[str]:
    return sorted(card.tags.names())


def test_the_card_form_keeps_the_spelling(client_in, user, lower_case_rust):
    topic = make_topic(user, name="Languages")
    response = client_in.post(
        reverse("cards:card_create"),
        {
            "topic": topic.pk,
            "kind": "basic",
            "text_format": "markdown",
            "front": "Ownership?",
            "back": "Moves",
            "tags": "Rust",
        },
    )
    assert response.status_code == 302
    card = topic.cards.get()
    assert names(card) == ["Rust"]
    assert "Rust" in client_in.get(reverse("cards:card_detail", args=[card.pk])).content.decode()
    assert names(lower_case_rust) == ["kafka", "rust"]


def test_an_import_keeps_the_spelling(client_in, user, lower_case_rust):
    content = 'front,back,topic,tags\nOwnership?,Moves,Languages,"Rust, Kafka"\n'
    imported_job(client_in, content.encode(), name="cards.csv")
    [card] = Card.objects.filter(owner=user)
    assert names(card) == ["Kafka", "Rust"]
    assert names(lower_case_rust) == ["kafka", "rust"]


def test_a_restore_keeps_the_spelling(user, lower_case_rust):
    card = make_card(make_topic(user, name="Languages"), user, front="Ownership?")
    card.tags.set(["Rust"])
    document = backup_document(user=user, now=card.created_at)
    someone = make_user("someone")
    restore_backup(user=someone, data=document, merge=False)
    [restored] = Card.objects.filter(owner=someone)
    assert names(restored) == ["Rust"]
