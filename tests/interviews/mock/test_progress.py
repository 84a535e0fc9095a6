"""A question's history page: every attempt with its date, score and coverage, a
chart of the score over time with its table, and what changed from the attempt
before each one; in the same number of queries for 2 attempts or 40."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_mock_attempt
from tests.interviews.mock.test_mock_services import FOUR_POINTS, make_question

pytestmark = pytest.mark.django_db


def attempt(user, question, *, days_ago: int, covered, text: str, scored: bool = True):
    when = timezone.now() - timedelta(days=days_ago)
    return make_mock_attempt(
        user, question, at=when, text=text, covered=covered if scored else None
    )


def history(client, question) -> str:
    response = client.get(reverse("mock:question_history", args=[question.pk]))
    assert response.status_code == 200
    return response.content.decode()


def cards_of(page: str) -> list[str]:
    """The attempts' cards on the page, newest first."""
    return page.split('data-testid="history-answer"')[1:]


def test_each_attempt_shows_what_changed_since_the_one_before(client_in, user):
    question = make_question(key_points=FOUR_POINTS)
    attempt(user, question, days_ago=3, covered=[0, 1], text="one two three four")
    attempt(user, question, days_ago=2, covered=[1, 2, 3], text="one two three four five six")
    attempt(user, question, days_ago=1, covered=[1], text="one", scored=False)

    cards = cards_of(history(client_in, question))

    newest, middle, oldest = cards
    assert "not scored" in newest and "1 word" in newest
    assert "-5 words" in newest and "key points not compared: this one was not scored" in newest
    assert "3 of 4 key points" in middle and "6 words" in middle
    assert "score +25 points, +2 words." in middle
    assert "Newly covered: Mentions failure; Measures it" in middle
    assert "Dropped: Names the trade-off" in middle
    assert "50%" in oldest and "2 of 4 key points" in oldest
    assert 'data-testid="history-diff"' not in oldest  # nothing before the first


def test_a_drop_reads_as_a_drop_with_its_noun_agreeing(client_in, user):
    question = make_question(key_points=FOUR_POINTS)
    attempt(user, question, days_ago=2, covered=[0, 1], text="one two")
    attempt(user, question, days_ago=1, covered=[0], text="one")

    newest, _older = cards_of(history(client_in, question))

    assert "score -25 points, -1 word." in newest


def test_the_chart_draws_the_scores_with_a_table_for_screen_readers(client_in, user):
    question = make_question(key_points=FOUR_POINTS)
    for days_ago, covered in [(3, [0]), (2, [0, 1, 2]), (1, [0, 1])]:
        attempt(user, question, days_ago=days_ago, covered=covered, text="answer")

    page = history(client_in, question)

    assert 'data-testid="score-chart"' in page
    assert page.count('class="mock-spark-dot"') == 3
    polyline = page.split('<polyline class="mock-spark-line" points="')[1].split('"')[0]
    ys = [float(point.split(",")[1]) for point in polyline.split()]
    assert ys[1] < ys[2] < ys[0]  # 75% highest, then 50%, then 25%
    table = page.split('data-testid="score-table"')[1].split("</table>")[0]
    assert (
        table.index("<td>25%</td><td>1 of 4</td>")
        < table.index("<td>75%</td><td>3 of 4</td>")
        < table.index("<td>50%</td><td>2 of 4</td>")
    )
    assert "Latest 50% · best 75% · 3 scored answers" in page


def test_no_attempt_no_chart(client_in, user):
    question = make_question(key_points=FOUR_POINTS)
    page = history(client_in, question)
    assert "You have not answered this question in a mock interview yet." in page
    assert "score-chart" not in page


def test_the_page_takes_the_same_queries_for_many_attempts(client_in, user, other_user):
    question = make_question(key_points=FOUR_POINTS)
    for days_ago in (2, 1):
        attempt(user, question, days_ago=days_ago, covered=[0], text="short")
    attempt(other_user, question, days_ago=1, covered=[0, 1, 2, 3], text="not hers")
    url = reverse("mock:question_history", args=[question.pk])
    client_in.get(url)  # the session and the like, loaded once

    with CaptureQueriesContext(connection) as few:
        client_in.get(url)
    for n in range(40):
        attempt(user, question, days_ago=100 + n, covered=range(n % 5), text="word " * n)
    with CaptureQueriesContext(connection) as many:
        page = client_in.get(url).content.decode()

    assert len(cards_of(page)) == 42
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
