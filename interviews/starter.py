"""The starter banks: questions to ask a company, and questions interviewers ask."""

import tomllib
from pathlib import Path

from django.db import transaction

from cards.starter import LoadReport, read_entries

from .models import InterviewerQuestion, QuestionToAsk

STARTER_DIR = Path(__file__).resolve().parent / "starter"


def _sync(model, lookup: dict, wanted: dict, report: LoadReport) -> None:
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model(**lookup, **wanted)
        report.created += 1
    elif any(getattr(row, k) != v for k, v in wanted.items()):
        for key, value in wanted.items():
            setattr(row, key, value)
        report.updated += 1
    else:
        report.unchanged += 1
        return
    row.full_clean()
    row.save()


@transaction.atomic
def load_starter_questions(directory: Path = STARTER_DIR) -> tuple[LoadReport, LoadReport]:
    """Create or update both starter banks; a second run writes nothing."""
    to_ask, interviewer = LoadReport(), LoadReport()
    data = tomllib.loads((directory / "questions_to_ask.toml").read_text(encoding="utf-8"))
    for entry in data["questions"]:
        _sync(
            QuestionToAsk,
            {"user": None, "starter_key": entry["key"]},
            {"category": entry["category"], "text": entry["text"].strip()},
            to_ask,
        )
    data = read_entries(directory / "interviewer_questions", "questions")
    for entry in data["questions"]:
        _sync(
            InterviewerQuestion,
            {"owner": None, "starter_key": entry["key"]},
            {
                "area": entry["category"],
                "text": entry["text"].strip(),
                "key_points": [point.strip() for point in entry["key_points"]],
                "star": entry.get("star", False),
                "model_answer": " ".join(entry.get("model_answer", "").split()),
            },
            interviewer,
        )
    return to_ask, interviewer
