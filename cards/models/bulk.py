"""What one bulk action of the card browser changed, kept so that the person
can undo it once (cards.browse.bulk)."""

from django.conf import settings
from django.db import models


class UndoRecord(models.Model):
    """A person's last bulk action: one row each, replaced by the next action
    and deleted when undone. ``changes`` maps each changed card's id to what
    it was before (a topic id, the tags added or removed, nothing for a
    suspension); ``done_at`` is the time the action stamped on the cards, so
    a card edited since is told apart."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bulk_undo"
    )
    action = models.CharField(max_length=20)
    changes = models.JSONField(default=dict)
    done_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} · {self.action} · {len(self.changes)} cards"

    @property
    def card_ids(self) -> list[int]:
        return [int(pk) for pk in self.changes]


class HiddenCard(models.Model):
    """A starter card a person deleted from their own view: shared by everyone,
    it stays in the library, and is left out of everything this person lists,
    counts and studies (``CardQuerySet.visible_to``; their progress rows on it
    are kept, with their ``suspended`` copy set, until they unhide it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hidden_cards"
    )
    card = models.ForeignKey("cards.Card", on_delete=models.CASCADE, related_name="hidden_by")
    hidden_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "card"], name="hidden_card_unique_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} · hid card {self.card_id}"
