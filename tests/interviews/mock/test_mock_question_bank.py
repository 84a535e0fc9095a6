"""The mock interview question bank through the real test client: the list and
its area filter, writing, editing and deleting one's own questions, the
starter library's and other people's read only, and a question's history."""

import pytest
from django.urls import reverse
from django.utils import timezone

from interviews.mock import services
from interviews.models import InterviewerQuestion
from tests.interviews.mock.pages import body, url
from tests.interviews.mock.test_mock_services import (
    BEHAVIORAL,
    FOUR_POINTS,
    TECH,
    answer_at,
    make_question,
    start,
    started,
)

pytestmark = pytest.mark.django_db


def test_question_list_shows_starter_and_own_questions_only(client_in, user, other_user):
    starter = make_question(text="Starter: explain indexes.")
    own = make_question(user, text="Mine: explain WAL.")
    make_question(other_user, text="Mallory's private question.")
    page = body(client_in.get(url("question_list")))
    assert starter.text in page and own.text in page
    assert "Mallory" not in page
    assert reverse("mock:question_edit", args=[own.pk]) in page
    assert reverse("mock:question_edit", args=[starter.pk]) not in page


def test_question_list_filters_by_area_as_page_and_fragment(client_in, htmx_headers):
    make_question(area=TECH, text="Tech one?")
    make_question(area=BEHAVIORAL, text="Behavioral one?")
    page = body(client_in.get(url("question_list") + "?area=behavioral"))
    assert "Behavioral one?" in page and "Tech one?" not in page
    fragment = body(client_in.get(url("question_list") + "?area=technical", **htmx_headers))
    assert "<html" not in fragment and fragment.lstrip().startswith('<div id="mock-question-list"')
    assert "Tech one?" in fragment and "Behavioral one?" not in fragment
    assert 'href="/mock/questions/?area=technical"' in fragment  # every hx-get has an href
    # an unknown area shows them all
    everything = body(client_in.get(url("question_list") + "?area=nope"))
    assert "Tech one?" in everything and "Behavioral one?" in everything


def test_creating_a_question(client_in, user):
    response = client_in.post(
        url("question_create"),
        {
            "text": "  Why Kafka over RabbitMQ?  ",
            "area": TECH,
            "key_points_text": "Ordering per partition\n\n  Replay from offsets \r\nThroughput\n",
            "star": "",
        },
    )
    assert response.status_code == 302
    question = InterviewerQuestion.objects.get(owner=user)
    assert question.text == "Why Kafka over RabbitMQ?"
    assert question.key_points == ["Ordering per partition", "Replay from offsets", "Throughput"]
    assert question.area == TECH and not question.star
    assert "Why Kafka over RabbitMQ?" in body(client_in.get(response.url))


@pytest.mark.parametrize(
    "data, message",
    [
        ({"text": "   "}, "Write the question."),
        ({"key_points_text": "\n  \n"}, "Write at least one key point"),
        (
            {"key_points_text": "\n".join(f"Point {n}" for n in range(13))},
            "at most 12 key points; you wrote 13",
        ),
        ({"key_points_text": "x" * 301}, "at most 300 characters"),
        ({"area": "astrology"}, "Select a valid choice"),
    ],
)
def test_question_form_validation(client_in, data, message):
    fields = {"text": "A question?", "area": TECH, "key_points_text": "One point", **data}
    response = client_in.post(url("question_create"), fields)
    assert response.status_code == 200
    assert message in body(response)
    assert not InterviewerQuestion.objects.exists()


def test_twelve_key_points_are_fine(client_in, user):
    points = "\n".join(f"Point {n}" for n in range(12))
    response = client_in.post(
        url("question_create"), {"text": "Q?", "area": TECH, "key_points_text": points}
    )
    assert response.status_code == 302
    assert len(InterviewerQuestion.objects.get(owner=user).key_points) == 12


def test_editing_and_deleting_own_questions(client_in, user):
    question = make_question(user, key_points=["Old point"])
    edit_url = reverse("mock:question_edit", args=[question.pk])
    page = body(client_in.get(edit_url))
    assert "Old point</textarea>" in page
    response = client_in.post(
        edit_url,
        {"text": "Edited?", "area": BEHAVIORAL, "key_points_text": "New\nNewer", "star": "on"},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.text, question.area, question.key_points, question.star) == (
        "Edited?",
        BEHAVIORAL,
        ["New", "Newer"],
        True,
    )
    delete_url = reverse("mock:question_delete", args=[question.pk])
    assert "Delete this question?" in body(client_in.get(delete_url))
    assert client_in.post(delete_url).status_code == 302
    assert not InterviewerQuestion.objects.filter(pk=question.pk).exists()


def test_starter_and_other_peoples_questions_are_read_only(client_in, other_user):
    starter = make_question(text="Starter")
    theirs = make_question(other_user, text="Theirs")
    for question in (starter, theirs):
        for name in ("question_edit", "question_delete"):
            target = reverse(f"mock:{name}", args=[question.pk])
            assert client_in.get(target).status_code == 404
            assert client_in.post(target, {"text": "hijacked", "area": TECH}).status_code == 404
    starter.refresh_from_db()
    assert starter.text == "Starter" and InterviewerQuestion.objects.count() == 2
    # the history of a starter question is open; someone else's question is not
    assert client_in.get(starter.get_absolute_url()).status_code == 200
    assert client_in.get(theirs.get_absolute_url()).status_code == 404


def test_history_shows_every_past_answer_and_score_newest_first(client_in, user, other_user):
    question = make_question(key_points=FOUR_POINTS, text="Explain consistent hashing.")
    for covered in ([0], [0, 1, 2]):
        one = start(user, areas=[TECH], count=1)
        answer = started(answer_at(one))
        services.submit_answer(answer=answer, text=f"covered {len(covered)}", now=timezone.now())
        services.score_answer(answer=answer, covered=covered, now=timezone.now())
    theirs = start(other_user, areas=[TECH], count=1)
    services.submit_answer(
        answer=started(answer_at(theirs)), text="Mallory's answer", now=timezone.now()
    )
    response = client_in.get(question.get_absolute_url())
    assert response.status_code == 200
    page = body(response)
    assert page.index("covered 3") < page.index("covered 1")  # newest first
    assert page.count('data-testid="history-answer"') == 2
    assert ">75%<" in page and ">25%<" in page
    assert "Mallory" not in page
    assert "<polyline" in page
    # The chart's table for screen readers, oldest first.
    assert page.index("<td>25%</td><td>1 of 4</td>") < page.index("<td>75%</td><td>3 of 4</td>")
    for point in FOUR_POINTS:
        assert point in page
