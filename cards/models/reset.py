"""The progress and reviews a reset took from a person's cards (the card
browser's "Reset progress", cards.browse.reset), kept so that its undo can put
them back: rows of the same columns as Progress and ReviewLog, copied and
copied back by one INSERT … SELECT a table, whatever their number.

They belong to the person's UndoRecord of the reset (one a person), and go
when it goes: replaced by the next action, or undone. Their card, prompt and
session are plain references, without the database's checks: a card or
prompt deleted since is simply not put back, a session deleted since is put
back as none, and deleting any of them never has to look here."""

from django.conf import settings
from django.db import models

from .study import Rating, State


def _reference(model: str):
    return models.ForeignKey(
        model,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )


class ResetProgress(models.Model):
    """A Progress row as the reset found it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    card = _reference("cards.Card")
    prompt = _reference("cards.Prompt")
    state = models.PositiveSmallIntegerField(choices=State.choices)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "reset progress"

    def __str__(self) -> str:
        return f"{self.user} · reset prompt {self.prompt_id}"


class ResetReview(models.Model):
    """A ReviewLog row as the reset found it, but its pk."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    card = _reference("cards.Card")
    prompt = _reference("cards.Prompt")
    session = models.ForeignKey(
        "cards.StudySession",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    review_number = models.PositiveIntegerField()
    state_before = models.PositiveSmallIntegerField(choices=State.choices, null=True, blank=True)
    state_after = models.PositiveSmallIntegerField(choices=State.choices)
    due_after = models.DateTimeField()
    day = models.DateField()
    previous = models.JSONField(null=True, blank=True)
    client_key = models.UUIDField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} · reset review of prompt {self.prompt_id}"


def forget_reset_copy(user_id: int) -> None:
    """Let go of the person's copy of a reset: its undo is gone."""
    ResetReview.objects.filter(user_id=user_id).delete()
    ResetProgress.objects.filter(user_id=user_id).delete()
