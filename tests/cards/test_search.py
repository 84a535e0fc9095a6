import pytest
from django.db import connection
from django.urls import reverse

from cards.models import Card
from tests.factories import make_card, make_collection, make_topic, make_user
from tests.plans import plan_of

pytestmark = pytest.mark.django_db


def found(user, query):
    return set(Card.objects.search(query, reader=user).values_list("front", flat=True))


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


def test_one_and_two_letters_find_word_starts(user, cards):
    assert found(user, "k") == {"Kafka partitions", "Kafka consumer groups"}
    assert found(user, "re") == {"Redis eviction"}
    assert found(user, "o l") == {"Kafka partitions"}  # Ordered logs


def test_a_card_given_to_someone_else_is_found_by_them_alone(user, other_user, cards):
    card = Card.objects.get(front="Kafka partitions")
    card.owner = other_user
    card.save()
    assert found(user, "partitions") == set()
    assert found(other_user, "partitions") == {"Kafka partitions"}


def test_another_persons_words_never_reach_the_results(user, other_user, cards):
    # Same words as the reader's cards, on a collection of someone else's.
    theirs = make_topic(owner=other_user)
    for number in range(30):
        make_card(theirs, other_user, front=f"Kafka partitions {number}", tags=["caching"])
    stranger = make_user()
    assert found(stranger, "kafka partitions") == set()
    assert found(stranger, "kafka") == {"Kafka consumer groups"}
    assert found(user, "kafka partitions") == {"Kafka partitions"}
    assert found(user, "caching") == {"Redis eviction"}


def test_the_database_answers_from_its_full_text_index(user, cards):
    # Enough cards of the reader's that walking them would be the wrong plan.
    make_collection(user, 20_000, studied=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does after such a load: table statistics, and the
            # text index's pending list (new entries the index has not sorted
            # in yet, which every scan would read) merged.
            cursor.execute("SELECT gin_clean_pending_list('card_search_words'::regclass)")
            cursor.execute("ANALYZE")
            # The question here is which index the search starts from, not
            # whether a test-sized table is cheaper to read whole.
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = plan_of(Card.objects.search("kafka caching", reader=user).order_by("id"))
    if connection.vendor == "sqlite":
        # The matches (text and tags) first, then each card by its id; never
        # a walk over the reader's cards through the owner index.
        assert "SCAN cards_card_fts VIRTUAL TABLE INDEX" in plan
        assert "SEARCH cards_card USING INTEGER PRIMARY KEY" in plan
        assert "owner" not in plan
    else:
        # The text index and the primary key (for the tagged cards), ORed.
        assert "Bitmap Index Scan on card_search_words" in plan, plan
        assert "Bitmap Index Scan on cards_card_pkey" in plan
        assert "BitmapOr" in plan
        assert "Seq Scan on cards_card" not in plan


def test_the_search_page_counts_one_match_and_two(client_in, user, cards):
    one = client_in.get(reverse("cards:search"), {"q": "redis"}).content.decode()
    two = client_in.get(reverse("cards:search"), {"q": "kafka"}).content.decode()

    assert "1 card matches “redis”." in one
    assert "2 cards match “kafka”." in two


def test_deleting_a_topic_says_how_many_cards_go_with_it(client_in, user):
    topic = make_topic(owner=user, name="Streams")
    make_card(topic, user)
    url = reverse("cards:topic_delete", args=[topic.pk])
    assert "Its 1 card goes too." in client_in.get(url).content.decode()
    make_card(topic, user)
    assert "Its 2 cards go too." in client_in.get(url).content.decode()
