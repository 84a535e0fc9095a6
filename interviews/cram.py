"""Cramming for an interview: a quiz over the interview's topics that asks the
prompts the person is least likely to recall at the interview's date and time
first, then the ones they have never studied.

The cram is a quiz (cards/quiz/) in the "cram" mode. Moving due dates makes it
count its marks as reviews, as a quiz can; leaving the schedule alone records
them as practice only."""

from datetime import datetime

from django.db import transaction
from django.db.models import FilteredRelation, Q

from cards import scheduling
from cards.models import Quiz
from cards.quiz.services import create_quiz
from cards.services import studiable_prompts

from .models import Interview, Status

MAX_PROMPTS = Quiz.MAX_SIZE


class CramRejected(Exception):
    """No cram was started; ``str(error)`` says why, for the person."""


def cram_order(*, user, topic_ids: list[int], at: datetime, limit: int = MAX_PROMPTS) -> list:
    """(prompt id, card id) of up to ``limit`` studiable prompts in the topics:
    the studied ones by their predicted recall at ``at``, lowest first, then
    those never studied in the order they were written. One query for the rows
    (each prompt with the person's progress on it, if any), then Python sorts
    them, as interviews/recall.py does; one more for the person's scheduler."""
    rows = (
        studiable_prompts(user_id=user.pk, topic_ids=topic_ids)
        .annotate(mine=FilteredRelation("progress", condition=Q(progress__user_id=user.pk)))
        .values_list("pk", "card_id", "mine__stability", "mine__last_review")
        .order_by("pk")
    )
    studied, never = [], []
    for prompt_id, card_id, stability, last_review in rows:
        if stability is None or last_review is None:
            never.append((prompt_id, card_id))
        else:
            studied.append((prompt_id, card_id, stability, last_review))
    if studied:
        recalls = scheduling.recall_at(
            [(prompt_id, stability, last) for prompt_id, _, stability, last in studied],
            at=at,
            by=scheduling.person_scheduler(user.pk),
        )
        ranked = sorted(zip(recalls, studied, strict=True), key=lambda pair: (pair[0], pair[1][0]))
        studied = [(row[0], row[1]) for _, row in ranked]
    return (studied + never)[:limit]


@transaction.atomic
def start_cram(*, user, interview: Interview, move_due_dates: bool, now: datetime) -> Quiz:
    """A cram quiz for an upcoming interview of the person's, or CramRejected
    with nothing written. Each start makes a new cram: a second one (a double
    submit) is another quiz over the same prompts, unmarked, that touches
    nothing until it is taken."""
    if interview.user_id != user.pk:
        raise CramRejected("That interview is not yours.")
    if interview.status != Status.UPCOMING or interview.scheduled_at < now:
        raise CramRejected("This interview is past: there is nothing left to cram for.")
    topic_ids = sorted(topic.pk for topic in interview.topics.all())
    if not topic_ids:
        raise CramRejected(
            "This interview has no topics: edit it to choose the topics it needs, then cram."
        )
    drawn = cram_order(user=user, topic_ids=topic_ids, at=interview.scheduled_at)
    if not drawn:
        raise CramRejected(
            "The topics of this interview have no cards to study "
            "(suspended cards are left out): add some cards first."
        )
    return create_quiz(
        user=user,
        topic_ids=topic_ids,
        drawn=drawn,
        mode=Quiz.Mode.CRAM,
        count_as_reviews=move_due_dates,
    )
