import re

import pytest

from interviews.models import InterviewerQuestion, PracticeArea, QuestionCategory, QuestionToAsk
from interviews.starter import STARTER_DIR, load_starter_questions

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


# Model answers ---------------------------------------------------------------------------

# Words that say nothing of a key point's content: the STAR labels and small words.
NOT_CONTENT = {
    *("situation", "task", "action", "result", "reflection", "shows", "example", "such"),
    *("about", "with", "from", "that", "this", "than", "then", "they", "their", "them"),
    *("what", "when", "which", "where", "while", "into", "only", "each", "also", "more"),
    *("most", "less", "does", "have", "your", "over", "both", "other", "like", "rather"),
}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_every_starter_question_has_a_model_answer_that_covers_its_key_points():
    """80 to 200 words, and for each key point at least one of its content words
    (by its first five letters, so "disagreed" counts for "disagreement")."""
    load_starter_questions()
    questions = list(InterviewerQuestion.objects.filter(owner=None))
    assert len(questions) >= 55
    missing = []
    for question in questions:
        answer = question.model_answer
        assert 80 <= len(answer.split()) <= 200, (question.starter_key, len(answer.split()))
        assert "\n" not in answer and "  " not in answer  # the file's lines, joined
        stems = {word[:5] for word in _words(answer)}
        for point in question.key_points:
            content = [w for w in _words(point) if len(w) >= 4 and w not in NOT_CONTENT]
            if content and not any(word[:5] in stems for word in content):
                missing.append(f"{question.starter_key}: {point}")
    assert missing == []


def test_a_changed_model_answer_in_the_starter_file_updates_the_bank(tmp_path):
    load_starter_questions()
    (tmp_path / "interviewer_questions").mkdir()
    for name in ("questions_to_ask.toml", "interviewer_questions/core.toml"):
        (tmp_path / name).write_text((STARTER_DIR / name).read_text(encoding="utf-8"))
    path = tmp_path / "interviewer_questions" / "core.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            'model_answer = """\nI\'ll keep this', 'model_answer = """\nI will keep this', 1
        ),
        encoding="utf-8",
    )
    _to_ask, interviewer = load_starter_questions(tmp_path)
    assert (interviewer.updated, interviewer.created) == (1, 0)
    question = InterviewerQuestion.objects.get(starter_key="iq-tell-me-about-yourself")
    assert question.model_answer.startswith("I will keep this to about two minutes")
