"""Mock interview workflows: drawing the questions, saving an answer as it is
typed, submitting it (in time or not), scoring it against the key points, and
summing up a session.

Every write locks the session row first, so two tabs, a double click or a
retried request are applied one after the other, and each checks the state it
needs with a conditional UPDATE: an answer is submitted once and scored once.
"""

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.utils.text import slugify

from prep_site import words

from ..models import (
    MAX_MOCK_ANSWER_LENGTH,
    Interview,
    InterviewerQuestion,
    MockAnswer,
    MockSession,
    PracticeArea,
)
from . import coaching

MAX_ANSWER_CHARS = MAX_MOCK_ANSWER_LENGTH
MIN_QUESTIONS, MAX_QUESTIONS = 1, 20
MIN_TIME_LIMIT, MAX_TIME_LIMIT = 10, 3600
# A page opened this long after its question's time ran out submits what was
# saved; within it, the page's own countdown submits (with the latest text).
EXPIRY_GRACE = timedelta(seconds=5)


class MockRejected(Exception):
    """Nothing was written; ``str(error)`` says why, for the person."""


class AnswerTextRefused(MockRejected):
    """The text itself was refused (too long, or a character no database stores);
    the person still has it on screen."""


def questions_for(user) -> QuerySet[InterviewerQuestion]:
    """The starter bank and the person's own questions, never anyone else's."""
    return InterviewerQuestion.objects.filter(Q(owner=user) | Q(owner__isnull=True))


def area_labels(areas: Iterable[str]) -> list[str]:
    labels = dict(PracticeArea.choices)
    return [labels.get(area, area) for area in areas]


def deadline_of(answer: MockAnswer, session: MockSession) -> datetime | None:
    if answer.started_at is None:
        return None
    return answer.started_at + timedelta(seconds=session.time_limit_seconds)


def normalize_answer_text(text: str) -> str:
    """Browsers send a textarea's line breaks as CRLF; count them as one character,
    as the textarea itself does."""
    return text.replace("\r\n", "\n")


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise AnswerTextRefused(
            "Your answer contains a null character, which cannot be stored. Nothing was "
            "saved: remove it and try again (what you typed is still in the box)."
        )
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerTextRefused(
            f"Your answer is {len(text):,} characters long; the limit is "
            f"{MAX_ANSWER_CHARS:,}. Nothing was saved: shorten it and try again "
            "(what you typed is still in the box)."
        )


def _locked_session(session_id: int) -> MockSession:
    session = MockSession.objects.select_for_update().get(pk=session_id)
    if session.finished_at is not None:
        raise MockRejected("This mock interview is already finished; nothing was changed.")
    return session


# Starting -------------------------------------------------------------------------------


@dataclass
class MockStart:
    session: MockSession
    asked: int
    drawn: int
    note: str = ""  # how the questions were drawn, when it is worth saying

    @property
    def short(self) -> bool:
        return self.drawn < self.asked


def draw_questions(
    *, user, areas: Sequence[str], count: int, rng: random.Random | None = None
) -> list[int]:
    """Ids of ``count`` questions of those areas, the ones the person has answered
    least (and, among those, scored lowest on) first; ties are broken at random."""
    rng = rng or random.Random()
    mine = Q(answers__session__user=user)
    rows = list(
        questions_for(user)
        .filter(area__in=areas)
        .annotate(
            times=Count("answers", filter=mine & Q(answers__submitted_at__isnull=False)),
            mean=Avg("answers__score", filter=mine),
        )
        .values_list("pk", "times", "mean")
    )
    rng.shuffle(rows)
    rows.sort(key=lambda row: (row[1], row[2] if row[2] is not None else 0.0))
    chosen = [pk for pk, _times, _mean in rows[:count]]
    rng.shuffle(chosen)
    return chosen


# Areas drawn for an interview only when its topics name them: a backend
# interview's technical stage should not ask about regularization.
SPECIALTY_AREAS = {PracticeArea.MACHINE_LEARNING}
# Topic names (slugified) that name an area besides the area's own name.
AREA_ALIASES = {
    "ml": PracticeArea.MACHINE_LEARNING,
    "ai": PracticeArea.MACHINE_LEARNING,
    "deep-learning": PracticeArea.MACHINE_LEARNING,
    "data-science": PracticeArea.MACHINE_LEARNING,
}


@dataclass
class InterviewAreas:
    named: list[str]  # the stage's areas the interview's topics name: drawn first
    others: list[str]  # the stage's other areas, specialties left out


def interview_areas(interview: Interview) -> InterviewAreas:
    """The practice areas of a mock interview rehearsing ``interview``.

    Questions carry an area, not topics, so the interview's stage and topics
    meet through the areas: the stage gives its areas (STAGE_AREAS: a behavioral
    stage gives behavioral only); a topic names an area when its slug or name,
    slugified, is the area's (“Machine learning”, “system-design”) or an alias
    (“ML”). Named areas of the stage are drawn first; the stage's other areas
    fill up, except a specialty (machine learning), drawn only when named."""
    names = set()
    for topic in interview.topics.all():
        names |= {topic.slug, slugify(topic.name)}
    topic_areas = {area for area in PracticeArea.values if area in names}
    topic_areas |= {str(AREA_ALIASES[name]) for name in names if name in AREA_ALIASES}
    stage_areas = interview.practice_areas()
    named = [area for area in stage_areas if area in topic_areas]
    others = [area for area in stage_areas if area not in named and area not in SPECIALTY_AREAS]
    return InterviewAreas(named=named, others=others)


def _draw_for_interview(*, user, interview: Interview, count: int, rng) -> tuple[list, list, str]:
    """(question ids, areas, note): the named areas' questions first, then the others'."""
    areas = interview_areas(interview)
    ids = draw_questions(user=user, areas=areas.named, count=count, rng=rng) if areas.named else []
    note = ""
    if len(ids) < count and areas.others:
        more = draw_questions(user=user, areas=areas.others, count=count - len(ids), rng=rng)
        if areas.named and more:
            note = (
                f"Only {words.count(len(ids), 'question')} in "
                f"{', '.join(area_labels(areas.named))} (this interview's topics); "
                f"the other {len(more)} come from its stage's other areas: "
                f"{', '.join(area_labels(areas.others))}."
            )
        ids += more
    return ids, areas.named + areas.others, note


@transaction.atomic
def start_mock(
    *,
    user,
    areas: Sequence[str],
    count: int,
    time_limit_seconds: int,
    interview: Interview | None = None,
    rng: random.Random | None = None,
) -> MockStart:
    """A new mock interview of ``count`` questions (or as many as there are).
    With an interview and no areas, the interview's stage and topics decide the
    areas (interview_areas)."""
    if interview is not None and interview.user_id != user.pk:
        raise MockRejected("That interview is not one of yours.")
    areas = list(dict.fromkeys(areas))
    for_interview = not areas and interview is not None
    if for_interview:
        areas = interview.practice_areas()
    if not areas:
        raise MockRejected("Choose at least one practice area, or an upcoming interview.")
    unknown = [area for area in areas if area not in PracticeArea.values]
    if unknown:
        raise MockRejected(f"There is no practice area called “{unknown[0]}”.")
    if not MIN_QUESTIONS <= count <= MAX_QUESTIONS:
        raise MockRejected(
            f"A mock interview has {MIN_QUESTIONS} to {MAX_QUESTIONS} questions; "
            "nothing was started."
        )
    if not MIN_TIME_LIMIT <= time_limit_seconds <= MAX_TIME_LIMIT:
        raise MockRejected(
            f"The time per question is {MIN_TIME_LIMIT} to {MAX_TIME_LIMIT} seconds; "
            "nothing was started."
        )
    note = ""
    if for_interview:
        question_ids, areas, note = _draw_for_interview(
            user=user, interview=interview, count=count, rng=rng
        )
    else:
        question_ids = draw_questions(user=user, areas=areas, count=count, rng=rng)
    if not question_ids:
        raise MockRejected(
            f"There are no questions in {', '.join(area_labels(areas))} yet; "
            "add your own in the question bank. Nothing was started."
        )
    session = MockSession(
        user=user, interview=interview, areas=areas, time_limit_seconds=time_limit_seconds
    )
    session.full_clean(exclude=["user", "interview"])
    session.save()
    MockAnswer.objects.bulk_create(
        MockAnswer(session=session, question_id=question_id, position=position)
        for position, question_id in enumerate(question_ids, start=1)
    )
    return MockStart(session=session, asked=count, drawn=len(question_ids), note=note)


# Answering ------------------------------------------------------------------------------


@transaction.atomic
def begin_answer(*, answer: MockAnswer, now: datetime) -> MockAnswer:
    """The question is on screen: its clock starts now, once. A reload finds the
    clock already running."""
    if answer.started_at is None:
        if MockAnswer.objects.filter(pk=answer.pk, started_at__isnull=True).update(started_at=now):
            answer.started_at = now
        else:  # another request started it a moment ago: its clock counts
            answer.started_at = (
                MockAnswer.objects.filter(pk=answer.pk).values_list("started_at", flat=True).get()
            )
    return answer


@transaction.atomic
def save_answer_text(*, answer: MockAnswer, text: str, now: datetime) -> MockAnswer:
    """Keep what has been typed so far. Refused, writing nothing, once the answer
    is submitted or the session finished, or when the text is too long."""
    _locked_session(answer.session_id)
    if MockAnswer.objects.filter(pk=answer.pk, submitted_at__isnull=False).exists():
        raise MockRejected("This answer was already submitted, so that change was not saved.")
    text = normalize_answer_text(text)
    _check_text(text)
    updated = MockAnswer.objects.filter(pk=answer.pk, submitted_at__isnull=True).update(text=text)
    if not updated:  # pragma: no cover - the session lock makes this a last line of defence
        raise MockRejected("This answer was already submitted, so that change was not saved.")
    answer.text = text
    return answer


@transaction.atomic
def submit_answer(*, answer: MockAnswer, text: str | None, now: datetime) -> MockAnswer:
    """Hand the answer in. ``text`` None keeps what was saved (the time ran out
    with the page closed). After the deadline it is still accepted, and marked
    as timed out: the text is never thrown away."""
    session = _locked_session(answer.session_id)
    current = MockAnswer.objects.get(pk=answer.pk)
    if current.submitted_at is not None:
        raise MockRejected("This answer was already submitted; it was recorded once.")
    if text is not None:
        text = normalize_answer_text(text)
        _check_text(text)
    started_at = current.started_at or now
    timed_out = now >= started_at + timedelta(seconds=session.time_limit_seconds)
    final_text = current.text if text is None else text
    values = {
        "submitted_at": now,
        "started_at": started_at,
        "timed_out": timed_out,
        "suggested": suggest_for(answer.question, final_text).suggested_or_none,
    }
    if text is not None:
        values["text"] = text
    updated = MockAnswer.objects.filter(pk=answer.pk, submitted_at__isnull=True).update(**values)
    if not updated:  # pragma: no cover - the session lock makes this a last line of defence
        raise MockRejected("This answer was already submitted; it was recorded once.")
    answer.text = current.text if text is None else text
    for name, value in values.items():
        setattr(answer, name, value)
    return answer


@transaction.atomic
def score_answer(*, answer: MockAnswer, covered: Iterable[int], now: datetime) -> MockAnswer:
    """Record which key points the answer covered; the score is covered / total.
    Scoring the last question finishes the session."""
    total = len(answer.question.key_points)
    covered = sorted(set(covered))
    if any(not 0 <= index < total for index in covered):
        raise MockRejected("Those key points are not part of this question; nothing was scored.")
    session = _locked_session(answer.session_id)
    current = MockAnswer.objects.get(pk=answer.pk)
    if current.scored_at is not None:
        raise MockRejected("This answer was already scored; the score was recorded once.")
    if current.submitted_at is None:
        raise MockRejected("Submit the answer before scoring it.")
    score = len(covered) / total if total else 0.0
    updated = MockAnswer.objects.filter(
        pk=answer.pk, submitted_at__isnull=False, scored_at__isnull=True
    ).update(covered=covered, score=score, scored_at=now)
    if not updated:  # pragma: no cover - the session lock makes this a last line of defence
        raise MockRejected("This answer was already scored; the score was recorded once.")
    answer.covered, answer.score, answer.scored_at = covered, score, now
    answer.text, answer.submitted_at, answer.timed_out = (
        current.text,
        current.submitted_at,
        current.timed_out,
    )
    if not session.answers.filter(scored_at__isnull=True).exists():
        MockSession.objects.filter(pk=session.pk, finished_at__isnull=True).update(finished_at=now)
    return answer


@transaction.atomic
def finish_mock(
    *,
    session: MockSession,
    now: datetime,
    answer: MockAnswer | None = None,
    text: str | None = None,
) -> MockSession:
    """End the session here; the questions not scored stay unscored.

    ``text`` is what the box of ``answer`` held when the person ended (None when
    the page sent none, as without JavaScript). It is saved first, so ending
    never throws away what was typed. It is the newest text there is: the page
    reads it at the click, and any autosave that arrives later is refused, the
    session being finished. An answer already handed in keeps its text. Answers
    left with text in them are handed in, so the summary shows them answered."""
    locked = _locked_session(session.pk)
    if answer is not None and text is not None:
        text = normalize_answer_text(text)
        _check_text(text)
        MockAnswer.objects.filter(
            pk=answer.pk, session_id=session.pk, submitted_at__isnull=True
        ).update(text=text)
    typed = locked.answers.filter(submitted_at__isnull=True).exclude(text="")
    for current in typed:
        started_at = current.started_at or now
        deadline = started_at + timedelta(seconds=locked.time_limit_seconds)
        MockAnswer.objects.filter(pk=current.pk).update(
            started_at=started_at, submitted_at=now, timed_out=now >= deadline
        )
    MockSession.objects.filter(pk=session.pk, finished_at__isnull=True).update(finished_at=now)
    session.finished_at = now
    return session


# Coaching -------------------------------------------------------------------------------


def suggest_for(question: InterviewerQuestion, text: str) -> coaching.Coaching:
    return coaching.suggest(text, question.key_points, question.synonyms_for(), star=question.star)


@dataclass
class AnswerCoaching:
    """What the scoring page shows: the suggestion for each key point, the answer
    in pieces with the matching sentences marked, the boxes to tick first."""

    result: coaching.Coaching
    pieces: list[tuple[str, bool]]  # (text, marked)
    ticked: set[int]


def answer_coaching(*, answer: MockAnswer) -> AnswerCoaching:
    """The suggestion for a submitted answer, recomputed from its text (no query:
    the answer comes with its question). The boxes ticked first are the ones
    suggested when it was submitted."""
    result = suggest_for(answer.question, answer.text)
    marks = sorted(
        {(p.sentence.start, p.sentence.end) for p in result.points if p.covered and p.sentence}
    )
    pieces, at = [], 0
    for start, end in marks:
        if start > at:
            pieces.append((answer.text[at:start], False))
        pieces.append((answer.text[start:end], True))
        at = end
    if at < len(answer.text):
        pieces.append((answer.text[at:], False))
    ticked = set(result.suggested if answer.suggested is None else answer.suggested)
    return AnswerCoaching(result=result, pieces=pieces, ticked=ticked)


# Reading --------------------------------------------------------------------------------


@dataclass
class AnswerRow:
    answer: MockAnswer
    covered: int
    total: int
    time_used: timedelta | None

    @property
    def missed(self) -> int:
        """Key points not ticked, once the answer is scored (0 before)."""
        return max(self.total - self.covered, 0) if self.answer.scored_at else 0


@dataclass
class MockSummary:
    rows: list[AnswerRow]
    scored: int
    mean: float | None
    time_used: timedelta


@transaction.atomic
def session_summary(*, session: MockSession) -> MockSummary:
    """Per question: the score and the time it took; for the session: the mean of
    the scores and the time spent answering."""
    rows = []
    for answer in session.answers.select_related("question").order_by("position"):
        used = None
        if answer.started_at and answer.submitted_at:
            used = max(answer.submitted_at - answer.started_at, timedelta(0))
        rows.append(
            AnswerRow(
                answer=answer,
                covered=len(answer.covered),
                total=len(answer.question.key_points),
                time_used=used,
            )
        )
    scores = [row.answer.score for row in rows if row.answer.score is not None]
    return MockSummary(
        rows=rows,
        scored=len(scores),
        mean=sum(scores) / len(scores) if scores else None,
        time_used=sum((row.time_used for row in rows if row.time_used), timedelta(0)),
    )
