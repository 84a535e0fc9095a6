"""prop:r against fsrs's own retrievability, and the whole search in a bounded
number of queries, whatever the size of the collection."""

import operator
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fsrs.scheduler import DEFAULT_PARAMETERS

from cards import scheduling
from cards.browse.query import cards_matching
from cards.models import Card, Progress, SchedulerSettings
from tests.factories import make_card, make_collection, make_topic, make_user

from .conftest import NOW, found, studied

pytestmark = pytest.mark.django_db

COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@pytest.fixture
def memories(user):
    """Forty of the person's cards, each studied once with its own stability and
    time since (fractions of days, which fsrs counts down to whole days)."""
    topic = make_topic(owner=user, name="Memory")
    for n in range(40):
        card = make_card(topic, user, front=f"Memory {n}")
        studied(
            user,
            card,
            stability=0.7 + 3.1 * (n % 13),
            last_review=NOW - timedelta(days=0.45 + 2.3 * (n % 17), minutes=n),
        )
    make_card(topic, user, front="Never studied")


def expected(user, sign: str, value: float, *, by) -> set[str]:
    """The cards with a prompt whose recall by fsrs is ``sign`` ``value``."""
    rows = Progress.objects.filter(user=user).select_related("card")
    return {
        row.card.front
        for row in rows
        if COMPARE[sign](scheduling.retrievability(row, now=NOW, by=by), value)
    }


@pytest.mark.parametrize("sign", ["<", "<=", ">", ">="])
@pytest.mark.parametrize("value", [0.5, 0.8, 0.9, 0.97])
def test_recall_is_the_one_fsrs_predicts(user, memories, sign, value):
    wanted = expected(user, sign, value, by=scheduling.SCHEDULER)
    assert found(user, f"prop:r{sign}{value}") == wanted


@pytest.mark.parametrize("sign", ["<", ">="])
def test_recall_beside_is_due_finds_the_same(user, memories, sign):
    """Beside is:due (or rated:), recall is tested on each card it finds, not
    over all the person's rows: the cards found are the same."""
    Progress.objects.filter(user=user).update(due=NOW - timedelta(hours=1))
    wanted = expected(user, sign, 0.8, by=scheduling.SCHEDULER)
    assert wanted and found(user, f"prop:r{sign}0.8") == wanted
    assert found(user, f"is:due prop:r{sign}0.8") == wanted
    assert found(user, f"prop:r{sign}0.8 is:due mine") == wanted


def test_recall_follows_the_persons_own_parameters(user, memories):
    parameters = list(DEFAULT_PARAMETERS)
    parameters[20] = 0.5  # a faster fall of recall after the first days
    SchedulerSettings.objects.create(user=user, parameters=parameters)
    own = scheduling.person_scheduler(user.pk)
    for value in (0.6, 0.8, 0.9):
        wanted = expected(user, "<", value, by=own)
        assert found(user, f"prop:r<{value}") == wanted
    assert expected(user, "<", 0.6, by=own) != expected(user, "<", 0.6, by=scheduling.SCHEDULER)


def test_recall_at_its_ends(user, memories):
    every = {f"Memory {n}" for n in range(40)}
    assert found(user, "prop:r>0") == every  # never studied has no recall
    assert found(user, "prop:r<=0") == set()
    assert found(user, "prop:r<=1") == every
    assert found(user, "prop:r>1") == set()
    assert found(user, "-prop:r>=0") == {"Never studied"}


SEARCH = (
    "(mine OR starter) (is:due OR is:new OR is:leech OR is:suspended) "
    "-rated:1:1 added:30 prop:r<0.97 prop:s>0.5 prop:d>0.1 prop:lapses>=1 prop:reps<10 "
    "(kind:basic OR kind:cloze) (topic:coll* OR tag:ka*) -tag:done -q9 -(q7 OR q8)"
)


@pytest.mark.parametrize("size", [10, 500])
def test_the_whole_search_runs_three_queries_at_most(size, django_assert_max_num_queries):
    person = make_user()
    make_collection(person, size, due_every=1)
    ContentType.objects.get_for_model(Card)  # read once by each process, then kept
    # One query each for the person's time zone, their FSRS parameters and the cards.
    with django_assert_max_num_queries(3):
        cards = list(cards_matching(person, SEARCH))
    assert {card.front for card in cards} >= {"Q1", "Q2", "Q3"}
    assert {card.owner_id for card in cards} == {person.pk}


def test_the_count_is_the_same_for_10_and_500_cards():
    counts = []
    for size in (10, 500):
        person = make_user()
        make_collection(person, size, due_every=1)
        with CaptureQueriesContext(connection) as queries:
            list(cards_matching(person, SEARCH))
        counts.append(len(queries))
    assert counts[0] == counts[1]
