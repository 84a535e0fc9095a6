"""The quiz pages through the test client: starting one, taking it (plain POST and
htmx), the result, the history, refusals, and bounded query counts."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cards.models import Card, Progress, Quiz, QuizItem, Rating, ReviewLog, State
from cards.quiz import services as quiz_services
from tests.factories import make_card, make_collection, make_topic

pytestmark = pytest.mark.django_db

START_URL = reverse("cards:quiz_start")


def start(user, *topics, size=10, mode=Quiz.Mode.RANDOM, count_as_reviews=False) -> Quiz:
    return quiz_services.start_quiz(
        user=user, topics=list(topics), size=size, mode=mode, count_as_reviews=count_as_reviews
    )


def answer_url(quiz) -> str:
    return reverse("cards:quiz_answer", args=[quiz.pk])


def result_url(quiz) -> str:
    return reverse("cards:quiz_result", args=[quiz.pk])


def answer(client, quiz, item, result="right", typed="", **extra):
    return client.post(
        answer_url(quiz),
        {"item": item.pk, "result": result, "typed_answer": typed, "shown_at": ""},
        **extra,
    )


def body(response) -> str:
    return response.content.decode()


# Starting ------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_log_in(client, user):
    response = client.get(START_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_start_page_lists_own_and_starter_topics_with_the_form(client_in, user, topic, other_user):
    make_card(topic, user)
    starter = make_topic(name="System design")
    foreign = make_topic(owner=other_user, name="Mallory's secrets")
    response = client_in.get(START_URL)
    assert response.status_code == 200
    page = body(response)
    assert f"{topic.name} (1 card)" in page and f"{starter.name} (0 cards)" in page
    assert foreign.name not in page
    assert f'method="post" action="{START_URL}"' in page
    assert 'name="size"' in page and 'value="10"' in page
    for mode in Quiz.Mode.values:
        if mode != Quiz.Mode.CRAM:
            assert f'value="{mode}"' in page
    # A cram is started from an interview's page, not from this form.
    assert 'value="cram"' not in page
    assert 'name="count_as_reviews"' in page
    assert "No quiz taken yet" in page


def test_the_nav_links_to_the_quiz(client_in):
    page = body(client_in.get(reverse("home")))
    assert f'href="{START_URL}">Quiz</a>' in page


def test_a_topic_in_the_query_string_is_ticked(client_in, topic):
    page = body(client_in.get(START_URL, {"topic": topic.pk}))
    checkbox = re.search(rf'<input[^>]*value="{topic.pk}"[^>]*>', page).group(0)
    assert "checked" in checkbox


def test_topic_labels_count_the_cards_a_quiz_could_draw(client_in, user, topic, other_user):
    """Own and starter cards count, suspended and other people's do not, and the
    labels keep their counts when a refused form is shown again."""
    starter = make_topic(name="System design")
    make_card(topic, user)
    make_card(topic, user, suspended=True)
    make_card(starter)  # the starter library's
    make_card(starter, user)  # the person's own, in a starter topic
    make_card(starter, other_user)
    make_card(starter, suspended=True)
    expected = [f"{topic.name} (1 card)", f"{starter.name} (2 cards)"]
    page = body(client_in.get(START_URL))
    assert all(label in page for label in expected), page
    refused = client_in.post(START_URL, {"topics": [topic.pk], "size": 0, "mode": "random"})
    assert refused.status_code == 200 and not Quiz.objects.exists()
    assert all(label in body(refused) for label in expected)


@pytest.mark.parametrize("size", ["0", "10000", "abc", "", "-3", "101", "2.5"])
def test_a_bad_size_is_a_form_error_and_creates_nothing(client_in, user, topic, size):
    make_card(topic, user)
    response = client_in.post(START_URL, {"topics": [topic.pk], "size": size, "mode": "random"})
    assert response.status_code == 200
    assert "A quiz has between 1 and 100 cards." in body(response)
    assert not Quiz.objects.exists()
    assert not QuizItem.objects.exists()


def test_no_topic_is_a_form_error(client_in, user, topic):
    make_card(topic, user)
    response = client_in.post(START_URL, {"size": 5, "mode": "random"})
    assert "Choose at least one topic for the quiz." in body(response)
    assert not Quiz.objects.exists()


def test_a_foreign_topic_is_a_form_error(client_in, other_user, topic):
    foreign = make_topic(owner=other_user)
    make_card(foreign, other_user)
    response = client_in.post(START_URL, {"topics": [foreign.pk], "size": 5, "mode": "random"})
    assert response.status_code == 200
    assert "Choose topics from the list." in body(response)
    assert not Quiz.objects.exists()


def test_an_unknown_mode_is_a_form_error(client_in, user, topic):
    make_card(topic, user)
    response = client_in.post(START_URL, {"topics": [topic.pk], "size": 5, "mode": "hardest"})
    assert "Select a valid choice" in body(response)
    assert not Quiz.objects.exists()


def test_topics_without_cards_say_so_and_create_nothing(client_in, user, topic):
    make_card(topic, user, suspended=True)
    empty = make_topic(owner=user, name="Empty")
    response = client_in.post(
        START_URL, {"topics": [topic.pk, empty.pk], "size": 5, "mode": "random"}
    )
    assert response.status_code == 200
    assert "Those topics have no cards to quiz you on" in body(response)
    assert not Quiz.objects.exists()


def test_starting_draws_the_cards_and_redirects_to_the_first(client_in, user, topic):
    for _ in range(4):
        make_card(topic, user)
    response = client_in.post(
        START_URL,
        {"topics": [topic.pk], "size": 3, "mode": "weakest", "count_as_reviews": "on"},
    )
    quiz = Quiz.objects.get(user=user)
    assert response.status_code == 302
    assert response.url == quiz.get_absolute_url()
    assert (quiz.size, quiz.mode, quiz.count_as_reviews) == (3, "weakest", True)
    assert sorted(quiz.items.values_list("position", flat=True)) == [1, 2, 3]


def test_fewer_cards_than_asked_says_how_many(client_in, user, topic):
    make_card(topic, user), make_card(topic, user)
    response = client_in.post(
        START_URL, {"topics": [topic.pk], "size": 10, "mode": "random"}, follow=True
    )
    assert "Only 2 cards could be drawn from those topics, so this quiz has 2." in body(response)
    assert Quiz.objects.get().items.count() == 2


def test_never_seen_when_all_are_studied_says_so(client_in, user, topic):
    card = make_card(topic, user)
    quiz = start(user, topic, count_as_reviews=True)
    quiz_services.mark_item(
        user=user, quiz=quiz, item_id=quiz.items.get().pk, correct=True, now=timezone.now()
    )
    assert Progress.objects.filter(card=card).exists()
    response = client_in.post(START_URL, {"topics": [topic.pk], "size": 5, "mode": "unseen"})
    assert "You have studied every card in those topics already" in body(response)
    assert Quiz.objects.count() == 1


# Taking it -------------------------------------------------------------------------------


def test_the_item_page_full_and_as_fragment(client_in, user, topic, htmx_headers):
    make_card(topic, user, front="What is a **B-tree**?", back="A balanced tree")
    make_card(topic, user, front="Second")
    quiz = start(user, topic, size=2)
    first = quiz.items.get(position=1)
    full = client_in.get(quiz.get_absolute_url())
    assert full.status_code == 200
    page = body(full)
    assert "<html" in page and 'id="quiz-item"' in page
    assert "js/quiz.js" in page
    assert first.prompt.question_html() in page
    assert first.prompt.answer_html() in page  # inside the closed <details>
    assert f'name="item" value="{first.pk}"' in page
    assert f'action="{answer_url(quiz)}"' in page and f'hx-post="{answer_url(quiz)}"' in page
    assert 'name="typed_answer"' in page
    assert 'data-testid="quiz-position">1<' in page
    fragment = client_in.get(quiz.get_absolute_url(), **htmx_headers)
    assert fragment.status_code == 200
    assert "<html" not in body(fragment)
    assert body(fragment).lstrip().startswith('<section id="quiz-item"')
    assert f'name="item" value="{first.pk}"' in body(fragment)


def test_marking_without_javascript_redirects_to_the_next_card(client_in, user, topic):
    make_card(topic, user), make_card(topic, user)
    quiz = start(user, topic)
    first, second = quiz.items.order_by("position")
    response = answer(client_in, quiz, first, "wrong", typed="O(n log n)")
    assert response.status_code == 302
    assert response.url == quiz.get_absolute_url()
    first.refresh_from_db()
    assert (first.correct, first.typed_answer) == (False, "O(n log n)")
    assert first.answered_at is not None
    page = body(client_in.get(response.url))
    assert f'name="item" value="{second.pk}"' in page
    assert 'data-testid="quiz-position">2<' in page


def test_marking_with_htmx_returns_the_next_card(client_in, user, topic, htmx_headers):
    make_card(topic, user), make_card(topic, user)
    quiz = start(user, topic)
    first, second = quiz.items.order_by("position")
    response = answer(client_in, quiz, first, "right", typed="kept", **htmx_headers)
    assert response.status_code == 200
    fragment = body(response)
    assert "<html" not in fragment
    assert f'name="item" value="{second.pk}"' in fragment
    assert 'data-testid="quiz-right-so-far">1<' in fragment
    first.refresh_from_db()
    assert (first.correct, first.typed_answer) == (True, "kept")


def test_a_typed_answer_is_kept_up_to_the_textareas_limit(client_in, user, topic):
    make_card(topic, user), make_card(topic, user)
    quiz = start(user, topic)
    first, second = quiz.items.order_by("position")
    # 5,000 characters as the browser counts them, line breaks sent as CRLF.
    typed = "\r\n".join(["x" * 99] * 50)
    assert answer(client_in, quiz, first, typed=typed).status_code == 302
    first.refresh_from_db()
    assert first.typed_answer == typed.replace("\r\n", "\n")
    assert len(first.typed_answer) == 4999
    answer(client_in, quiz, second, typed="x" * 5001)
    second.refresh_from_db()
    assert second.correct is None


def test_the_last_mark_goes_to_the_result(client_in, user, topic, htmx_headers):
    make_card(topic, user), make_card(topic, user)
    quiz = start(user, topic)
    first, second = quiz.items.order_by("position")
    plain = answer(client_in, quiz, first)
    assert plain.url == quiz.get_absolute_url()
    response = answer(client_in, quiz, second, **htmx_headers)
    assert response.status_code == 200
    assert response["HX-Redirect"] == result_url(quiz)
    quiz.refresh_from_db()
    assert quiz.finished_at is not None
    # The quiz page of a finished quiz is its result.
    assert client_in.get(quiz.get_absolute_url()).url == result_url(quiz)
    hx = client_in.get(quiz.get_absolute_url(), **htmx_headers)
    assert hx["HX-Redirect"] == result_url(quiz)


def test_without_javascript_the_last_mark_redirects_to_the_result(client_in, user, topic):
    make_card(topic, user)
    quiz = start(user, topic)
    response = answer(client_in, quiz, quiz.items.get())
    assert response.status_code == 302
    assert response.url == result_url(quiz)


def test_a_second_submission_of_the_same_mark_is_recorded_once(
    client_in, user, topic, htmx_headers
):
    make_card(topic, user), make_card(topic, user)
    quiz = start(user, topic, count_as_reviews=True)
    first, second = quiz.items.order_by("position")
    answer(client_in, quiz, first, "right", typed="first try", **htmx_headers)
    again = answer(client_in, quiz, first, "wrong", typed="second try", **htmx_headers)
    assert again.status_code == 200
    assert again["HX-Trigger"] == "quiz-refused"
    assert "already marked; the mark was not counted twice" in body(again)
    assert f'name="item" value="{second.pk}"' in body(again)  # still on the next card
    plain = answer(client_in, quiz, first, "wrong")
    assert plain.status_code == 302
    assert "already marked" in body(client_in.get(plain.url))
    first.refresh_from_db()
    assert (first.correct, first.typed_answer) == (True, "first try")
    assert ReviewLog.objects.filter(user=user).count() == 1
    assert Progress.objects.get(user=user, prompt=first.prompt).reps == 1


def test_a_repeat_of_the_last_mark_lands_on_the_result(client_in, user, topic, htmx_headers):
    make_card(topic, user)
    quiz = start(user, topic)
    item = quiz.items.get()
    answer(client_in, quiz, item, **htmx_headers)
    again = answer(client_in, quiz, item, "wrong", **htmx_headers)
    assert again["HX-Redirect"] == result_url(quiz)
    assert "already marked" in body(client_in.get(result_url(quiz)))
    assert QuizItem.objects.get().correct is True


def test_an_item_not_in_the_quiz_is_a_404_and_changes_nothing(client_in, user, topic, htmx_headers):
    make_card(topic, user)
    quiz, other = start(user, topic), start(user, topic)
    elsewhere = other.items.get()
    response = answer(client_in, quiz, elsewhere)
    assert response.status_code == 404
    assert "That card is not part of this quiz." in body(response)
    response = answer(client_in, quiz, elsewhere, **htmx_headers)
    assert response.status_code == 404  # quiz.js swaps this fragment in
    assert "<html" not in body(response)
    assert "That card is not part of this quiz." in body(response)
    assert client_in.post(answer_url(quiz), {"item": 999_999, "result": "right"}).status_code == 404
    assert not QuizItem.objects.filter(correct__isnull=False).exists()


@pytest.mark.parametrize(
    "data",
    [{"result": "right"}, {"item": "x", "result": "right"}, {"item": 1, "result": "maybe"}],
)
def test_a_malformed_mark_is_refused(client_in, user, topic, htmx_headers, data):
    make_card(topic, user)
    quiz = start(user, topic)
    data = {**data, "item": quiz.items.get().pk} if data.get("item") == 1 else data
    plain = client_in.post(answer_url(quiz), data)
    assert plain.status_code == 302
    assert "That mark was not recorded" in body(client_in.get(plain.url))
    hx = client_in.post(answer_url(quiz), data, **htmx_headers)
    assert hx.status_code == 400
    assert "That mark was not recorded" in body(hx)
    assert not QuizItem.objects.filter(correct__isnull=False).exists()


def test_another_persons_quiz_is_a_404_on_every_quiz_url(client_in, other_user, htmx_headers):
    foreign_topic = make_topic(owner=other_user)
    make_card(foreign_topic, other_user)
    foreign = start(other_user, foreign_topic)
    item = foreign.items.get()
    assert client_in.get(foreign.get_absolute_url()).status_code == 404
    assert client_in.get(foreign.get_absolute_url(), **htmx_headers).status_code == 404
    assert client_in.get(result_url(foreign)).status_code == 404
    assert answer(client_in, foreign, item).status_code == 404
    assert answer(client_in, foreign, item, **htmx_headers).status_code == 404
    item.refresh_from_db()
    assert item.correct is None
    assert foreign.get_absolute_url() not in body(client_in.get(START_URL))


def test_quiz_urls_accept_only_their_methods(client_in, user, topic):
    make_card(topic, user)
    quiz = start(user, topic)
    assert client_in.get(answer_url(quiz)).status_code == 405
    assert client_in.post(quiz.get_absolute_url()).status_code == 405
    assert client_in.post(result_url(quiz)).status_code == 405
    assert client_in.put(START_URL).status_code == 405


# The study schedule -----------------------------------------------------------------------


def test_without_the_tick_no_progress_or_review_is_touched(client_in, user, topic):
    seen, new = make_card(topic, user), make_card(topic, user)
    now = timezone.now()
    progress = Progress.objects.create(
        user=user,
        prompt=seen.prompts.get(),
        card=seen,
        state=State.REVIEW,
        stability=3.0,
        difficulty=5.0,
        due=now + timedelta(days=2),
        last_review=now - timedelta(days=1),
        reps=2,
    )
    before = Progress.objects.values().get(pk=progress.pk)
    quiz = start(user, topic, count_as_reviews=False)
    for item, result in zip(quiz.items.order_by("position"), ["wrong", "right"], strict=True):
        answer(client_in, quiz, item, result)
    quiz.refresh_from_db()
    assert quiz.finished_at is not None
    assert Progress.objects.values().get(pk=progress.pk) == before
    assert Progress.objects.count() == 1
    assert not Progress.objects.filter(card=new).exists()
    assert not ReviewLog.objects.exists()


def test_with_the_tick_marks_are_graded_in_the_schedule(client_in, user, topic):
    right_card, wrong_card = make_card(topic, user), make_card(topic, user)
    response = client_in.post(
        START_URL,
        {"topics": [topic.pk], "size": 2, "mode": "random", "count_as_reviews": "on"},
    )
    quiz = Quiz.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[1])
    for item in quiz.items.order_by("position"):
        answer(client_in, quiz, item, "right" if item.card_id == right_card.pk else "wrong")
    ratings = dict(ReviewLog.objects.values_list("card_id", "rating"))
    assert ratings == {right_card.pk: Rating.GOOD, wrong_card.pk: Rating.AGAIN}
    assert set(ReviewLog.objects.values_list("session", flat=True)) == {None}
    assert Progress.objects.filter(user=user).count() == 2


# The result ------------------------------------------------------------------------------


def hand_computed_quiz(user):
    """Arrays: 2 of 3 right (67%); Graphs: 1 of 2 (50%); in all 3 of 5, 60%."""
    arrays = make_topic(owner=user, name="Arrays")
    graphs = make_topic(owner=user, name="Graphs")
    for n in range(3):
        make_card(arrays, user, front=f"Arrays question {n}", back=f"Arrays answer {n}")
    for n in range(2):
        make_card(graphs, user, front=f"Graphs question {n}", back=f"Graphs answer {n}")
    missed = {"Arrays question 2", "Graphs question 0"}
    quiz = start(user, arrays, graphs)
    return quiz, missed


def test_the_result_page_shows_score_topics_and_missed_cards(client_in, user):
    quiz, missed = hand_computed_quiz(user)
    for item in quiz.items.order_by("position").select_related("card"):
        result = "wrong" if item.card.front in missed else "right"
        answer(client_in, quiz, item, result, typed=f"typed for {item.card.front}")
    response = client_in.get(result_url(quiz))
    assert response.status_code == 200
    page = body(response)
    assert 'data-testid="quiz-score">60%<' in page
    assert 'data-testid="quiz-right">3/5<' in page
    rows = re.findall(r"<tr><th scope=\"row\">(\w+)</th>(.*?)</tr>", page)
    cells = {name: re.findall(r">([^<]+)</td>", rest) for name, rest in rows}
    assert cells == {"Arrays": ["2", "3", "67%"], "Graphs": ["1", "2", "50%"]}
    missed_cards = Card.objects.filter(front__in=missed)
    assert page.count('data-testid="quiz-missed-card"') == 2
    for card in missed_cards:
        assert f'href="{card.get_absolute_url()}"' in page
        assert card.front in page
        assert f"typed for {card.front}" in page
    assert "Arrays question 0" not in page
    assert 'data-testid="quiz-time">' in page


def test_an_unfinished_quiz_has_no_result_yet(client_in, user, topic):
    make_card(topic, user)
    quiz = start(user, topic)
    response = client_in.get(result_url(quiz))
    assert response.status_code == 302
    assert response.url == quiz.get_absolute_url()


# History ----------------------------------------------------------------------------------


def finish(client, quiz, results):
    for item, result in zip(quiz.items.order_by("position"), results, strict=True):
        answer(client, quiz, item, result)


def test_history_lists_quizzes_with_scores_and_a_chart(client_in, user, topic):
    for _ in range(3):
        make_card(topic, user)
    first = start(user, topic, size=3)
    finish(client_in, first, ["right", "wrong", "wrong"])
    second = start(user, topic, size=3, mode=Quiz.Mode.WEAKEST, count_as_reviews=True)
    finish(client_in, second, ["right", "right", "wrong"])
    unfinished = start(user, topic, size=3)
    answer(client_in, unfinished, unfinished.items.get(position=1))
    page = body(client_in.get(START_URL))
    assert page.count('data-testid="quiz-history-row"') == 3
    scores = re.findall(r'data-testid="quiz-history-score"><strong>(\d+%)</strong>', page)
    assert scores == ["67%", "33%"]  # newest first
    assert "unfinished, 1 of 3 marked" in page
    assert "Weakest first · counted as reviews" in page
    assert topic.name in page
    # The chart: an image with a title, one bar per finished quiz with its own
    # title, and a description in words, oldest first.
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and '<title id="quiz-chart-title">' in svg
    assert svg.count("<rect") == 2
    assert "oldest first: 33%, 67%" in svg
    assert "The table below lists the same scores." in svg
    assert "<table" in page and "<caption" in page


def test_history_pages_full_and_as_fragment(client_in, user, topic, htmx_headers):
    now = timezone.now()
    Quiz.objects.bulk_create(
        Quiz(user=user, size=0, finished_at=now) for _ in range(quiz_services.HISTORY_PER_PAGE + 3)
    )
    full = body(client_in.get(START_URL))
    assert full.count('data-testid="quiz-history-row"') == quiz_services.HISTORY_PER_PAGE
    assert 'href="?page=2"' in full and f'hx-get="{START_URL}?page=2"' in full
    fragment = client_in.get(START_URL, {"page": 2}, **htmx_headers)
    assert fragment.status_code == 200
    text = body(fragment)
    assert "<html" not in text and "<form" not in text
    assert text.lstrip().startswith('<section id="quiz-history"')
    assert text.count('data-testid="quiz-history-row"') == 3
    assert "Page 2 of 2" in text


# Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [10, 2000])
@pytest.mark.parametrize("count_as_reviews", [False, True])
def test_quiz_pages_run_a_bounded_number_of_queries(
    client_in, user, size, count_as_reviews, django_assert_max_num_queries, htmx_headers
):
    topic = make_collection(user, size)
    client_in.get(START_URL)  # warm the session and time zone
    # Past quizzes in the history, each with a few items.
    for _ in range(3):
        past = start(user, topic, size=3)
        for item in past.items.all():
            quiz_services.mark_item(
                user=user, quiz=past, item_id=item.pk, correct=True, now=timezone.now()
            )

    # The form and history: session, user, the topics (asked whether there are
    # any, then listed), their card counts, the history's count, its page of
    # quizzes with their scores, and their topics = 8.
    with django_assert_max_num_queries(8):
        assert client_in.get(START_URL).status_code == 200
    with django_assert_max_num_queries(5):
        assert client_in.get(START_URL, {"page": 1}, **htmx_headers).status_code == 200

    # Starting: session, user, the form's topic check, savepoint, topic
    # visibility, the draw (weakest first: the studied prompts, then never
    # studied ones when too few were), quiz insert, its topics, the items,
    # release = 11.
    with django_assert_max_num_queries(11):
        response = client_in.post(
            START_URL,
            {
                "topics": [topic.pk],
                "size": 10,
                "mode": "weakest",
                "count_as_reviews": "on" if count_as_reviews else "",
            },
        )
    quiz = Quiz.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[1])
    assert quiz.size == 10

    # A card: session, user, quiz, current item, the counts so far = 5.
    with django_assert_max_num_queries(5):
        assert client_in.get(quiz.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(5):
        assert client_in.get(quiz.get_absolute_url(), **htmx_headers).status_code == 200

    # Marking: session, user, quiz, savepoint, lock, item, conditional update,
    # anything left, release, then the next card and the counts = 11. Grading
    # adds the reps read, a savepoint, progress read and write (a first grade:
    # an insert in its own savepoint), the log insert and the day's count (made
    # if missing, then counted up), and the person's scheduler settings: 20, at
    # most 22.
    items = list(quiz.items.order_by("position"))
    budget = 22 if count_as_reviews else 11
    for item in items[:-1]:
        with django_assert_max_num_queries(budget):
            response = answer(client_in, quiz, item, "right", typed="x", **htmx_headers)
        assert response.status_code == 200
    with django_assert_max_num_queries(budget):
        response = answer(client_in, quiz, items[-1], "wrong", **htmx_headers)
    assert response["HX-Redirect"] == result_url(quiz)

    # The result: session, user, quiz, per-topic counts, missed cards.
    with django_assert_max_num_queries(5):
        response = client_in.get(result_url(quiz))
    assert 'data-testid="quiz-score">90%<' in body(response)
    assert ReviewLog.objects.filter(user=user).count() == (10 if count_as_reviews else 0)
