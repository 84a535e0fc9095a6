"""The card browser sorted by a schedule figure over several pages: the cards
with the figure first, by it (the newest first among equals), then those
without it, the newest first, page after page as one order."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cards.browse.query import cards_matching
from cards.browse.sorts import LEADING_SORTS
from cards.browse.table import PER_PAGE, sorted_cards
from cards.models import Card, Progress, State
from tests.factories import make_card, make_collection, make_topic

URL = reverse("cards:card_browser")
SORTS = [f"{sign}{name}" for name in LEADING_SORTS for sign in ("", "-")]


@pytest.fixture
def collection(user):
    """130 cards of Alice's, 78 of them studied (many due at the same moment),
    one of those suspended; a reversed card due soon on one prompt and late on
    the other; a starter card she never studied, the newest."""
    topic = make_collection(user, 130, studied=0.6)
    parked = Card.objects.filter(topic=topic).order_by("pk")[3]
    Card.objects.filter(pk=parked.pk).update(suspended=True)
    Progress.objects.filter(user=user, card=parked).update(suspended=True)
    both = make_card(topic, user, front="Both ways", kind=Card.Kind.REVERSED)
    now = timezone.now()
    for ordinal, days, stability in ((0, 30, 2.0), (1, 1, 35.0)):
        Progress.objects.create(
            user=user,
            prompt=both.prompts.get(ordinal=ordinal),
            card=both,
            state=State.REVIEW,
            stability=stability,
            difficulty=9.5,
            last_review=now - timedelta(days=2),
            due=now + timedelta(days=days),
        )
    make_card(make_topic(name="Starter"), front="Starter card")
    return topic


def table(client, **query) -> list:
    response = client.get(URL, {"cols": "front,due,stability", **query})
    assert response.status_code == 200
    return response.context["table"]


@pytest.mark.parametrize("sort", SORTS)
def test_each_page_follows_one_order(client_in, user, collection, sort):
    """As ordering every card by its figure would: the same cards on each page."""
    everything = sorted_cards(cards_matching(user, ""), user=user, sort=sort)
    expected = list(everything.values_list("front", flat=True))
    assert len(expected) == 132
    for page in (1, 2, 3):
        shown = table(client_in, sort=sort, page=page)
        start = (page - 1) * PER_PAGE
        assert [row.card.front for row in shown.rows] == expected[start : start + PER_PAGE]
        assert shown.page.found == "132"


def test_the_new_and_suspended_cards_follow_the_due_ones_newest_first(client_in, collection):
    first, second = table(client_in, sort="due"), table(client_in, sort="due", page=2)
    rows = first.rows + second.rows
    dated = [row for row in rows if row.due is not None]
    assert len(dated) == 78  # 77 of the collection's studied cards and the reversed card
    assert rows[: len(dated)] == dated
    assert [row.due for row in dated] == sorted(row.due for row in dated)
    assert dated[0].card.front == "Q70"  # due an hour ago, the newest of those
    assert rows[len(dated)].card.front == "Starter card"
    assert [row.card.front for row in rows[len(dated) + 1 : len(dated) + 3]] == ["Q129", "Q128"]
    assert "Both ways" in [row.card.front for row in dated[: PER_PAGE // 2]]  # due in a day


def test_a_card_sorts_by_its_earliest_due_prompts_stability(client_in, collection):
    rows = table(client_in, sort="-stability").rows
    both = next(row for row in rows if row.card.front == "Both ways")
    assert both.stability == 35.0  # the prompt due tomorrow's, not the other's 2
    assert [row.stability for row in rows] == sorted((row.stability for row in rows), reverse=True)
    last = table(client_in, sort="stability", page=3).rows
    assert [row.stability for row in last] == [None] * len(last)


def test_a_search_narrows_a_schedule_sort(client_in, collection):
    shown = table(client_in, sort="-due", q="starter OR kind:reversed")
    assert [row.card.front for row in shown.rows] == ["Both ways", "Starter card"]
    assert shown.page.found == "2"
