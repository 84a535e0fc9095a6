"""Model answers: the starter bank's, a person's own question's, or a person's
own override of a starter one. The page shows theirs when they wrote one."""

from dataclasses import dataclass

from django.db import transaction

from ..models import MAX_MODEL_ANSWER_LENGTH, InterviewerQuestion, OwnModelAnswer


class ModelAnswerRefused(Exception):
    """The text was not saved; the message says why, in words."""


@dataclass
class ShownModelAnswer:
    text: str  # empty: no model answer to show
    own: bool  # written by the person (else the starter bank's)
    limit: int = MAX_MODEL_ANSWER_LENGTH


def shown_for(*, user, question: InterviewerQuestion) -> ShownModelAnswer:
    """The model answer the person sees for ``question`` (one query for a starter
    question, none for their own)."""
    if question.owner_id is not None:
        return ShownModelAnswer(text=question.model_answer, own=True)
    text = (
        OwnModelAnswer.objects.filter(user=user, question=question)
        .values_list("text", flat=True)
        .first()
    )
    if text:
        return ShownModelAnswer(text=text, own=True)
    return ShownModelAnswer(text=question.model_answer, own=False)


def normalize(text: str) -> str:
    """Line endings as \\n and no blank edges, so the length counted is the one kept."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


@transaction.atomic
def write_own(*, user, question: InterviewerQuestion, text: str) -> str:
    """Keep the person's model answer for ``question``: on their own question
    itself, else as their override of the starter one. Empty text removes it.
    Returns "saved", "removed" or "unchanged" (nothing there to remove)."""
    text = normalize(text)
    if "\x00" in text:
        raise ModelAnswerRefused(
            "A model answer cannot contain the null character (\\x00). Nothing was saved."
        )
    if len(text) > MAX_MODEL_ANSWER_LENGTH:
        raise ModelAnswerRefused(
            f"A model answer has at most {MAX_MODEL_ANSWER_LENGTH:,} characters; "
            f"this one has {len(text):,}. Nothing was saved."
        )
    if question.owner_id is not None:
        if question.owner_id != user.pk:
            raise ValueError("Only the owner of a question writes its model answer.")
        had = bool(question.model_answer)
        question.model_answer = text
        question.save(update_fields=["model_answer"])
        return "saved" if text else ("removed" if had else "unchanged")
    if not text:
        deleted, _ = OwnModelAnswer.objects.filter(user=user, question=question).delete()
        return "removed" if deleted else "unchanged"
    OwnModelAnswer.objects.update_or_create(user=user, question=question, defaults={"text": text})
    return "saved"
