"""The card browser page (/cards/): the table a person sees, through the test client."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cards.browse.table import PER_PAGE
from cards.browse.views import COLUMNS_KEPT
from cards.models import Card, Progress, State
from tests.factories import make_card, make_collection, make_topic

URL = reverse("cards:card_browser")


def fronts(response) -> list[str]:
    """The fronts of the table's rows, in order."""
    return [row.card.front for row in response.context["table"].rows]


def headers(response) -> list[str]:
    html = response.content.decode()
    return re.findall(
        r'<th scope="col"[^>]*>\s*(?:<a[^>]*>)?([^<▲▼]+?)[ ▲▼]*(?:</a>)?\s*</th>', html
    )


def study(user, card: Card, *, ordinal: int = 0, due_in: float, **fields) -> Progress:
    now = timezone.now()
    values = {
        "state": State.REVIEW,
        "stability": 10.0,
        "difficulty": 5.5,
        "last_review": now - timedelta(days=4),
        "due": now + timedelta(days=due_in),
        "reps": 3,
        "lapses": 1,
        **fields,
    }
    return Progress.objects.create(
        user=user, prompt=card.prompts.get(ordinal=ordinal), card=card, **values
    )


@pytest.fixture
def shelf(user, other_user):
    """Alice's cards (some studied), a starter card and Mallory's card, made in
    this order (the newest last)."""
    starter = make_topic(name="Starter design")
    mine = make_topic(owner=user, name="Streams")
    theirs = make_topic(owner=other_user, name="Private")
    cards = {
        "starter": make_card(starter, front="Starter: CAP theorem", tags=["cap"]),
        "kafka": make_card(mine, user, front="Kafka partitions", tags=["kafka", "streams"]),
        "redis": make_card(mine, user, front="Redis eviction", kind=Card.Kind.REVERSED),
        "fresh": make_card(mine, user, front="Zookeeper quorum"),
        "secret": make_card(theirs, other_user, front="Mallory's secret card"),
    }
    study(user, cards["kafka"], due_in=-1, stability=3.0, difficulty=8.2, reps=5, lapses=2)
    study(user, cards["redis"], ordinal=0, due_in=9, stability=30.0, difficulty=2.0, reps=2)
    study(user, cards["redis"], ordinal=1, due_in=2, stability=6.0, difficulty=4.0, reps=4)
    study(user, cards["starter"], due_in=20, stability=50.0, difficulty=1.0, reps=1, lapses=0)
    study(other_user, cards["fresh"], due_in=-5, reps=40)  # not hers: the card stays new
    return cards


def test_default_page_lists_own_and_starter_cards_newest_first(client_in, shelf):
    response = client_in.get(URL)
    assert response.status_code == 200
    assert fronts(response) == [
        "Zookeeper quorum",
        "Redis eviction",
        "Kafka partitions",
        "Starter: CAP theorem",
    ]
    assert headers(response) == ["Front", "Topic", "Tags", "Due", "Interval", "Reviews"]
    html = response.content.decode()
    assert "Mallory" not in html
    assert "4 cards." in html
    assert "#kafka" in html and "#streams" in html


def test_schedule_figures_come_from_the_earliest_due_prompt_of_the_person(client_in, shelf):
    response = client_in.get(
        URL, {"cols": "front,due,interval,stability,difficulty,recall,reviews,lapses"}
    )
    rows = {row.card.front: row for row in response.context["table"].rows}
    redis = rows["Redis eviction"]
    assert redis.stability == 6.0  # the reverse prompt, due in 2 days
    assert redis.interval == pytest.approx(6.0, abs=0.01)  # 4 days ago to 2 days ahead
    assert redis.difficulty == pytest.approx(1 / 3)  # 4 on FSRS's 1 to 10
    assert (redis.reviews, redis.lapses) == (6, 2)
    assert 0 < redis.recall < 1
    assert rows["Kafka partitions"].is_due
    fresh = rows["Zookeeper quorum"]
    assert not fresh.studied and fresh.reviews == 0 and fresh.due is None  # Mallory's 40 are his
    html = response.content.decode()
    assert html.count(">new</span>") == 1
    assert html.count(">due</span>") == 1
    assert headers(response) == [
        "Front",
        "Due",
        "Interval",
        "Stability",
        "Difficulty",
        "Recall now",
        "Reviews",
        "Lapses",
    ]


# The shelf's cards by their initial: Kafka, Redis, Starter, Zookeeper.
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("front", "KRSZ"),
        ("topic", "SZRK"),  # Starter design, then Streams newest first
        ("due", "KRSZ"),  # the new card last either way
        ("-due", "SRKZ"),
        ("stability", "KRSZ"),
        ("-difficulty", "KRSZ"),
        ("reviews", "ZSKR"),
        ("-reviews", "RKSZ"),
        ("-lapses", "RKZS"),
        ("created", "SKRZ"),
        ("kind", "ZKSR"),  # basic before reversed
    ],
)
def test_sorts_each_way(client_in, shelf, sort, expected):
    response = client_in.get(URL, {"sort": sort})
    assert "".join(front[0] for front in fronts(response)) == expected


def test_the_sorted_header_says_so_and_links_the_other_way(client_in, shelf):
    html = client_in.get(URL, {"sort": "due", "q": "kafka"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert 'href="?q=kafka&amp;sort=-due&amp;cols=' in html
    html = client_in.get(URL, {"sort": "-due"}).content.decode()
    assert 'aria-sort="descending"' in html
    assert 'href="?sort=due&amp;cols=' in html
    assert "Not sortable" in html  # the interval's note


@pytest.mark.parametrize(
    "query",
    [
        {"sort": "nonsense"},
        {"sort": "-interval"},  # a column that does not sort
        {"sort": "--created"},
        {"cols": "nothing,at,all"},
        {"cols": ""},
        {"page": "many"},
        {"page": "-3"},
        {"page": "99999999999999999999"},
    ],
)
def test_bad_sort_columns_or_page_fall_back(client_in, shelf, query):
    response = client_in.get(URL, query)
    assert response.status_code == 200
    assert fronts(response)[0] == "Zookeeper quorum" or query.get("page")
    assert headers(response) == ["Front", "Topic", "Tags", "Due", "Interval", "Reviews"]


def test_chosen_columns_are_remembered(client_in, shelf):
    response = client_in.get(URL, {"cols": ["lapses", "front", "bogus", "kind"]})
    assert headers(response) == ["Front", "Kind", "Lapses"]
    assert client_in.session[COLUMNS_KEPT] == ["front", "kind", "lapses"]
    response = client_in.get(URL)
    assert headers(response) == ["Front", "Kind", "Lapses"]
    assert 'value="kind" id="col-kind" checked' in response.content.decode()


def test_pages_of_fifty_with_the_count(client_in, user):
    make_collection(user, PER_PAGE * 2 + 5)
    first = client_in.get(URL, {"sort": "created"})
    html = first.content.decode()
    assert f"{PER_PAGE * 2 + 5} cards, 1–{PER_PAGE} shown." in html
    assert "Page 1 of 3" in html
    assert len(fronts(first)) == PER_PAGE
    last = client_in.get(URL, {"sort": "created", "page": "3"})
    assert fronts(last) == [f"Q{n}" for n in range(PER_PAGE * 2, PER_PAGE * 2 + 5)]
    assert (
        'href="?sort=created&amp;cols=front%2Ctopic%2Ctags%2Cdue%2Cinterval%2Creviews&amp;page=2"'
        in last.content.decode()
    )


def test_a_search_narrows_the_table_and_keeps_the_query(client_in, shelf):
    response = client_in.get(URL, {"q": "kafka OR starter"})
    assert sorted(fronts(response)) == ["Kafka partitions", "Starter: CAP theorem"]
    assert 'value="kafka OR starter"' in response.content.decode()
    response = client_in.get(URL, {"q": "is:new"})
    assert fronts(response) == ["Zookeeper quorum"]


def test_a_search_it_cannot_read_shows_the_message_and_a_caret(client_in, shelf):
    response = client_in.get(URL, {"q": "kafka prop:x>3"})
    assert response.status_code == 200
    assert "table" not in response.context
    html = response.content.decode()
    assert "<table" not in html
    pointer = re.search(r'data-testid="pointer">(.*?)</pre>', html, re.S).group(1)
    assert pointer == "kafka prop:x&gt;3\n      ^"
    assert "prop:" in response.context["error"].message


def test_no_match_says_so_and_keeps_the_query(client_in, shelf):
    html = client_in.get(URL, {"q": "nothing-like-this"}).content.decode()
    assert "No card matches “nothing-like-this”." in html
    assert 'value="nothing-like-this"' in html


def test_no_cards_at_all_points_to_adding_or_importing(client_in):
    html = client_in.get(URL).content.decode()
    assert "You have no cards yet." in html
    assert f'href="{reverse("cards:card_create")}"' in html
    assert f'href="{reverse("cards:import")}"' in html


def test_the_search_help_is_on_the_page(client_in):
    html = client_in.get(URL).content.decode()
    assert "<summary" in html and "How to search" in html
    assert "prop:r&lt;0.8" in html
    assert "A search has at most 500 characters and 40 terms." in html


def test_htmx_gets_the_results_alone(client_in, shelf, htmx_headers):
    response = client_in.get(URL, {"q": "kafka"}, **htmx_headers)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="browser-results">')
    assert "Kafka partitions" in html and "<nav" not in html.split("browser-results")[0]


def test_the_navigation_links_to_it(client_in):
    html = client_in.get(reverse("cards:topic_list")).content.decode()
    assert f'<a class="nav-link d-inline-block" href="{URL}">Cards</a>' in html


@pytest.mark.parametrize(
    "query",
    [{}, {"q": "Q1 OR is:due"}, {"sort": "-due"}, {"sort": "lapses", "cols": "recall,tags"}],
)
def test_queries_are_bounded_at_any_size(client_in, user, django_assert_max_num_queries, query):
    topic = make_topic(name="Starter")
    make_card(topic, front="Q1 starter", tags=["x"])
    make_collection(user, 10)
    client_in.get(URL, query)  # the session settles
    with django_assert_max_num_queries(7):
        small = client_in.get(URL, query)
    make_collection(user, 300)
    with django_assert_max_num_queries(7):
        large = client_in.get(URL, query)
    assert len(large.context["table"].rows) > len(small.context["table"].rows)
