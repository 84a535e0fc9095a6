"""Quizzes: drawing the cards, marking each answer, and scoring a run.

A quiz stays out of the study schedule unless the person ticked "also count as
reviews"; then each mark is also a grade, through the same grade_prompt that
study sessions use."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, F, Q

from ..models import Progress, Quiz, QuizItem, Rating, Topic
from ..services import never_studied, studiable_prompts
from ..study.services import AlreadyGraded, grade_prompt

HISTORY_PER_PAGE = 20


class QuizRejected(Exception):
    """The quiz was not started; ``str(error)`` says why, for the person."""


class MarkRejected(Exception):
    """The mark was not recorded; ``str(error)`` says why, for the person."""


class ItemNotInQuiz(MarkRejected):
    pass


class AlreadyMarked(MarkRejected):
    pass


# Starting -------------------------------------------------------------------------


def draw_prompts(*, user_id: int, topic_ids: list[int], mode: str, size: int) -> list[tuple]:
    """(prompt id, card id) of up to ``size`` prompts for a quiz, in quiz order."""
    if mode == Quiz.Mode.WEAKEST:
        # Least stable memory first, the most often forgotten breaking ties, from
        # the person's progress rows alone (they carry their card's topic and
        # suspension): joining every prompt to them made SQLite sort 100,000
        # rows of the join. Prompts never studied come after all studied ones.
        weakest = list(
            Progress.objects.filter(user_id=user_id, topic_id__in=topic_ids, suspended=False)
            .order_by(F("stability").asc(nulls_last=True), "-lapses", "?")
            .values_list("prompt_id", "card_id")[:size]
        )
        if len(weakest) == size:
            return weakest
        return weakest + draw_prompts(
            user_id=user_id, topic_ids=topic_ids, mode=Quiz.Mode.UNSEEN, size=size - len(weakest)
        )
    prompts = studiable_prompts(user_id=user_id, topic_ids=topic_ids)
    if mode == Quiz.Mode.UNSEEN:
        prompts = never_studied(prompts, user_id=user_id)
    return list(prompts.order_by("?").values_list("pk", "card_id")[:size])


@transaction.atomic
def start_quiz(*, user, topics: list[Topic], size: int, mode: str, count_as_reviews: bool) -> Quiz:
    """Draw the cards and create the quiz with its items, positions 1..n. When
    fewer than ``size`` cards are there, the quiz has those (``quiz.size`` says
    how many); when there are none, nothing is created."""
    if not 1 <= size <= Quiz.MAX_SIZE:
        raise QuizRejected(f"A quiz has between 1 and {Quiz.MAX_SIZE} cards.")
    if mode not in Quiz.Mode.values or mode == Quiz.Mode.CRAM:
        raise QuizRejected("Choose which cards the quiz draws: random, weakest or unseen.")
    wanted = {topic.pk for topic in topics}
    topic_ids = list(
        Topic.objects.visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    if not wanted or len(topic_ids) != len(wanted):
        raise QuizRejected("Choose at least one of your topics for the quiz.")

    drawn = draw_prompts(user_id=user.pk, topic_ids=topic_ids, mode=mode, size=size)
    if not drawn:
        if mode == Quiz.Mode.UNSEEN and (
            studiable_prompts(user_id=user.pk, topic_ids=topic_ids).exists()
        ):
            raise QuizRejected(
                "You have studied every card in those topics already: "
                "choose “Random” or “Weakest first”, or other topics."
            )
        raise QuizRejected(
            "Those topics have no cards to quiz you on (suspended cards are left out)."
        )

    return create_quiz(
        user=user, topic_ids=topic_ids, drawn=drawn, mode=mode, count_as_reviews=count_as_reviews
    )


def create_quiz(
    *,
    user,
    topic_ids: list[int],
    drawn: list[tuple],
    mode: str,
    count_as_reviews: bool,
    search_text: str = "",
) -> Quiz:
    """The quiz over ``drawn`` (prompt id, card id) pairs, asked in that order:
    three queries (the quiz, its topics, its items). Call it in a transaction."""
    quiz = Quiz(
        user=user,
        mode=mode,
        size=len(drawn),
        count_as_reviews=count_as_reviews,
        search_text=search_text,
    )
    quiz.full_clean(exclude=["user"])
    quiz.save()
    quiz.topics.add(*topic_ids)
    QuizItem.objects.bulk_create(
        QuizItem(quiz=quiz, prompt_id=prompt_id, card_id=card_id, position=position)
        for position, (prompt_id, card_id) in enumerate(drawn, start=1)
    )
    return quiz


# Taking it -------------------------------------------------------------------------


@dataclass
class QuizProgress:
    total: int
    marked: int
    right: int

    @property
    def position(self) -> int:
        """The number of the card being asked now, counting from 1."""
        return min(self.marked + 1, self.total)


def current_item(*, quiz: Quiz) -> QuizItem | None:
    """The first item not marked yet; None once every item is."""
    return (
        quiz.items.filter(correct__isnull=True)
        .select_related("prompt__card__topic")
        .order_by("position")
        .first()
    )


def quiz_progress(*, quiz: Quiz) -> QuizProgress:
    counts = quiz.items.aggregate(
        total=Count("pk"),
        marked=Count("pk", filter=Q(correct__isnull=False)),
        right=Count("pk", filter=Q(correct=True)),
    )
    return QuizProgress(**counts)


@transaction.atomic
def mark_item(
    *,
    user,
    quiz: Quiz,
    item_id: int,
    correct: bool,
    typed_answer: str = "",
    duration_ms: int = 0,
    now: datetime,
) -> QuizItem:
    """Mark one item right or wrong, once. The conditional update is what makes
    it once: of two submissions racing for the same item, only one finds it
    unmarked. With ``count_as_reviews`` the mark is also a study grade (right is
    Good, wrong is Again); a grade refused because the prompt was graded
    meanwhile leaves the mark standing."""
    # Lock the quiz row: marks of one quiz queue up, so "was that the last
    # item?" has one answer.
    locked = Quiz.objects.select_for_update().filter(pk=quiz.pk, user=user).first()
    if locked is None:
        raise ItemNotInQuiz("That quiz is not yours.")
    item = QuizItem.objects.select_related("prompt__card").filter(pk=item_id, quiz=locked).first()
    if item is None:
        raise ItemNotInQuiz("That card is not part of this quiz.")
    updated = QuizItem.objects.filter(pk=item.pk, correct__isnull=True).update(
        correct=correct, typed_answer=typed_answer, answered_at=now
    )
    if not updated:
        raise AlreadyMarked("That card was already marked; the mark was not counted twice.")
    item.correct, item.typed_answer, item.answered_at = correct, typed_answer, now

    if locked.count_as_reviews:
        reps = (
            Progress.objects.filter(user=user, prompt_id=item.prompt_id)
            .values_list("reps", flat=True)
            .first()
        )
        # Graded elsewhere in the meantime (another tab, a study session): the
        # quiz mark still counts, the schedule keeps the grade it already has.
        with suppress(AlreadyGraded):
            grade_prompt(
                user=user,
                session=None,
                prompt=item.prompt,
                rating=Rating.GOOD if correct else Rating.AGAIN,
                expected_reps=reps or 0,
                duration_ms=duration_ms,
                now=now,
            )

    if not QuizItem.objects.filter(quiz=locked, correct__isnull=True).exists():
        Quiz.objects.filter(pk=locked.pk, finished_at__isnull=True).update(finished_at=now)
        quiz.finished_at = quiz.finished_at or now
    return item


# Scoring ----------------------------------------------------------------------------


@dataclass
class TopicScore:
    name: str
    right: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass
class QuizResult:
    quiz: Quiz
    right: int
    total: int
    by_topic: list[TopicScore]
    missed: list[QuizItem]
    time_taken: timedelta | None

    @property
    def score(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def wrong(self) -> int:
        return self.total - self.right


def quiz_result(*, quiz: Quiz) -> QuizResult:
    """The score, accuracy per topic and the cards missed: two queries."""
    rows = (
        quiz.items.values("card__topic_id", "card__topic__name")
        .annotate(total=Count("pk"), right=Count("pk", filter=Q(correct=True)))
        .order_by("card__topic__name", "card__topic_id")
    )
    by_topic = [
        TopicScore(name=row["card__topic__name"], right=row["right"], total=row["total"])
        for row in rows
    ]
    missed = list(
        quiz.items.filter(correct=False).select_related("prompt__card__topic").order_by("position")
    )
    finished = quiz.finished_at
    return QuizResult(
        quiz=quiz,
        right=sum(t.right for t in by_topic),
        total=sum(t.total for t in by_topic),
        by_topic=by_topic,
        missed=missed,
        time_taken=(finished - quiz.started_at) if finished else None,
    )


# History --------------------------------------------------------------------------------


CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 320, 96, 6
CHART_MAX_BAR = 28


@dataclass
class ChartBar:
    x: float
    y: float
    width: float
    height: float
    quiz: Quiz


@dataclass
class QuizHistory:
    page: Page
    bars: list[ChartBar]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    pad: int = CHART_PAD

    @property
    def top(self) -> int:
        return self.pad

    @property
    def middle(self) -> float:
        return self.pad + (self.height - 2 * self.pad) / 2

    @property
    def baseline(self) -> int:
        return self.height - self.pad


def quizzes_with_scores(*, user):
    """The person's quizzes, newest first, each with ``total``, ``marked`` and
    ``right`` item counts and a ``score`` (right / total) in one query."""
    return (
        Quiz.objects.filter(user=user)
        .annotate(
            total=Count("items"),
            marked=Count("items", filter=Q(items__correct__isnull=False)),
            right=Count("items", filter=Q(items__correct=True)),
        )
        .order_by("-started_at", "-pk")
    )


def quiz_history(*, user, page_number=None) -> QuizHistory:
    """One page of past quizzes and the bars of their scores, oldest on the left:
    a fixed number of queries however many quizzes there are."""
    quizzes = quizzes_with_scores(user=user).prefetch_related("topics")
    page = Paginator(quizzes, HISTORY_PER_PAGE).get_page(page_number)
    page.object_list = list(page.object_list)
    for quiz in page.object_list:
        quiz.score = quiz.right / quiz.total if quiz.total else 0.0
    finished = [quiz for quiz in reversed(page.object_list) if quiz.finished_at and quiz.total]
    bars = []
    if finished:
        inner_width = CHART_WIDTH - 2 * CHART_PAD
        inner_height = CHART_HEIGHT - 2 * CHART_PAD
        slot = inner_width / len(finished)
        width = min(slot * 0.7, CHART_MAX_BAR)
        for index, quiz in enumerate(finished):
            height = max(quiz.score * inner_height, 1)  # a 0% quiz still shows a sliver
            bars.append(
                ChartBar(
                    x=round(CHART_PAD + index * slot + (slot - width) / 2, 1),
                    y=round(CHART_HEIGHT - CHART_PAD - height, 1),
                    width=round(width, 1),
                    height=round(height, 1),
                    quiz=quiz,
                )
            )
    return QuizHistory(page=page, bars=bars)
