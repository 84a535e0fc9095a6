"""The pages that plan a person's study, at 1,000 and at 100,000 cards: the
same queries at both sizes, and no more than each page's cap in
tests/test_query_counts.py. The people are built as there (half the cards
studied, four reviews each: 200,000 reviews for the larger person)."""

import pytest
from django.db import connection, transaction

from tests.query_people import build
from tests.test_query_counts import PAGES, check

pytestmark = pytest.mark.django_db

SIZES = {"small": 1_000, "large": 100_000}
# Home, the study pages, the dashboard with its leeches, recall and plan, your
# schedule with its workload, an interview with its recall and plan, settings.
ROUTES = {
    "home",
    "cards:study_start",
    "cards:study_session",
    "cards:progress",
    "cards:schedule",
    "interviews:detail",
    "accounts:settings",
}
AT_SCALE = [page for page in PAGES if page.route in ROUTES]


@pytest.fixture(scope="module")
def people(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = {s: build(f"{s}-scale", n, imports=False) for s, n in SIZES.items()}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        yield built
        transaction.set_rollback(True)


def test_every_route_named_is_measured():
    assert {page.route for page in AT_SCALE} == ROUTES


@pytest.mark.parametrize("visit", AT_SCALE, ids=str)
def test_a_planning_page_runs_the_same_queries_at_100000_cards(visit, people):
    check(visit, people)
