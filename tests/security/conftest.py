"""The small world of rows the security tests' forms work on."""

import pytest

from cards.models import SavedSearch
from cards.quiz import services as quiz_services
from cards.study import services
from interviews.checklists import services as interview_services
from interviews.mock import services as mock_services
from interviews.models import InterviewerQuestion, QuestionToAsk
from tests.factories import make_card, make_interview, make_topic, make_user


@pytest.fixture
def world(client):
    user = make_user("fuzzy")
    client.force_login(user)
    topic = make_topic(owner=user, name="Fuzz")
    cards = [make_card(topic, user, front=f"Fuzz {n}?", back="Yes") for n in range(3)]
    cards.append(make_card(topic, user, front="{{c1::Fuzz}} {{c2::cloze}}", kind="cloze"))
    session = services.start_session(user=user, topics=[topic])
    quiz = quiz_services.start_quiz(
        user=user, topics=[topic], size=5, mode="random", count_as_reviews=False
    )
    interview = make_interview(user)
    items = [
        interview_services.checklist_add_new(
            interview=interview, text=f"Question {n}?", category="team", save_to_bank=True
        )
        for n in range(3)
    ]
    questions = [
        InterviewerQuestion.objects.create(
            owner=user, area="technical", text=f"Why {n}?", key_points=["a", "b", "c"]
        )
        for n in range(3)
    ]
    saved = SavedSearch.objects.create(user=user, name="Fuzzy ones", text="fuzz")
    mock = mock_services.start_mock(
        user=user, areas=["technical"], count=3, time_limit_seconds=3600
    ).session
    return {
        "user": user,
        "client": client,
        "topic": topic,
        "cards": cards,
        "session": session,
        "quiz": quiz,
        "saved": saved,
        "interview": interview,
        "items": items,
        "bank": list(QuestionToAsk.objects.filter(user=user)),
        "questions": questions,
        "mock": mock,
        "answers": list(mock.answers.all()),
    }
