import pytest

from interviews.models import InterviewerQuestion, PracticeArea, QuestionCategory, QuestionToAsk
from interviews.starter import load_starter_questions

pytestmark = pytest.mark.django_db

# The questions the notes wanted to ask, as words the starter bank must use.
FROM_THE_NOTES = [
    "ramp",
    "strengths and weaknesses",
    "ideal candidate",
    "unique",
    "wish",
    "stack",
    "migration",
    "meeting",
]


def test_starter_banks_load_once_and_cover_the_notes():
    to_ask, interviewer = load_starter_questions()
    assert to_ask.created >= 30 and interviewer.created >= 40
    again = load_starter_questions()
    assert [(r.created, r.updated) for r in again] == [(0, 0), (0, 0)]

    bank = " ".join(QuestionToAsk.objects.filter(user=None).values_list("text", flat=True))
    assert [w for w in FROM_THE_NOTES if w not in bank.lower()] == []
    assert set(QuestionToAsk.objects.values_list("category", flat=True)) == set(
        QuestionCategory.values
    )


def test_interviewer_questions_have_key_points_and_star_for_behavioral():
    load_starter_questions()
    questions = InterviewerQuestion.objects.filter(owner=None)
    assert questions.count() >= 40
    assert set(questions.values_list("area", flat=True)) == set(PracticeArea.values)
    for question in questions:
        assert 3 <= len(question.key_points) <= 6
        assert question.star == (question.area == PracticeArea.BEHAVIORAL)
