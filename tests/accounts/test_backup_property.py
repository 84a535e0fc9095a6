"""Property: for any data a person can have, export → restore into a new account →
export gives the same document (apart from the user name and exported_at)."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.backup import backup_bytes, backup_document, read_backup, restore_backup
from accounts.models import Profile
from cards.models import Card, Progress, Quiz, QuizItem, ReviewLog, StudySession
from interviews.models import (
    ChecklistItem,
    Interview,
    InterviewerQuestion,
    MockAnswer,
    MockSession,
    PracticeArea,
    QuestionCategory,
    QuestionToAsk,
    Stage,
    Status,
)
from prep_site import dates
from tests.accounts.backups import NOW, make_starter, snapshot
from tests.factories import make_card, make_topic, make_user

# Any text a person can type: every plane of Unicode, newlines, tabs, quotes,
# spreadsheet formulas; never the null character or a lone surrogate, which no
# text can hold.
ANY_CHARACTER = st.characters(exclude_categories=["Cs"], exclude_characters=["\x00"])
SPECIAL = st.sampled_from(["\n", "\t", "\r\n", '"', "'", ",", "=SUM(A1)", "{{", "}}", "🙂", "ß"])
TEXT = st.lists(st.one_of(st.text(ANY_CHARACTER, max_size=8), SPECIAL), max_size=5).map("".join)
NON_BLANK = st.tuples(st.text(ANY_CHARACTER, min_size=1, max_size=6), TEXT).map("".join)
# Any moment in the years prep can show (prep_site/dates.py).
MOMENT = st.datetimes(
    min_value=dates.EARLIEST.replace(tzinfo=None),
    max_value=dates.LATEST.replace(tzinfo=None) - timedelta(microseconds=1),
    timezones=st.just(UTC),
)
FLOAT = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False).map(abs)
TAG = st.sampled_from(["kafka", "Kafka", "machine learning", "ü-tag", "=cmd", "a,b"])
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"]


def _sample(draw, items: list, max_size: int) -> list:
    if not items:
        return []
    return draw(st.lists(st.sampled_from(items), max_size=max_size, unique_by=id))


def build_random_account(draw, user, starter) -> None:
    Profile.objects.filter(user=user).update(
        new_cards_per_day=draw(st.integers(0, 500)),
        timezone=draw(st.sampled_from(ZONES)),
        question_bank_seeded=draw(st.booleans()),
    )
    topics = [
        make_topic(
            owner=user,
            name=draw(NON_BLANK.map(lambda s: s[:80])),
            slug=f"topic-{n}",
            description=draw(TEXT.map(lambda s: s[:1000])),
        )
        for n in range(draw(st.integers(0, 3)))
    ]
    all_topics = [*topics, starter.topic]

    cards = [starter.card]
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(Card.Kind.values))
        front = draw(NON_BLANK)
        if kind == Card.Kind.CLOZE and draw(st.booleans()):
            front += f" {{{{c{draw(st.integers(1, 3))}::{draw(NON_BLANK)}}}}}"
        cards.append(
            make_card(
                draw(st.sampled_from(all_topics)),
                owner=user,
                kind=kind,
                front=front,
                back=draw(TEXT),
                suspended=draw(st.booleans()),
                tags=draw(st.lists(TAG, max_size=3)),
            )
        )
    prompts = [prompt for card in cards for prompt in card.prompts.all()]

    sessions = []
    for _ in range(draw(st.integers(0, 2))):
        session = StudySession.objects.create(user=user, finished_at=draw(st.none() | MOMENT))
        session.topics.set(_sample(draw, all_topics, 3))
        sessions.append(session)

    for prompt in _sample(draw, prompts, 4):
        Progress.objects.create(
            user=user,
            prompt=prompt,
            card=prompt.card,
            state=draw(st.integers(1, 3)),
            step=draw(st.none() | st.integers(0, 3)),
            stability=draw(st.none() | FLOAT),
            difficulty=draw(st.none() | FLOAT),
            due=draw(MOMENT),
            last_review=draw(st.none() | MOMENT),
            reps=draw(st.integers(0, 60)),
            lapses=draw(st.integers(0, 9)),
        )
    for prompt in _sample(draw, prompts, 3):
        for number in range(1, draw(st.integers(1, 3)) + 1):
            previous = None
            if number > 1:
                previous = {
                    "state": draw(st.integers(1, 3)),
                    "step": draw(st.none() | st.integers(0, 3)),
                    "stability": draw(st.none() | FLOAT),
                    "difficulty": draw(st.none() | FLOAT),
                    "due": draw(MOMENT).isoformat(),
                    "last_review": draw(st.none() | MOMENT.map(datetime.isoformat)),
                    "lapses": draw(st.integers(0, 9)),
                }
            ReviewLog.objects.create(
                user=user,
                card=prompt.card,
                prompt=prompt,
                session=draw(st.none() | st.sampled_from(sessions)) if sessions else None,
                rating=draw(st.integers(1, 4)),
                reviewed_at=draw(MOMENT),
                duration_ms=draw(st.integers(0, 600_000)),
                review_number=number,
                state_before=None if number == 1 else draw(st.integers(1, 3)),
                state_after=draw(st.integers(1, 3)),
                due_after=draw(MOMENT),
                previous=previous,
            )

    if draw(st.booleans()):
        quiz = Quiz.objects.create(
            user=user,
            mode=draw(st.sampled_from(Quiz.Mode.values)),
            size=draw(st.integers(1, 100)),
            count_as_reviews=draw(st.booleans()),
            finished_at=draw(st.none() | MOMENT),
        )
        quiz.topics.set(_sample(draw, all_topics, 2))
        for position, prompt in enumerate(_sample(draw, prompts, 3), start=1):
            QuizItem.objects.create(
                quiz=quiz,
                prompt=prompt,
                card=prompt.card,
                position=position,
                typed_answer=draw(TEXT),
                correct=draw(st.none() | st.booleans()),
                answered_at=draw(st.none() | MOMENT),
            )

    questions = [
        QuestionToAsk.objects.create(
            user=user,
            category=draw(st.sampled_from(QuestionCategory.values)),
            text=draw(NON_BLANK.map(lambda s: s[:500])),
            starter_key=starter.to_ask.starter_key if n == 0 and draw(st.booleans()) else "",
        )
        for n in range(draw(st.integers(0, 2)))
    ]
    interviews = []
    for _ in range(draw(st.integers(0, 2))):
        interview = Interview.objects.create(
            user=user,
            company=draw(NON_BLANK.map(lambda s: s[:120])),
            role=draw(NON_BLANK.map(lambda s: s[:120])),
            scheduled_at=draw(MOMENT),
            timezone=draw(st.sampled_from(ZONES)),
            duration_minutes=draw(st.integers(5, 600)),
            stage=draw(st.sampled_from(Stage.values)),
            status=draw(st.sampled_from(Status.values)),
            links=draw(TEXT),
            notes=draw(TEXT),
        )
        interview.topics.set(_sample(draw, all_topics, 2))
        for position, question in enumerate([*_sample(draw, questions, 2), None], start=1):
            ChecklistItem.objects.create(
                interview=interview,
                question=question,
                text=question.text if question else draw(NON_BLANK.map(lambda s: s[:500])),
                position=position,
                asked=draw(st.booleans()),
                answer=draw(TEXT),
            )
        interviews.append(interview)

    asked = [starter.question]
    for _ in range(draw(st.integers(0, 2))):
        asked.append(
            InterviewerQuestion.objects.create(
                owner=user,
                area=draw(st.sampled_from(PracticeArea.values)),
                text=draw(NON_BLANK),
                key_points=draw(st.lists(NON_BLANK, min_size=1, max_size=3)),
                star=draw(st.booleans()),
            )
        )
    for _ in range(draw(st.integers(0, 2))):
        mock = MockSession.objects.create(
            user=user,
            interview=draw(st.none() | st.sampled_from(interviews)) if interviews else None,
            areas=draw(st.lists(st.sampled_from(PracticeArea.values), min_size=1, unique=True)),
            time_limit_seconds=draw(st.integers(10, 3600)),
            finished_at=draw(st.none() | MOMENT),
        )
        for position, question in enumerate(_sample(draw, asked, 2), start=1):
            MockAnswer.objects.create(
                session=mock,
                question=question,
                position=position,
                text=draw(TEXT),
                started_at=draw(st.none() | MOMENT),
                submitted_at=draw(st.none() | MOMENT),
                timed_out=draw(st.booleans()),
                covered=draw(st.lists(st.integers(0, 5), max_size=3, unique=True)),
                score=draw(st.none() | st.floats(0, 1)),
                scored_at=draw(st.none() | MOMENT),
            )


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_export_restore_export_gives_the_same_document(data):
    # Each example in a savepoint rolled back at its end: the next one starts clean.
    with transaction.atomic():
        starter = make_starter()
        original = make_user()
        build_random_account(data.draw, original, starter)
        first = backup_document(user=original, now=NOW)

        copy = make_user()
        restore_backup(user=copy, data=read_backup(io.BytesIO(backup_bytes(first))), merge=False)
        second = backup_document(user=copy, now=NOW)

        first["user"] = second["user"] = None
        assert backup_bytes(second) == backup_bytes(first)
        assert snapshot(copy) == snapshot(original)
        transaction.set_rollback(True)
