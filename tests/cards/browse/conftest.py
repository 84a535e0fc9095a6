"""Cards of two people and the starter library, and a way to search them."""

from datetime import UTC, datetime, timedelta

import pytest

from cards.browse.query import cards_matching
from cards.models import Card, Progress, State
from tests.factories import make_card, make_topic

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def found(user, text: str, *, now: datetime = NOW) -> set[str]:
    """The fronts of the cards the search finds for ``user``."""
    return set(cards_matching(user, text, now=now).values_list("front", flat=True))


def studied(user, card: Card, ordinal: int = 0, **fields) -> Progress:
    """The person's progress on one prompt of the card: in review, last seen five
    days before NOW and due in three, unless ``fields`` say otherwise."""
    values = {
        "state": State.REVIEW,
        "stability": 10.0,
        "difficulty": 5.0,
        "due": NOW + timedelta(days=3),
        "last_review": NOW - timedelta(days=5),
        "reps": 3,
        "lapses": 0,
        **fields,
    }
    prompt = card.prompts.get(ordinal=ordinal)
    return Progress.objects.create(user=user, prompt=prompt, card=card, **values)


@pytest.fixture
def library(user, other_user) -> dict[str, Card]:
    """Alice's cards, the starter library's and Mallory's, by a short name."""
    starter = make_topic(name="System design")
    streams = make_topic(owner=user, name="Streams")
    theirs = make_topic(owner=other_user, name="System design")
    cards = {
        "consumer": make_card(
            starter, front="Kafka consumer groups", back="Offsets", tags=["kafka"]
        ),
        "cap": make_card(starter, front="CAP theorem", back="Pick two"),
        "partitions": make_card(
            streams, user, front="Kafka partitions", back="Ordered logs", tags=["kafka", "Slow"]
        ),
        "redis": make_card(
            streams, user, front="Redis eviction", back="LRU and LFU", kind=Card.Kind.REVERSED
        ),
        "consensus": make_card(
            streams, user, front="{{c1::Raft}} and {{c2::Paxos}} agree", kind=Card.Kind.CLOZE
        ),
        "parked": make_card(streams, user, front="Zookeeper quorum", suspended=True),
        "secret": make_card(theirs, other_user, front="Kafka secret", tags=["kafka", "leech"]),
    }
    return cards


@pytest.fixture
def fronts(library) -> dict[str, str]:
    return {name: card.front for name, card in library.items()}
