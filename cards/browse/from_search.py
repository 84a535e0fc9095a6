"""Studying or quizzing the cards a search of the card browser finds.

A study session keeps the search's text and the ids of the cards it found when
it started, the first SEARCH_CARDS of them in the browser's order (the newest
first), so its queue neither grows nor shifts as cards are graded; a quiz draws
its prompts from them at once. Suspended cards are left out, as study and
quizzes leave them out anywhere."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from ..models import Prompt, Quiz, StudySession, Topic
from ..quiz.services import create_quiz
from ..study.services import start_session
from .query import cards_matching
from .table import DEFAULT_SORT, sorted_cards

# The most cards a session from a search keeps (their ids are stored with it).
SEARCH_CARDS = 5_000
QUIZ_SIZE = 20


class SearchRefused(Exception):
    """Nothing was started; ``str(error)`` says why, for the person."""


@dataclass(frozen=True)
class Found:
    text: str
    card_ids: list[int]  # at most SEARCH_CARDS, in the browser's order
    topic_of: dict[int, int]  # each card's topic
    total: int  # how many the search found in all

    @property
    def topic_ids(self) -> list[int]:
        return sorted(set(self.topic_of.values()))

    @property
    def capped(self) -> bool:
        return self.total > len(self.card_ids)


def found_cards(*, user, text: str, now: datetime) -> Found:
    """The unsuspended cards ``user`` may read that the search finds: two
    queries (one when they are fewer than SEARCH_CARDS). Raises
    terms.QueryError for a search it cannot read, SearchRefused when it finds
    nothing to study."""
    cards = sorted_cards(cards_matching(user, text, now=now), user=user, sort=DEFAULT_SORT)
    cards = cards.filter(suspended=False)
    rows = list(cards.values_list("pk", "topic_id")[:SEARCH_CARDS])
    if not rows:
        raise SearchRefused(
            f"No card to study matches “{text}”." if text else "You have no cards to study."
        )
    total = len(rows) if len(rows) < SEARCH_CARDS else cards.count()
    return Found(text=text, card_ids=[pk for pk, _ in rows], topic_of=dict(rows), total=total)


def study_search(*, user, text: str, now: datetime) -> StudySession:
    found = found_cards(user=user, text=text, now=now)
    topics = list(Topic.objects.filter(pk__in=found.topic_ids))
    return start_session(user=user, topics=topics, search=found)


@transaction.atomic
def quiz_search(*, user, text: str, now: datetime, size: int = QUIZ_SIZE) -> Quiz:
    """A quiz of up to ``size`` prompts drawn at random from the cards the
    search finds (of the first SEARCH_CARDS of them)."""
    found = found_cards(user=user, text=text, now=now)
    drawn = list(
        Prompt.objects.filter(card_id__in=found.card_ids)
        .order_by("?")
        .values_list("pk", "card_id")[:size]
    )
    return create_quiz(
        user=user,
        topic_ids=sorted({found.topic_of[card_id] for _pk, card_id in drawn}),
        drawn=drawn,
        mode=Quiz.Mode.RANDOM,
        count_as_reviews=False,
        search_text=text,
    )
