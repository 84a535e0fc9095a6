"""Exporting the card browser's selection (/cards/bulk/export/): the ticked
cards, or all that match the search, as CSV or as Anki text, and nothing of
another person's."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.cards.exports.test_export import anki_parts, body, csv_records
from tests.factories import make_card, make_topic
from tests.security.outcomes import forget_messages

pytestmark = pytest.mark.django_db

EXPORT = reverse("cards:card_bulk_export")


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def world(user, other_user):
    kafka = make_topic(owner=user, name="Kafka")
    return {
        "offsets": make_card(kafka, user, front="Kafka offsets", tags=["kafka", "logs"]),
        "groups": make_card(kafka, user, front="Kafka groups", tags=["kafka"]),
        "redis": make_card(kafka, user, front="Redis eviction"),
        "starter": make_card(make_topic(name="System design"), None, front="Kafka starter"),
        "theirs": make_card(make_topic(owner=other_user), other_user, front="Kafka secret"),
    }


def test_the_ticked_cards_download_as_csv(client_in, world):
    ids = [world["offsets"].pk, world["starter"].pk]
    response = client_in.post(EXPORT, {"format": "csv", "ids": ids})
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert f'filename="prep-cards-{today}.csv"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    records = csv_records(response)
    assert [(row["front"], row["topic"], row["tags"]) for row in records] == [
        ("Kafka offsets", "Kafka", "kafka, logs"),
        ("Kafka starter", "System design", ""),
    ]


def test_all_matching_cards_download_as_anki_text(client_in, world):
    response = client_in.post(EXPORT, {"format": "anki", "all": "1", "q": "kafka"})
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert f'filename="prep-cards-{today}-anki.txt"' in response["Content-Disposition"]
    _headers, records = anki_parts(response)
    # Mallory's "Kafka secret" matches the words, but is not hers to see.
    assert sorted(record[2] for record in records if record) == [
        "Kafka groups",
        "Kafka offsets",
        "Kafka starter",
    ]


def test_another_persons_card_is_refused_and_nothing_downloads(client_in, world):
    ids = [world["offsets"].pk, world["theirs"].pk]
    response = client_in.post(EXPORT, {"format": "csv", "ids": ids})
    assert response.status_code == 302
    assert response["Location"] == reverse("cards:card_browser")
    assert "Content-Disposition" not in response
    assert said(response) == [
        "1 of the selected cards is no longer yours or were deleted; nothing was exported."
    ]


def test_a_search_matching_nothing_or_an_empty_selection_is_said(client_in, world):
    response = client_in.post(EXPORT, {"format": "csv", "all": "1", "q": "zookeeper"})
    assert response["Location"] == f"{reverse('cards:card_browser')}?q=zookeeper"
    assert said(response) == ["No card matches that search; nothing was exported."]
    forget_messages(client_in)
    response = client_in.post(EXPORT, {"format": "csv"})
    assert said(response) == ["Select at least one card first."]
    forget_messages(client_in)
    response = client_in.post(EXPORT, {"format": "pdf", "ids": [world["redis"].pk]})
    assert said(response) == ["Select a valid choice. pdf is not one of the available choices."]


def test_an_export_of_many_cards_reads_them_in_few_queries(
    client_in, user, world, django_assert_max_num_queries
):
    topic = world["offsets"].topic
    for i in range(30):
        make_card(topic, user, front=f"Kafka card {i}", tags=["bulk"])
    with django_assert_max_num_queries(12):
        response = client_in.post(EXPORT, {"format": "anki", "all": "1", "q": "kafka"})
        text = body(response)
    assert text.count("Kafka card") == 30


def test_the_card_browser_offers_the_export(client_in, world):
    page = client_in.get(reverse("cards:card_browser")).content.decode()
    assert f'formaction="{EXPORT}"' in page
    assert '<option value="anki">Anki text</option>' in page
