"""Undoing a person's last bulk action (cards.browse.bulk), once.

Only the cards as the action left them go back: a card edited, moved or
deleted since keeps what it has now, and the message says how many did."""

from django.db import transaction
from django.utils import timezone

from prep_site import figures

from ..models import Card, Topic, UndoRecord
from . import hide, reset
from .bulk import BulkRefused, Chosen, add_tags, move_cards, n_cards, remove_tags, suspend_cards


def undo_bulk_action(*, record: UndoRecord) -> str:
    """Put the cards the action changed back as they were, delete the record
    and say what was done."""
    user = record.user
    with transaction.atomic():
        # Deleted first: of two undos sent at once, the second finds nothing.
        deleted, _ = UndoRecord.objects.filter(pk=record.pk).delete()
        if not deleted:
            raise BulkRefused("That action was undone already, or a newer one took its place.")
        if record.action in OWN_UNDO:
            back, skipped, done, left = _undo_per_person(record)
            figures.changed(user.pk)
            return _said(back, skipped, done, left)
        rows = [
            Chosen(*row)
            for row in Card.objects.owned_by(user)
            .filter(pk__in=record.card_ids, updated_at=record.done_at)
            .values_list("pk", "owner_id", "topic_id", "suspended")
        ]
        now = timezone.now()
        changes = {int(pk): value for pk, value in record.changes.items()}
        if record.action == "move":
            rows = _move_back(rows, changes, user=user, now=now)
            where = "its topic" if len(rows) == 1 else "their topics"
            done = f"{n_cards(len(rows))} back in {where}."
        elif record.action in ("add_tags", "remove_tags"):
            _tags_back(rows, changes, added=record.action == "add_tags")
            Card.objects.filter(pk__in=[row.pk for row in rows]).update(updated_at=now)
            done = f"{n_cards(len(rows))} have their tags as before."
        else:
            suspend_cards(rows, suspend=record.action == "unsuspend", now=now)
            state = "suspended" if record.action == "unsuspend" else "back in your study sessions"
            done = f"{n_cards(len(rows))} {state} again."
        figures.changed(user.pk)
    return _said(len(rows), len(changes) - len(rows), done)


# Undone from the person's own rows (their progress, the cards they hid), not the
# cards' own: these actions also change starter cards, which have no updated_at
# of the person's.
OWN_UNDO = ("reset", "delete", "unhide")


def _undo_per_person(record: UndoRecord) -> tuple[int, int, str, str]:
    if record.action == "reset":
        back, skipped = reset.reset_back(record)
        have = "has its" if back == 1 else "have their"
        return back, skipped, f"{n_cards(back)} {have} progress and reviews back.", ""
    own, gone, starters, skipped = hide.undo(record, now=timezone.now())
    if record.action == "unhide":
        return starters, skipped, f"{n_cards(starters)} of the starter library hidden again.", ""
    parts = []
    if own:
        was = "it was" if own == 1 else "they were"
        parts.append(f"{n_cards(own)} of your own back, as {was}.")
    if starters:
        parts.append(f"{n_cards(starters)} of the starter library shown again.")
    left = ""
    if gone:
        which = "its topic was" if gone == 1 else "their topics were"
        left = f"{n_cards(gone).capitalize()} of your own stayed deleted: {which} deleted since."
    return own + starters, skipped, " ".join(parts), left


def _said(back: int, skipped: int, done: str, left: str = "") -> str:
    """What an undo did; ``left`` says why some cards were left, if it did."""
    message = f"Undone: {done[0].lower()}{done[1:]}" if back else "Nothing was undone."
    if left:
        message += f" {left}"
    if skipped:
        how = "it was left as it is" if skipped == 1 else "they were left as they are"
        message += f" {n_cards(skipped)} changed or went since, so {how}."
    return message


def _move_back(rows: list[Chosen], changes: dict, *, user, now) -> list[Chosen]:
    """Move each card back to its topic, if that topic is still the person's."""
    kept = set(
        Topic.objects.owned_by(user)
        .filter(pk__in={changes[row.pk] for row in rows})
        .values_list("pk", flat=True)
    )
    rows = [row for row in rows if changes[row.pk] in kept]
    for topic_id in {changes[row.pk] for row in rows}:
        group = [row for row in rows if changes[row.pk] == topic_id]
        move_cards(
            [row.pk for row in group],
            topic_id=topic_id,
            offered=[row.pk for row in group if not row.suspended],
            now=now,
        )
    return rows


def _tags_back(rows: list[Chosen], changes: dict, *, added: bool) -> None:
    """Take off the tags the action added, or put back the ones it removed."""
    by_tag: dict[str, list[int]] = {}
    for row in rows:
        for name in changes[row.pk]:
            by_tag.setdefault(name, []).append(row.pk)
    for name, ids in by_tag.items():
        if added:
            remove_tags(ids, [name])
        else:
            add_tags(ids, [name])
