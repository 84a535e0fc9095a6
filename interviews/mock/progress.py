"""A question's progress over the person's attempts: every answer with its score
and coverage, what changed from the attempt before it, and the score over time
as a small SVG line chart drawn on the server. One query, whatever the number
of attempts."""

from dataclasses import dataclass

from ..models import InterviewerQuestion, MockAnswer
from .measures import words

# The chart: scores from 0 to 100 % up the side, attempts in order along.
CHART_WIDTH, CHART_HEIGHT = 320, 120
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 34, 8, 8, 20


@dataclass
class Attempt:
    """One submitted answer, and how it differs from the attempt before it."""

    answer: MockAnswer
    covered: int  # key points ticked (0 when not scored)
    total: int
    words: int
    previous: "Attempt | None" = None
    newly_covered: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()

    @property
    def scored(self) -> bool:
        return self.answer.score is not None

    @property
    def missed(self) -> int:
        return max(self.total - self.covered, 0) if self.scored else 0

    @property
    def compared(self) -> bool:
        """Both this attempt and the one before it were scored."""
        return self.previous is not None and self.scored and self.previous.scored

    @property
    def score_change(self) -> float | None:
        return self.answer.score - self.previous.answer.score if self.compared else None

    @property
    def score_change_points(self) -> int | None:
        """The change of score in percentage points."""
        change = self.score_change
        return None if change is None else round(change * 100)

    @property
    def words_change(self) -> int | None:
        return self.words - self.previous.words if self.previous is not None else None


@dataclass
class ChartPoint:
    x: float
    y: float
    attempt: Attempt


@dataclass
class Chart:
    points: list[ChartPoint]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = CHART_LEFT
    right: int = CHART_WIDTH - CHART_RIGHT
    top: int = CHART_TOP
    middle: float = CHART_TOP + (CHART_HEIGHT - CHART_TOP - CHART_BOTTOM) / 2
    baseline: int = CHART_HEIGHT - CHART_BOTTOM

    @property
    def line(self) -> str:
        """The polyline's points, oldest first."""
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass
class QuestionHistory:
    attempts: list[Attempt]  # newest first
    chart: Chart
    best: float | None
    latest: float | None
    agreed: int = 0  # key points where the suggestion and the person's ticks agreed
    compared: int = 0  # key points of the scored answers that had a suggestion

    @property
    def answers(self) -> list[MockAnswer]:
        return [attempt.answer for attempt in self.attempts]

    @property
    def agreement(self) -> float | None:
        return self.agreed / self.compared if self.compared else None


def _chart(scored: list[Attempt]) -> Chart:
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    step = plot_width / max(len(scored) - 1, 1)
    points = []
    for index, attempt in enumerate(scored):
        x = CHART_LEFT + index * step if len(scored) > 1 else CHART_LEFT + plot_width / 2
        y = CHART_TOP + plot_height * (1 - attempt.answer.score)
        points.append(ChartPoint(x=round(x, 1), y=round(y, 1), attempt=attempt))
    return Chart(points=points)


def _diff(attempt: Attempt, key_points: list[str]) -> None:
    known = range(len(key_points))  # a key point since removed from the question is left out
    before = {n for n in attempt.previous.answer.covered if n in known}
    now = {n for n in attempt.answer.covered if n in known}
    attempt.newly_covered = tuple(key_points[n] for n in sorted(now - before))
    attempt.dropped = tuple(key_points[n] for n in sorted(before - now))


def question_history(*, user, question: InterviewerQuestion) -> QuestionHistory:
    """Every answer the person submitted to the question, newest first, each
    compared with the one before it, and the scores over time for a chart."""
    answers = MockAnswer.objects.filter(
        session__user=user, question=question, submitted_at__isnull=False
    ).order_by("submitted_at", "pk")
    key_points = list(question.key_points)
    total = len(key_points)
    attempts: list[Attempt] = []
    for answer in answers:
        attempt = Attempt(
            answer=answer,
            covered=len(answer.covered) if answer.score is not None else 0,
            total=total,
            words=len(words(answer.text)),
            previous=attempts[-1] if attempts else None,
        )
        if attempt.compared:
            _diff(attempt, key_points)
        attempts.append(attempt)
    scored = [attempt for attempt in attempts if attempt.scored]
    agreed = compared = 0
    for attempt in scored:
        if attempt.answer.suggested is not None:
            suggested, covered = set(attempt.answer.suggested), set(attempt.answer.covered)
            agreed += sum((k in suggested) == (k in covered) for k in range(total))
            compared += total
    return QuestionHistory(
        attempts=attempts[::-1],
        chart=_chart(scored),
        best=max((a.answer.score for a in scored), default=None),
        latest=scored[-1].answer.score if scored else None,
        agreed=agreed,
        compared=compared,
    )
