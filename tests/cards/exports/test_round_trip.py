"""prep's own CSV export, uploaded into another account through the import
pages, gives back the same cards: every kind, topics, tags and awkward text."""

import pytest
from django.test import Client
from django.urls import reverse

from cards.models import Card
from tests.cards.imports.test_views import card_fields, imported_job
from tests.factories import make_card, make_topic

pytestmark = pytest.mark.django_db


def cards_of(user) -> list[tuple]:
    return card_fields(Card.objects.owned_by(user).select_related("topic"))


def test_the_csv_export_imports_back_unchanged(client_in, user, other_user):
    kafka = make_topic(owner=user, name="Kafka")
    odd = make_topic(owner=user, name="@Formulas, quotes and commas")
    make_card(kafka, owner=user, front="What is a partition?", back="An ordered log")
    make_card(
        kafka,
        owner=user,
        front="hola",
        back="hello",
        kind=Card.Kind.REVERSED,
        tags=["spanish", "system design"],
    )
    make_card(
        kafka,
        owner=user,
        front="The {{c1::log}} is the {{c2::database}}",
        back="",
        kind=Card.Kind.CLOZE,
        tags=["kafka"],
    )
    make_card(
        odd,
        owner=user,
        front='"X" — who?',
        back="- first point\n- second, with a comma\n\n    code block",
        tags=["=cmd", "c++"],
    )
    make_card(odd, owner=user, front="=1+1", back="'=2 and 'tis", kind=Card.Kind.REVERSED)
    make_card(odd, owner=user, front="''@twice", back="+plus\ttab")
    exported = b"".join(client_in.get(reverse("cards:export_csv")).streaming_content)

    other = Client()
    other.force_login(other_user)
    imported_job(other, exported, "prep-cards.csv")

    assert len(cards_of(user)) == 6
    assert cards_of(other_user) == cards_of(user)
