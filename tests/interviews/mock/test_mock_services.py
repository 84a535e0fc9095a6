"""The mock interview workflows in interviews/mock/services.py, against the real database."""

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from interviews.mock import progress, services
from interviews.models import (
    InterviewerQuestion,
    MockAnswer,
    MockSession,
    PracticeArea,
    Stage,
)
from interviews.starter import load_starter_questions
from tests.factories import make_interview, make_mock_attempt, make_user

pytestmark = pytest.mark.django_db

TECH = PracticeArea.TECHNICAL
BEHAVIORAL = PracticeArea.BEHAVIORAL
SYSTEM_DESIGN = PracticeArea.SYSTEM_DESIGN
FOUR_POINTS = ["Names the trade-off", "Gives an example", "Mentions failure", "Measures it"]


def make_question(owner=None, *, area=TECH, text=None, key_points=None, star=False):
    return InterviewerQuestion.objects.create(
        owner=owner,
        area=area,
        text=text or f"A {area} question {InterviewerQuestion.objects.count() + 1}?",
        key_points=list(key_points or FOUR_POINTS),
        star=star,
    )


def start(user, *, areas=(TECH,), count=2, time_limit=120, interview=None, seed=None):
    rng = random.Random(seed) if seed is not None else None
    return services.start_mock(
        user=user,
        areas=list(areas),
        count=count,
        time_limit_seconds=time_limit,
        interview=interview,
        rng=rng,
    ).session


def answer_at(session, position=1) -> MockAnswer:
    return session.answers.select_related("question").get(position=position)


def started(answer: MockAnswer, *, ago: timedelta = timedelta(seconds=5)) -> MockAnswer:
    return services.begin_answer(answer=answer, now=timezone.now() - ago)


# Starting -------------------------------------------------------------------------------


def test_start_draws_only_the_chosen_areas_and_never_another_users_questions(user, other_user):
    load_starter_questions()
    mine = [make_question(user, area=TECH) for _ in range(3)]
    theirs = [make_question(other_user, area=TECH) for _ in range(5)]
    allowed = set(
        InterviewerQuestion.objects.filter(owner=None, area=TECH).values_list("pk", flat=True)
    ) | {q.pk for q in mine}
    drawn = set()
    for seed in range(8):
        session = start(user, areas=[TECH], count=20, seed=seed)
        questions = [a.question for a in session.answers.select_related("question")]
        assert {q.area for q in questions} == {TECH}
        assert all(q.owner_id in (None, user.pk) for q in questions)
        drawn.update(q.pk for q in questions)
    assert {q.pk for q in mine} <= drawn <= allowed
    assert not drawn & {q.pk for q in theirs}


def test_start_creates_the_session_and_numbered_answers_in_one_go(user):
    for _ in range(6):
        make_question(area=BEHAVIORAL)
    result = services.start_mock(
        user=user, areas=[BEHAVIORAL], count=5, time_limit_seconds=90, interview=None
    )
    session = result.session
    assert (result.asked, result.drawn, result.short) == (5, 5, False)
    assert session.user == user and session.areas == [BEHAVIORAL]
    assert session.time_limit_seconds == 90 and session.finished_at is None
    answers = list(session.answers.order_by("position"))
    assert [a.position for a in answers] == [1, 2, 3, 4, 5]
    assert len({a.question_id for a in answers}) == 5
    assert all(a.started_at is None and a.text == "" for a in answers)


def test_start_for_an_interview_uses_its_stage_areas(user):
    make_question(area=SYSTEM_DESIGN)
    make_question(area=TECH)
    interview = make_interview(user, stage=Stage.SYSTEM_DESIGN)
    session = start(user, areas=[], count=5, interview=interview)
    assert session.interview == interview
    assert session.areas == [SYSTEM_DESIGN]
    assert {a.question.area for a in session.answers.all()} == {SYSTEM_DESIGN}


def test_start_with_someone_elses_interview_is_refused(user, other_user):
    make_question(area=TECH)
    foreign = make_interview(other_user)
    with pytest.raises(services.MockRejected, match="not one of yours"):
        start(user, areas=[TECH], interview=foreign)
    assert not MockSession.objects.exists()


def test_fewer_questions_than_asked_uses_what_there_is(user):
    make_question(area=TECH)
    make_question(area=TECH)
    result = services.start_mock(user=user, areas=[TECH], count=5, time_limit_seconds=120)
    assert (result.asked, result.drawn, result.short) == (5, 2, True)
    assert result.session.answers.count() == 2


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"areas": [TECH], "count": 0}, "1 to 20 questions"),
        ({"areas": [TECH], "count": 21}, "1 to 20 questions"),
        ({"areas": [TECH], "time_limit_seconds": 9}, "10 to 3600 seconds"),
        ({"areas": [TECH], "time_limit_seconds": 3601}, "10 to 3600 seconds"),
        ({"areas": []}, "at least one practice area"),
        ({"areas": ["astrology"]}, "no practice area called"),
        ({"areas": [SYSTEM_DESIGN]}, "no questions in System design"),
    ],
)
def test_bad_starts_are_refused_and_create_nothing(user, kwargs, message):
    make_question(area=TECH)
    arguments = {"user": user, "count": 3, "time_limit_seconds": 120, **kwargs}
    with pytest.raises(services.MockRejected) as error:
        services.start_mock(**arguments)
    assert message.lower() in str(error.value).lower()
    assert not MockSession.objects.exists()
    assert not MockAnswer.objects.exists()


def _answer_and_score(user, question, score: float):
    """A finished one-question session in which ``question`` scored ``score``."""
    make_mock_attempt(user, question, score=score)


def test_draw_prefers_questions_answered_least_then_scored_lowest(user, other_user):
    often, once_well, once_badly, never = (make_question(area=TECH) for _ in range(4))
    for _ in range(2):
        _answer_and_score(user, often, 0.0)
    _answer_and_score(user, once_well, 1.0)
    _answer_and_score(user, once_badly, 0.25)
    for _ in range(3):  # someone else's practice does not count for this person
        _answer_and_score(other_user, never, 1.0)
    for seed in range(5):
        rng = random.Random(seed)
        assert services.draw_questions(user=user, areas=[TECH], count=1, rng=rng) == [never.pk]
        picked = services.draw_questions(user=user, areas=[TECH], count=2, rng=rng)
        assert set(picked) == {never.pk, once_badly.pk}
        picked = services.draw_questions(user=user, areas=[TECH], count=3, rng=rng)
        assert set(picked) == {never.pk, once_badly.pk, once_well.pk}


# Answering ------------------------------------------------------------------------------


def test_the_clock_starts_once(user):
    make_question()
    session = start(user, count=1)
    answer = answer_at(session)
    first = timezone.now() - timedelta(seconds=30)
    services.begin_answer(answer=answer, now=first)
    again = answer_at(session)
    services.begin_answer(answer=again, now=timezone.now())
    assert again.started_at == first
    assert answer_at(session).started_at == first


def test_save_keeps_the_text_and_normalizes_line_breaks(user):
    make_question()
    answer = started(answer_at(start(user, count=1)))
    services.save_answer_text(answer=answer, text="line one\r\nline two", now=timezone.now())
    assert MockAnswer.objects.get(pk=answer.pk).text == "line one\nline two"
    services.save_answer_text(answer=answer, text="x" * 20_000, now=timezone.now())
    assert len(MockAnswer.objects.get(pk=answer.pk).text) == 20_000


def test_an_oversized_answer_is_refused_and_nothing_changes(user):
    make_question()
    answer = started(answer_at(start(user, count=1)))
    services.save_answer_text(answer=answer, text="kept", now=timezone.now())
    for action in (services.save_answer_text, services.submit_answer):
        with pytest.raises(services.AnswerTextRefused, match="20,001 characters"):
            action(answer=answer, text="y" * 20_001, now=timezone.now())
    stored = MockAnswer.objects.get(pk=answer.pk)
    assert (stored.text, stored.submitted_at) == ("kept", None)


def test_submit_in_time_and_after_the_deadline(user):
    make_question()
    make_question()
    session = start(user, count=2, time_limit=60)
    in_time = started(answer_at(session, 1), ago=timedelta(seconds=20))
    services.submit_answer(answer=in_time, text="quick", now=timezone.now())
    late = started(answer_at(session, 2), ago=timedelta(seconds=61))
    services.submit_answer(answer=late, text="slow but kept", now=timezone.now())
    first, second = answer_at(session, 1), answer_at(session, 2)
    assert (first.text, first.timed_out) == ("quick", False)
    assert (second.text, second.timed_out) == ("slow but kept", True)
    assert first.submitted_at and second.submitted_at


def test_submit_without_text_hands_in_what_was_saved(user):
    make_question()
    answer = started(answer_at(start(user, count=1, time_limit=10)), ago=timedelta(minutes=5))
    services.save_answer_text(answer=answer, text="saved before the tab closed", now=timezone.now())
    services.submit_answer(answer=answer, text=None, now=timezone.now())
    stored = MockAnswer.objects.get(pk=answer.pk)
    assert stored.text == "saved before the tab closed"
    assert stored.timed_out and stored.submitted_at


def test_submitting_twice_records_once_and_saving_after_is_refused(user):
    make_question()
    answer = started(answer_at(start(user, count=1)))
    services.submit_answer(answer=answer, text="first", now=timezone.now())
    submitted_at = MockAnswer.objects.get(pk=answer.pk).submitted_at
    with pytest.raises(services.MockRejected, match="already submitted"):
        services.submit_answer(answer=answer, text="second", now=timezone.now())
    with pytest.raises(services.MockRejected, match="already submitted"):
        services.save_answer_text(answer=answer, text="third", now=timezone.now())
    stored = MockAnswer.objects.get(pk=answer.pk)
    assert (stored.text, stored.submitted_at) == ("first", submitted_at)


# Scoring --------------------------------------------------------------------------------


def test_score_is_covered_over_total_and_the_last_score_finishes_the_session(user):
    make_question(key_points=FOUR_POINTS)
    make_question(key_points=["One", "Two", "Three"])
    session = start(user, count=2)
    for position in (1, 2):
        answer = started(answer_at(session, position))
        services.submit_answer(answer=answer, text="an answer", now=timezone.now())
    first = answer_at(session, 1)
    total = len(first.question.key_points)
    services.score_answer(answer=first, covered=[2, 0, 2], now=timezone.now())
    first.refresh_from_db()
    assert first.covered == [0, 2]
    assert first.score == pytest.approx(2 / total)
    session.refresh_from_db()
    assert session.finished_at is None
    second = answer_at(session, 2)
    services.score_answer(answer=second, covered=[], now=timezone.now())
    second.refresh_from_db()
    assert second.score == 0.0
    session.refresh_from_db()
    assert session.finished_at is not None

    summary = services.session_summary(session=session)
    assert summary.scored == 2
    assert summary.mean == pytest.approx((2 / total + 0.0) / 2)
    assert [row.covered for row in summary.rows] == [2, 0]
    assert summary.time_used >= timedelta(seconds=8)


def test_scoring_twice_before_submitting_or_out_of_range_is_refused(user):
    make_question(key_points=FOUR_POINTS)
    make_question()
    session = start(user, count=2)
    answer = started(answer_at(session))
    with pytest.raises(services.MockRejected, match="Submit the answer"):
        services.score_answer(answer=answer, covered=[0], now=timezone.now())
    services.submit_answer(answer=answer, text="a", now=timezone.now())
    with pytest.raises(services.MockRejected, match="not part of this question"):
        services.score_answer(answer=answer, covered=[4], now=timezone.now())
    services.score_answer(answer=answer, covered=[0, 1, 2, 3], now=timezone.now())
    scored_at = MockAnswer.objects.get(pk=answer.pk).scored_at
    with pytest.raises(services.MockRejected, match="already scored"):
        services.score_answer(answer=answer, covered=[0], now=timezone.now())
    stored = MockAnswer.objects.get(pk=answer.pk)
    assert (stored.score, stored.covered, stored.scored_at) == (1.0, [0, 1, 2, 3], scored_at)


def test_a_finished_session_takes_no_more_changes(user):
    make_question()
    make_question()
    session = start(user, count=2)
    answer = started(answer_at(session))
    services.save_answer_text(answer=answer, text="before the end", now=timezone.now())
    ended_at = timezone.now()
    services.finish_mock(session=session, now=ended_at)
    for action, kwargs in [
        (services.save_answer_text, {"text": "after"}),
        (services.submit_answer, {"text": "after"}),
        (services.score_answer, {"covered": [0]}),
    ]:
        with pytest.raises(services.MockRejected, match="already finished"):
            action(answer=answer, now=timezone.now(), **kwargs)
    with pytest.raises(services.MockRejected, match="already finished"):
        services.finish_mock(session=session, now=timezone.now())
    stored = MockAnswer.objects.get(pk=answer.pk)
    # Ending handed the typed text in, at the end; nothing after changed it.
    assert (stored.text, stored.submitted_at, stored.score) == ("before the end", ended_at, None)


def test_question_history_is_newest_first_with_a_chart(user, other_user):
    question = make_question(key_points=FOUR_POINTS)
    now = timezone.now()
    for days_ago, score in [(3, 0.25), (2, 0.5), (1, 1.0)]:
        when = now - timedelta(days=days_ago)
        make_mock_attempt(user, question, at=when, score=score, text=f"answer scoring {score}")
    _answer_and_score(other_user, question, 0.0)
    history = progress.question_history(user=user, question=question)
    assert [a.score for a in history.answers] == [1.0, 0.5, 0.25]
    assert (history.best, history.latest) == (1.0, 1.0)
    ys = [point.y for point in history.chart.points]
    assert ys[0] > ys[1] > ys[2]  # higher scores are drawn higher up
    assert len(history.chart.line.split()) == 3


# Races ----------------------------------------------------------------------------------

RACERS = 4


def _race(action) -> list[str]:
    barrier = threading.Barrier(RACERS)

    def attempt(n: int) -> str:
        try:
            barrier.wait(timeout=10)
            action(n)
            return "recorded"
        except services.MockRejected:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(RACERS) as pool:
        return sorted(pool.map(attempt, range(RACERS)))


@pytest.mark.django_db(transaction=True)
def test_racing_submits_and_scores_are_recorded_once():
    user = make_user()
    make_question(key_points=FOUR_POINTS)
    session = start(user, count=1)
    answer = started(answer_at(session))

    def submit(n):
        mine = MockAnswer.objects.select_related("question").get(pk=answer.pk)
        services.submit_answer(answer=mine, text=f"tab {n}", now=timezone.now())

    assert _race(submit) == ["recorded"] + ["refused"] * (RACERS - 1)
    stored = MockAnswer.objects.get(pk=answer.pk)
    assert stored.text.startswith("tab ") and stored.submitted_at is not None

    def score(n):
        mine = MockAnswer.objects.select_related("question").get(pk=answer.pk)
        services.score_answer(answer=mine, covered=list(range(n + 1)), now=timezone.now())

    assert _race(score) == ["recorded"] + ["refused"] * (RACERS - 1)
    stored = MockAnswer.objects.get(pk=answer.pk)
    assert stored.score == len(stored.covered) / 4
    assert MockSession.objects.get(pk=session.pk).finished_at is not None
