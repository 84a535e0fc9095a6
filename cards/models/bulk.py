"""What one bulk action of the card browser changed, kept so that the person
can undo it once (cards.browse.bulk), and the jobs that run the large ones."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.urls import reverse

from prep_site.jobs import QueuedJob, queued_constraints

from .reset import forget_reset_copy


class UndoRecord(models.Model):
    """A person's last bulk action: one row each, replaced by the next action
    and deleted when undone. ``changes`` maps each changed card's id to what
    it was before (a topic id, the tags added or removed, nothing for a
    suspension or a hidden starter card, a copy of a deleted card of the
    person's: cards.browse.deleted); ``done_at`` is the time the action stamped on the cards, so
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

    def let_go(self) -> None:
        """Delete the record, with what it keeps outside itself: a delete's
        image files, a reset's copy of the progress and reviews."""
        self.release_files()
        if self.action == "reset":
            forget_reset_copy(self.user_id)
        self.delete()

    def release_files(self, *, used: frozenset[int] = frozenset()) -> None:
        """Delete the image files of the own cards a delete kept (cards.browse.deleted),
        but those of the cards ``used`` (brought back by the undo), once the
        transaction that lets the record go commits. Called wherever the record
        goes: replaced by the next action, undone, or with the account."""
        from ..browse.deleted import kept_files

        if self.action != "delete":
            return
        names = kept_files({pk: value for pk, value in self.changes.items() if int(pk) not in used})
        if names:
            transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


class BulkJob(QueuedJob):
    """A bulk action on more cards than a request should hold up
    (cards.browse.jobs): what it was asked to do, how far it has got, and then
    the message the person would have seen, with the undo it kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bulk_jobs"
    )
    action = models.CharField(max_length=20)
    # The form's choices: {"text": the search, "topic": a topic id, "tags": [names]}.
    params = models.JSONField(default=dict)
    # What the action did (or why it changed nothing), in the words of a direct action.
    message = models.TextField(blank=True)
    undo = models.ForeignKey(UndoRecord, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta(QueuedJob.Meta):
        constraints = queued_constraints("bulk_job")

    failure_field = "message"
    filename = "Action on many cards"  # how lists of jobs name it

    def __str__(self) -> str:
        return f"{self.action} for {self.user} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("cards:card_bulk_job", args=[self.pk])


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
