"""Duplicates through the import pages, with the starter library loaded as
`manage.py load_starter` loads it: a row whose front is a starter card's, in
that starter topic, is a duplicate like a row whose front is one's own card's,
and the shared card is never changed."""

import pytest
from django.urls import reverse

from cards.models import Card
from cards.starter import load_starter_cards
from tests.cards.imports.test_views import body, confirm_url, job_url, uploaded_job
from tests.factories import make_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def starter_card():
    load_starter_cards()
    return (
        Card.objects.filter(starter_key__isnull=False, topic__name="Python", kind="basic")
        .prefetch_related("tags")
        .first()
    )


def csv_line(*cells: str) -> str:
    return ",".join('"' + cell.replace('"', '""') + '"' for cell in cells) + "\n"


@pytest.mark.parametrize("choice", ["skip", "update"])
def test_a_row_like_a_starter_card_is_a_duplicate(
    client_in, user, starter_card, django_capture_on_commit_callbacks, choice
):
    python = starter_card.topic
    mine = make_card(python, user, front="What does `yield from` do?", back="Old")
    starter_back, starter_tags = starter_card.back, sorted(starter_card.tags.names())
    content = (
        csv_line(starter_card.front, "My own answer", "python", "mine")  # the topic's case differs
        + csv_line(mine.front, "Delegates to a subgenerator", "Python", "")
        + csv_line("What is a walrus?", "An assignment expression", "Python", "")
    )
    job = uploaded_job(client_in, content)

    page = body(client_in.get(job_url(job)))
    assert "<strong>1</strong> new card" in page
    assert (
        "<strong>2</strong> duplicates of cards you already have (same front in the same "
        "topic): lines 1, 2. 1 of them is a starter card, shared by everyone: it stays as it "
        "is even if you choose to update</li>"
    ) in page
    assert f'<a href="{starter_card.get_absolute_url()}">a starter card</a>' in page
    assert f'<a href="{mine.get_absolute_url()}">your card</a>' in page
    assert 'name="on_duplicate" value="update"' in page

    with django_capture_on_commit_callbacks(execute=True):
        client_in.post(confirm_url(job), {"on_duplicate": choice})

    done = body(client_in.get(job_url(job)))
    starter_card.refresh_from_db()
    mine.refresh_from_db()
    # One copy of the starter card's front in its topic, as before, and unchanged.
    assert Card.objects.filter(topic=python, front=starter_card.front).count() == 1
    assert (starter_card.back, sorted(starter_card.tags.names())) == (starter_back, starter_tags)
    assert Card.objects.filter(owner=user, topic=python, front="What is a walrus?").exists()
    if choice == "skip":
        assert "Import finished: 1 card created, 2 duplicates skipped." in done
        assert mine.back == "Old"
    else:
        assert "Import finished: 1 card created, 1 updated, 1 duplicate skipped." in done
        assert mine.back == "Delegates to a subgenerator"


def test_a_front_typed_in_a_browser_matches_the_same_front_in_a_file(
    client_in, user, topic, django_capture_on_commit_callbacks
):
    """The card form sends line breaks as CR LF; a file may have LF alone."""
    response = client_in.post(
        reverse("cards:card_create"),
        {"topic": topic.pk, "kind": "basic", "front": "Line one\r\nline two", "back": "A"},
    )
    assert response.status_code == 302, body(response)
    job = uploaded_job(client_in, csv_line("Line one\nline two", "B", topic.name))
    assert "<strong>1</strong> duplicate of cards you already have" in body(
        client_in.get(job_url(job))
    )
