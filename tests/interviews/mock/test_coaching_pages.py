"""The coaching suggestion on the mock interview pages, through the real test
client: the suggestion and its marked sentence, the boxes ticked first, the
measures, and how often the suggestion agreed with the person on the history."""

import re

import pytest
from django.urls import reverse

from interviews.models import MockAnswer
from tests.interviews.mock.test_mock_services import BEHAVIORAL, TECH, make_question, start

pytestmark = pytest.mark.django_db

POINTS = ["Adds read replicas for the database", "Shards the database by customer"]
ANSWER = (
    "Um, first I would measure where the time goes. Then I'd add read replicas "
    "and send the reports there, like, you know, the slow ones."
)


def session_url(session) -> str:
    return reverse("mock:session", args=[session.pk])


def submit(client, session, text: str):
    client.get(session_url(session))  # the question is on screen: its clock starts
    answer = session.answers.get(position=1)
    response = client.post(
        reverse("mock:submit", args=[session.pk]), {"answer": answer.pk, "text": text}
    )
    assert response.status_code == 302
    return answer


@pytest.fixture
def session(user):
    make_question(area=TECH, text="How would you scale the reads?", key_points=POINTS)
    return start(user, areas=[TECH], count=1)


def test_the_scoring_page_shows_the_suggestion_ticked_and_marked(client_in, session):
    answer = submit(client_in, session, ANSWER)
    assert MockAnswer.objects.get(pk=answer.pk).suggested == [0]

    page = client_in.get(session_url(session)).content.decode()
    suggestions = re.findall(r'data-testid="suggestion" data-covered="(\w+)"', page)
    assert suggestions == ["yes", "no"]
    assert "— sentence 2: “Then I&#x27;d add read replicas" in page
    assert "<mark>Then I&#x27;d add read replicas and send the reports there" in page
    assert page.count("<mark>") == 1
    assert re.search(r'value="0" id="mock-point-0" checked>', page)
    assert re.search(r'value="1" id="mock-point-1">', page)
    assert "The boxes the suggestion found are ticked" in page


def test_the_scoring_page_shows_the_measures(client_in, session):
    submit(client_in, session, ANSWER)
    page = client_in.get(session_url(session)).content.decode()
    assert "25, about 0:12 to say at 130 words a minute" in page
    assert "3: “um” 1, “like” 1, “you know” 1" in page
    assert 'data-testid="repeats">none' in page
    assert 'data-testid="star-parts"' not in page  # not a STAR question


def test_a_star_question_shows_its_parts(client_in, user):
    make_question(
        area=BEHAVIORAL, text="Tell me about a failure.", key_points=["Owns it"], star=True
    )
    session = start(user, areas=[BEHAVIORAL], count=1)
    submit(
        client_in,
        session,
        "At my last job I broke the build. So I rolled it back and fixed the test.",
    )
    page = client_in.get(session_url(session)).content.decode()
    parts = re.findall(r'data-testid="star-part" data-present="(\w+)">(.) (\w+)', page)
    assert parts == [
        ("yes", "✓", "Situation"),
        ("no", "✗", "Task"),
        ("yes", "✓", "Action"),
        ("no", "✗", "Result"),
    ]


def test_an_empty_answer_gets_no_suggestion(client_in, session):
    answer = submit(client_in, session, "   ")
    assert MockAnswer.objects.get(pk=answer.pk).suggested is None
    page = client_in.get(session_url(session)).content.decode()
    assert "Nothing to compare: the answer is empty." in page
    assert "checked" not in page.split('id="mock-score-form"')[1]


def test_the_persons_ticks_decide_and_the_history_shows_the_agreement(
    client_in, user, session, django_assert_max_num_queries
):
    answer = submit(client_in, session, ANSWER)
    # The person disagrees on both key points: replicas were not enough, sharding was meant.
    client_in.post(reverse("mock:score", args=[session.pk]), {"answer": answer.pk, "covered": "1"})
    answer.refresh_from_db()
    assert answer.covered == [1] and answer.score == 0.5 and answer.suggested == [0]

    second = start(user, areas=[TECH], count=1)
    again = submit(client_in, second, ANSWER)
    client_in.post(reverse("mock:score", args=[second.pk]), {"answer": again.pk, "covered": "0"})

    with django_assert_max_num_queries(12):
        page = client_in.get(answer.question.get_absolute_url()).content.decode()
    assert (
        "The suggestion agreed with your ticks on 50% of the key points "
        "(2 of 4, over your scored answers)." in page
    )


def test_other_words_written_for_a_key_point_count_for_it(client_in, user):
    """Synonyms go after a bar in the question's form; the suggestion counts them."""
    form = {"text": "How fast is a dict lookup?", "area": TECH, "star": ""}
    response = client_in.post(
        reverse("mock:question_create"), {**form, "key_points_text": "O(1) access"}
    )
    question = user.interviewer_questions.get()
    answer_text = "Lookups take constant time on average."
    session = start(user, areas=[TECH], count=1)
    assert MockAnswer.objects.get(pk=submit(client_in, session, answer_text).pk).suggested == []

    edit = reverse("mock:question_edit", args=[question.pk])
    response = client_in.post(
        edit, {**form, "key_points_text": "O(1) access | constant time,  hash lookup ,"}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.key_points == ["O(1) access"]
    assert question.key_point_synonyms == [["constant time", "hash lookup"]]
    assert (
        "O(1) access | constant time, hash lookup</textarea>"
        in client_in.get(edit).content.decode()
    )
    session = start(user, areas=[TECH], count=1)
    assert MockAnswer.objects.get(pk=submit(client_in, session, answer_text).pk).suggested == [0]


@pytest.mark.parametrize(
    "points, message",
    [
        ("| constant time", "Write each key point before its bar"),
        ("O(1) | " + ", ".join(f"w{n}" for n in range(11)), "at most 10 other words"),
        ("O(1) | " + "w" * 301, "at most 300 characters each"),
    ],
)
def test_other_words_for_a_key_point_are_checked(client_in, user, points, message):
    response = client_in.post(
        reverse("mock:question_create"),
        {"text": "Q?", "area": TECH, "key_points_text": points},
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not user.interviewer_questions.exists()
