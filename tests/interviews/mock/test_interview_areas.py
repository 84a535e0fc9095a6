"""A mock interview for an interview draws from its stage and topics
(interviews/mock/services.py, interview_areas), through the start page."""

import pytest
from django.urls import reverse

from interviews.models import InterviewerQuestion, MockSession, PracticeArea, Stage
from interviews.starter import load_starter_questions
from tests.factories import make_interview, make_topic

pytestmark = pytest.mark.django_db

ML = PracticeArea.MACHINE_LEARNING
DESIGN = PracticeArea.SYSTEM_DESIGN


def start_for(client, interview, count=5):
    return client.post(
        reverse("mock:start"),
        {"interview": interview.pk, "count": count, "time_limit_seconds": 120},
        follow=True,
    )


def drawn_areas(user) -> list[str]:
    session = MockSession.objects.filter(user=user).latest("started_at")
    return [a.question.area for a in session.answers.select_related("question")]


@pytest.fixture
def starter():
    load_starter_questions()


def test_a_backend_technical_interview_never_asks_machine_learning(client_in, user, starter):
    interview = make_interview(user, stage=Stage.TECHNICAL, role="Backend engineer")
    interview.topics.set([make_topic(owner=user, name="Python"), make_topic(name="Kafka")])
    for _ in range(5):
        response = start_for(client_in, interview, count=10)
        assert response.status_code == 200
        areas = drawn_areas(user)
        assert len(areas) == 10
        assert ML not in areas
        assert set(areas) <= {PracticeArea.TECHNICAL, PracticeArea.CODING_CONCEPTS}
    assert "What is regularization" not in response.content.decode()


def test_an_ml_interview_draws_machine_learning_first(client_in, user, starter):
    interview = make_interview(user, stage=Stage.TECHNICAL)
    interview.topics.set([make_topic(name="Machine learning")])
    start_for(client_in, interview, count=5)
    assert drawn_areas(user) == [ML] * 5


def test_too_few_in_the_topics_areas_fill_up_from_the_stage_and_say_so(client_in, user, starter):
    interview = make_interview(user, stage=Stage.ONSITE)
    interview.topics.set([make_topic(owner=user, name="System design")])
    in_design = InterviewerQuestion.objects.filter(area=DESIGN).count()
    assert in_design < 20
    page = start_for(client_in, interview, count=20).content.decode()
    areas = drawn_areas(user)
    assert areas.count(DESIGN) == in_design and len(areas) == 20
    # Machine learning, a specialty, is drawn only when the topics name it.
    assert ML not in areas
    assert (
        f"Only {in_design} questions in System design (this interview&#x27;s topics); "
        f"the other {20 - in_design} "
        "come from its stage&#x27;s other areas: Behavioral, Technical, Coding concepts." in page
    )


def test_a_behavioral_stage_asks_behavioral_questions_whatever_the_topics(client_in, user, starter):
    interview = make_interview(user, stage=Stage.BEHAVIORAL)
    interview.topics.set([make_topic(name="Machine learning")])
    start_for(client_in, interview, count=5)
    assert drawn_areas(user) == [PracticeArea.BEHAVIORAL] * 5


def test_areas_ticked_on_purpose_still_win(client_in, user, starter):
    interview = make_interview(user, stage=Stage.BEHAVIORAL)
    client_in.post(
        reverse("mock:start"),
        {"interview": interview.pk, "areas": [ML], "count": 3, "time_limit_seconds": 120},
    )
    assert drawn_areas(user) == [ML] * 3
