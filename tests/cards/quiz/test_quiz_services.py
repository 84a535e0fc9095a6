"""Drawing a quiz's cards, marking them once, and the numbers of its result."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cards import services
from cards.models import Card, Progress, Prompt, Quiz, QuizItem, Rating, ReviewLog, State
from cards.quiz import services as quiz_services
from cards.study import services as study_services
from tests.factories import make_card, make_topic, make_user

pytestmark = pytest.mark.django_db


def start(user, *topics, size=10, mode=Quiz.Mode.RANDOM, count_as_reviews=False) -> Quiz:
    return quiz_services.start_quiz(
        user=user,
        topics=list(topics),
        size=size,
        mode=mode,
        count_as_reviews=count_as_reviews,
    )


def studied(user, prompt, *, stability: float, lapses: int = 0) -> Progress:
    now = timezone.now()
    return Progress.objects.create(
        user=user,
        prompt=prompt,
        card_id=prompt.card_id,
        state=State.REVIEW,
        stability=stability,
        difficulty=5.0,
        due=now + timedelta(days=1),
        last_review=now - timedelta(days=1),
        reps=3,
        lapses=lapses,
    )


def mark(quiz, item, correct, **extra):
    return quiz_services.mark_item(
        user=quiz.user, quiz=quiz, item_id=item.pk, correct=correct, now=timezone.now(), **extra
    )


# Drawing ------------------------------------------------------------------------------


def test_a_quiz_gets_its_items_in_positions_1_to_n(user, topic):
    cards = [make_card(topic, user) for _ in range(5)]
    quiz = start(user, topic, size=3)
    items = list(quiz.items.order_by("position"))
    assert [item.position for item in items] == [1, 2, 3]
    assert quiz.size == 3
    assert len({item.prompt_id for item in items}) == 3
    assert {item.card_id for item in items} <= {card.pk for card in cards}
    assert all(item.card_id == item.prompt.card_id for item in items)
    assert list(quiz.topics.all()) == [topic]
    assert (quiz.finished_at, quiz.count_as_reviews, quiz.mode) == (None, False, "random")


def test_random_draws_only_the_persons_visible_unsuspended_cards(user, other_user):
    shared = make_topic(name="Shared")
    starter = make_card(shared, front="Starter card")
    mine = make_card(shared, user, front="My card")
    make_card(shared, user, front="Suspended", suspended=True)
    make_card(shared, other_user, front="Mallory's own card")
    for _ in range(5):  # random order, same set every time
        quiz = start(user, shared, size=10)
        assert set(quiz.items.values_list("card_id", flat=True)) == {starter.pk, mine.pk}
        quiz.delete()


def test_unseen_leaves_out_every_prompt_already_studied(user, topic):
    seen = [make_card(topic, user) for _ in range(3)]
    unseen = [make_card(topic, user) for _ in range(2)]
    for card in seen:
        studied(user, card.prompts.get(), stability=2.0)
    # Someone else's progress on the same prompts does not count as mine.
    someone = make_user()
    studied(someone, unseen[0].prompts.get(), stability=2.0)
    quiz = start(user, topic, size=10, mode=Quiz.Mode.UNSEEN)
    assert set(quiz.items.values_list("card_id", flat=True)) == {card.pk for card in unseen}


def test_unseen_when_everything_was_studied_says_so(user, topic):
    card = make_card(topic, user)
    studied(user, card.prompts.get(), stability=2.0)
    with pytest.raises(quiz_services.QuizRejected, match="studied every card"):
        start(user, topic, mode=Quiz.Mode.UNSEEN)
    assert not Quiz.objects.exists()


def test_weakest_first_orders_by_stability_then_lapses_then_never_seen(user, topic):
    cards = {name: make_card(topic, user, front=name) for name in "ABCDE"}
    studied(user, cards["A"].prompts.get(), stability=30.0)
    studied(user, cards["B"].prompts.get(), stability=0.5)
    studied(user, cards["C"].prompts.get(), stability=4.0, lapses=1)
    studied(user, cards["D"].prompts.get(), stability=4.0, lapses=3)
    # E was never studied: it comes after all of them. Another person's weaker
    # memory of A changes nothing.
    studied(make_user(), cards["A"].prompts.get(), stability=0.1)
    quiz = start(user, topic, size=5, mode=Quiz.Mode.WEAKEST)
    order = list(quiz.items.order_by("position").values_list("card__front", flat=True))
    assert order == ["B", "D", "C", "A", "E"]
    smaller = start(user, topic, size=2, mode=Quiz.Mode.WEAKEST)
    assert list(smaller.items.values_list("card__front", flat=True)) == ["B", "D"]


def test_weakest_first_draws_only_studiable_cards_of_the_quiz_topics(user, topic):
    """The weakest are read from the person's progress, which follows its card:
    a suspended card, or one moved out of the quiz's topics, is not drawn; one
    moved into them is, and a starter card the person studied counts too."""
    elsewhere = make_topic(owner=user, name="Elsewhere")
    library = make_topic(name="Starter topic")
    kept = make_card(topic, user, front="kept")
    suspended = make_card(topic, user, front="suspended")
    moved_out = make_card(topic, user, front="moved out")
    moved_in = make_card(elsewhere, user, front="moved in")
    starter = make_card(library, front="starter")
    for n, card in enumerate([kept, suspended, moved_out, moved_in, starter]):
        studied(user, card.prompts.get(), stability=1.0 + n)
    suspended.suspended = True
    services.save_card(card=suspended)
    moved_out.topic = elsewhere
    services.save_card(card=moved_out)
    moved_in.topic = topic
    services.save_card(card=moved_in)
    never = make_card(topic, user, front="never studied")
    quiz = start(user, topic, library, size=10, mode=Quiz.Mode.WEAKEST)
    order = list(quiz.items.order_by("position").values_list("card__front", flat=True))
    assert order == ["kept", "moved in", "starter", never.front]


def test_fewer_cards_than_asked_makes_a_smaller_quiz(user, topic):
    make_card(topic, user)
    reversed_card = make_card(topic, user, kind=Card.Kind.REVERSED, front="TCP", back="Protocol")
    quiz = start(user, topic, size=10)
    assert quiz.size == 3  # a reversed card asks two prompts
    assert quiz.items.filter(card=reversed_card).count() == 2


@pytest.mark.parametrize("size", [0, -1, Quiz.MAX_SIZE + 1, 10_000])
def test_a_size_outside_1_to_max_is_refused(user, topic, size):
    make_card(topic, user)
    with pytest.raises(quiz_services.QuizRejected, match="between 1 and 100"):
        start(user, topic, size=size)
    assert not Quiz.objects.exists()


def test_no_topics_a_foreign_topic_or_topics_without_cards_are_refused(user, other_user):
    foreign = make_topic(owner=other_user)
    make_card(foreign, other_user)
    empty = make_topic(owner=user)
    only_suspended = make_topic(owner=user)
    make_card(only_suspended, user, suspended=True)
    with pytest.raises(quiz_services.QuizRejected, match="at least one"):
        start(user)
    with pytest.raises(quiz_services.QuizRejected, match="at least one"):
        start(user, empty, foreign)
    with pytest.raises(quiz_services.QuizRejected, match="no cards"):
        start(user, empty, only_suspended)
    assert not Quiz.objects.exists()
    assert not QuizItem.objects.exists()


# Marking -----------------------------------------------------------------------------


def test_marking_records_the_answer_once(user, topic):
    make_card(topic, user)
    quiz = start(user, topic)
    item = quiz.items.get()
    marked = mark(quiz, item, True, typed_answer="  my answer")
    assert marked.correct is True
    item.refresh_from_db()
    assert (item.correct, item.typed_answer) == (True, "  my answer")
    first_answered = item.answered_at
    with pytest.raises(quiz_services.AlreadyMarked, match="already marked"):
        mark(quiz, item, False, typed_answer="changed my mind")
    item.refresh_from_db()
    assert (item.correct, item.typed_answer, item.answered_at) == (
        True,
        "  my answer",
        first_answered,
    )


def test_the_last_mark_finishes_the_quiz(user, topic):
    make_card(topic, user), make_card(topic, user)
    quiz = start(user, topic)
    first, second = quiz.items.order_by("position")
    mark(quiz, first, True)
    quiz.refresh_from_db()
    assert quiz.finished_at is None
    assert quiz_services.current_item(quiz=quiz) == second
    mark(quiz, second, False)
    quiz.refresh_from_db()
    assert quiz.finished_at is not None
    assert quiz_services.current_item(quiz=quiz) is None


def test_an_item_of_another_quiz_or_another_persons_quiz_is_refused(user, topic, other_user):
    make_card(topic, user)
    quiz, other_quiz = start(user, topic), start(user, topic)
    with pytest.raises(quiz_services.ItemNotInQuiz):
        mark(quiz, other_quiz.items.get(), True)
    foreign_topic = make_topic(owner=other_user)
    make_card(foreign_topic, other_user)
    foreign = start(other_user, foreign_topic)
    with pytest.raises(quiz_services.ItemNotInQuiz):
        quiz_services.mark_item(
            user=user,
            quiz=foreign,
            item_id=foreign.items.get().pk,
            correct=True,
            now=timezone.now(),
        )
    assert not QuizItem.objects.filter(correct__isnull=False).exists()


def test_without_the_tick_the_schedule_is_not_touched(user, topic):
    seen, new = make_card(topic, user), make_card(topic, user)
    progress = studied(user, seen.prompts.get(), stability=3.0)
    before = Progress.objects.values().get(pk=progress.pk)
    quiz = start(user, topic, count_as_reviews=False)
    for item in quiz.items.all():
        mark(quiz, item, item.card_id == seen.pk)
    assert Progress.objects.values().get(pk=progress.pk) == before
    assert not Progress.objects.filter(card=new).exists()
    assert not ReviewLog.objects.exists()


def test_with_the_tick_right_is_good_and_wrong_is_again(user, topic):
    seen, new = make_card(topic, user), make_card(topic, user)
    progress = studied(user, seen.prompts.get(), stability=3.0)
    quiz = start(user, topic, count_as_reviews=True)
    for item in quiz.items.all():
        mark(quiz, item, item.card_id == new.pk, duration_ms=4200)
    logs = {log.card_id: log for log in ReviewLog.objects.filter(user=user)}
    assert logs[new.pk].rating == Rating.GOOD
    assert logs[new.pk].review_number == 1
    assert logs[seen.pk].rating == Rating.AGAIN
    assert logs[seen.pk].review_number == progress.reps + 1
    assert all(log.session_id is None and log.duration_ms == 4200 for log in logs.values())
    assert Progress.objects.get(user=user, card=new).reps == 1
    after = Progress.objects.get(pk=progress.pk)
    assert (after.reps, after.lapses, after.state) == (4, 1, State.RELEARNING)


def test_a_grade_refused_as_already_given_still_records_the_mark(user, topic, monkeypatch):
    card = make_card(topic, user)
    quiz = start(user, topic, count_as_reviews=True)
    real_grade = study_services.grade_prompt

    def graded_in_another_tab_first(**kwargs):
        # Another tab grades the prompt between the quiz reading its reps and grading it.
        real_grade(**{**kwargs, "rating": Rating.EASY})
        return real_grade(**kwargs)

    monkeypatch.setattr(quiz_services, "grade_prompt", graded_in_another_tab_first)
    mark(quiz, quiz.items.get(), False)
    assert quiz.items.get().correct is False
    assert list(ReviewLog.objects.values_list("rating", flat=True)) == [Rating.EASY]
    assert Progress.objects.get(card=card).reps == 1


# The result -------------------------------------------------------------------------


def test_result_counts_score_and_accuracy_per_topic(user):
    """Hand-computed: Arrays 2 of 3 right, Graphs 1 of 2: 3 of 5, 60%."""
    arrays = make_topic(owner=user, name="Arrays")
    graphs = make_topic(owner=user, name="Graphs")
    fronts = {make_card(arrays, user, front=f"Arrays {n}").pk: n for n in range(3)}
    fronts |= {make_card(graphs, user, front=f"Graphs {n}").pk: 10 + n for n in range(2)}
    right = {0: True, 1: True, 2: False, 10: False, 11: True}
    quiz = start(user, arrays, graphs)
    for item in quiz.items.all():
        mark(quiz, item, right[fronts[item.card_id]])
    quiz.refresh_from_db()
    result = quiz_services.quiz_result(quiz=quiz)
    assert (result.right, result.total, result.wrong) == (3, 5, 2)
    assert result.score == pytest.approx(0.6)
    assert [(t.name, t.right, t.total) for t in result.by_topic] == [
        ("Arrays", 2, 3),
        ("Graphs", 1, 2),
    ]
    assert [t.accuracy for t in result.by_topic] == [pytest.approx(2 / 3), 0.5]
    assert sorted(item.prompt.card.front for item in result.missed) == ["Arrays 2", "Graphs 0"]
    assert result.time_taken == quiz.finished_at - quiz.started_at


def test_history_scores_and_chart_bars(user, topic):
    for _ in range(3):
        make_card(topic, user)
    scores = []
    for rights in (1, 3, 0):
        quiz = start(user, topic, size=3)
        for index, item in enumerate(quiz.items.order_by("position")):
            mark(quiz, item, index < rights)
        scores.append(rights / 3)
    unfinished = start(user, topic, size=3)
    mark(unfinished, unfinished.items.first(), True)

    history = quiz_services.quiz_history(user=user)
    quizzes = history.page.object_list
    assert [q.pk for q in quizzes][0] == unfinished.pk  # newest first
    assert [(q.right, q.marked, q.total) for q in quizzes] == [
        (1, 1, 3),
        (0, 3, 3),
        (3, 3, 3),
        (1, 3, 3),
    ]
    # Bars: the finished quizzes only, oldest on the left, height by score.
    assert [bar.quiz.score for bar in history.bars] == pytest.approx(scores)
    xs = [bar.x for bar in history.bars]
    assert xs == sorted(xs)
    full_height = history.height - 2 * history.pad
    assert history.bars[1].height == pytest.approx(full_height, abs=0.1)
    assert history.bars[1].y == pytest.approx(history.pad, abs=0.1)
    assert history.bars[2].height == 1  # 0% still shows as a sliver
    assert all(bar.y + bar.height == pytest.approx(history.baseline) for bar in history.bars)


# Racing submissions ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_racing_marks_of_the_same_item_record_one_mark_and_one_grade():
    racers = 4
    user = make_user()
    topic = make_topic(owner=user)
    make_card(topic, user)
    quiz = start(user, topic, count_as_reviews=True)
    item = quiz.items.get()
    barrier = threading.Barrier(racers)

    def attempt(correct: bool) -> str:
        try:
            barrier.wait(timeout=10)
            quiz_services.mark_item(
                user=user, quiz=quiz, item_id=item.pk, correct=correct, now=timezone.now()
            )
            return "recorded"
        except quiz_services.AlreadyMarked:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(racers) as pool:
        results = sorted(pool.map(attempt, [True, False, True, False]))
    assert results == ["recorded"] + ["refused"] * (racers - 1)
    item.refresh_from_db()
    assert item.correct is not None
    assert ReviewLog.objects.filter(user=user).count() == 1
    assert Progress.objects.get(user=user).reps == 1
    assert Quiz.objects.get(pk=quiz.pk).finished_at is not None
    assert Prompt.objects.count() == 1
