"""The card browser's first page, with every column shown, runs the same few
queries for a person with a handful of cards and one with many: for each kind
of search term alone, some of three together, and each schedule sort. The
searches are those manage.py time_card_browser times at 1,000 and 100,000 cards
(prep_site/devtools/browser_searches.py)."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cards.models import Card, Progress, ReviewLog
from prep_site.devtools.browser_searches import EVERY_COLUMN, SINGLE, SORTS, TRIPLES, filled
from tests.factories import grade_card, make_card, make_collection, make_topic, make_user
from tests.query_people import REVIEWS_PER_CARD, write_reviews
from tests.test_query_counts import extra_queries

pytestmark = pytest.mark.django_db

SIZES = {"small": 5, "large": 60}
# The session and the person come from the cache; then the time zone, the
# scheduler (recall), the count, the page, its tags and its progress rows.
CAP = 8
URL = reverse("cards:card_browser")


@pytest.fixture(scope="module")
def people(django_db_setup, django_db_blocker):
    """Two people with cards of the same shape, half of them studied and
    reviewed, a tenth tagged x and y, a leech, a hard one reviewed today, a
    suspended one, a cloze card forgotten today; and a starter card."""
    with django_db_blocker.unblock(), transaction.atomic():
        make_card(make_topic(name="Starter"), front="Kafka consumer groups", tags=["x"])
        built, now = {}, timezone.now()
        for size, n in SIZES.items():
            user = make_user(f"browse-{size}")
            topic = make_collection(user, n)
            write_reviews(user, topic, per_card=REVIEWS_PER_CARD)
            cards = list(Card.objects.filter(topic=topic).order_by("pk"))
            for card in cards[::10]:
                card.tags.add("x", "y")
            cards[1].tags.add("leech")
            hard = Progress.objects.filter(user=user, card=cards[1])
            hard.update(difficulty=9.0, stability=30.0, lapses=3)
            review = ReviewLog.objects.filter(user=user, card=cards[1]).order_by("pk").first()
            review.pk, review.rating, review.reviewed_at = None, 3, now
            review.review_number = REVIEWS_PER_CARD + 1
            review.save()
            Card.objects.filter(pk=cards[2].pk).update(suspended=True)
            gap = make_card(topic, user, front="{{c1::A queue}} holds work", kind=Card.Kind.CLOZE)
            gap.tags.add("x")
            grade_card(user, gap, 1, now)
            built[size] = (user, topic.name)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        yield built
        transaction.set_rollback(True)


def assert_bounded(people, django_assert_max_num_queries, query: dict):
    """The browser's first page on the second visit (the first keeps the columns
    in the session) runs at most CAP queries, as many for both people."""
    counts, queries = {}, {}
    for size, (user, topic) in people.items():
        asked = {**query, "q": filled(query.get("q", ""), topic)}
        client = Client()
        client.force_login(user)
        client.get(URL, asked)
        with django_assert_max_num_queries(CAP) as captured:
            response = client.get(URL, asked)
        assert response.status_code == 200
        assert "error" not in response.context, response.context["error"]
        assert response.context["table"].rows, f"{asked['q']} finds no card of the {size} person"
        counts[size], queries[size] = len(captured), [q["sql"] for q in captured.captured_queries]
    assert counts["large"] == counts["small"], extra_queries(queries["small"], queries["large"])


@pytest.mark.parametrize("search", SINGLE + TRIPLES)
def test_a_search_runs_the_same_queries_at_any_size(search, people, django_assert_max_num_queries):
    assert_bounded(people, django_assert_max_num_queries, {"q": search, "cols": EVERY_COLUMN})


@pytest.mark.parametrize("sort", SORTS)
def test_a_schedule_sort_runs_the_same_queries_at_any_size(
    sort, people, django_assert_max_num_queries
):
    query = {"q": "is:due OR is:new", "sort": sort, "cols": EVERY_COLUMN}
    assert_bounded(people, django_assert_max_num_queries, query)
