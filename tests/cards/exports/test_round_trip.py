"""prep's own CSV and Anki exports, uploaded into another account through the
import pages, give back the same cards: every kind, topics, tags and awkward text."""

import html

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from cards.models import Card
from tests.cards.imports.test_views import body, card_fields, imported_job, upload
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


SPELLED_TAGS = ["system design", "snake_case", 'say"hi"', '5" floppy disk', "a,b", "=cmd"]


def test_the_anki_export_imports_back_with_every_tag_as_it_was(client_in, user, other_user):
    kafka = make_topic(owner=user, name="Kafka")
    make_card(kafka, owner=user, front="What is a partition?", back="A log", tags=SPELLED_TAGS)
    make_card(kafka, owner=user, front="What is an offset?", back="A position", tags=["kafka"])
    exported = b"".join(client_in.get(reverse("cards:export_anki")).streaming_content).decode()
    # Anki cannot hold a space in a tag: the file has "_", and a line naming the tags
    # that had spaces, which Anki skips.
    assert '#tags with spaces:["5\\" floppy disk", "system design"]\n' in exported
    assert '"5""_floppy_disk =cmd a,b say""hi"" snake_case system_design"' in exported

    other = Client()
    other.force_login(other_user)
    imported_job(other, exported, "prep-cards-anki.txt")

    assert cards_of(other_user) == cards_of(user)
    card = Card.objects.get(owner=other_user, front="What is a partition?")
    assert sorted(card.tags.names()) == sorted(SPELLED_TAGS)


def test_a_damaged_tags_with_spaces_line_is_refused_by_name(client_in, user):
    text = "#separator:tab\n#tags column:3\n#tags with spaces:system design\nq\ta\tx\n"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = upload(client_in, "notes.txt", text, new_topic="Anki")
    page = html.unescape(body(client_in.get(response.url)))
    assert "Line 3: “#tags with spaces:” is not a list of tags in double quotes" in page
    assert not Card.objects.filter(owner=user).exists()
