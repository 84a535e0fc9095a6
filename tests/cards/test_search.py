import pytest
from django.db import connection
from django.urls import reverse

from cards.models import Card
from cards.search import POSTGRES_MATCH, SQLITE_MATCH
from tests.factories import make_card, make_topic

pytestmark = pytest.mark.django_db


def found(user, query):
    return set(Card.objects.visible_to(user).search(query).values_list("front", flat=True))


@pytest.fixture
def cards(user, other_user):
    mine = make_topic(owner=user, name="Streams")
    make_card(mine, user, front="Kafka partitions", back="Ordered logs per partition")
    make_card(
        mine, user, front="Redis eviction", back="LRU, LFU and TTL policies", tags=["caching"]
    )
    make_card(make_topic(name="Starter"), front="Kafka consumer groups", back="Offsets")
    make_card(make_topic(owner=other_user), other_user, front="Kafka secret", back="x")


def test_words_match_word_prefixes_across_front_and_back(user, cards):
    assert found(user, "kafka") == {"Kafka partitions", "Kafka consumer groups"}
    assert found(user, "kaf") == {"Kafka partitions", "Kafka consumer groups"}
    assert found(user, "kafka ordered") == {"Kafka partitions"}  # every word must match
    assert found(user, "KAFKA   Offsets") == {"Kafka consumer groups"}
    assert found(user, "afka") == set()  # inside a word is not the start of one


def test_a_tag_finds_its_cards(user, cards):
    assert found(user, "caching") == {"Redis eviction"}


@pytest.mark.parametrize("query", ['"', "*", "'", ":", "a:b", "NEAR(", "-", "&|!", "((("])
def test_operators_of_the_search_syntax_are_just_text(user, cards, query):
    assert found(user, query) <= {"Kafka partitions", "Kafka consumer groups", "Redis eviction"}


def test_search_follows_edits_and_deletes(user, cards):
    card = Card.objects.get(front="Redis eviction")
    card.front = "Memcached eviction"
    card.save()
    assert found(user, "memcached") == {"Memcached eviction"}
    assert found(user, "redis") == set()
    card.delete()
    assert found(user, "memcached") == set()


def test_search_page_runs_a_bounded_number_of_queries(
    client_in, user, cards, django_assert_max_num_queries
):
    client_in.get("/")
    with django_assert_max_num_queries(8):
        response = client_in.get(reverse("cards:search"), {"q": "kafka"})
    assert "2 cards match" in response.content.decode()


def test_the_database_answers_from_its_full_text_index(user, cards):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + SQLITE_MATCH, ['"kafka"*'])
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan
        else:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + POSTGRES_MATCH, ["'kafka':*"])
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "card_search_words" in plan
