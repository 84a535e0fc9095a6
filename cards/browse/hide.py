"""Deleting cards, a bulk action of the card browser, and unhiding.

The person's own cards are deleted as the card's delete view deletes one:
their reviews come off their days' counts, and their tags, prompts, progress,
reviews, images and quiz items go with them. Up to deleted.MAX_KEPT own cards,
a copy of them goes in the undo record first (deleted.py), and the undo
brings them back, quiz items aside; their images' files stay until the record
goes (UndoRecord.release_files). Past that, the delete is for good, their
files go once it commits, and both the confirmation and the message say so.

Starter cards are shared by everyone and never deleted: they are hidden for
this person only (HiddenCard), and left out of everything they list, count
and study (``Card.objects.visible_to``, the new cards' walk); their progress
rows are kept, with their ``suspended`` copy set so the due queries leave
them out. ``is:hidden`` finds them again, and "Unhide" (or the undo of the
delete) shows them as before."""

from datetime import datetime

from prep_site import figures

from ..models import Card, HiddenCard, Progress
from ..services import delete_cards
from . import deleted


def delete_chosen(rows, *, user, now: datetime) -> tuple[str, dict]:
    """Delete the person's own cards of ``rows`` (bulk.Chosen) and hide the
    starter ones: the message, and the hidden cards for the undo."""
    from .bulk import n_cards

    own = [row.pk for row in rows if row.owner_id == user.pk]
    starters = [row.pk for row in rows if row.owner_id is None]
    parts = []
    kept = deleted.keep(own, user=user) if len(own) <= deleted.MAX_KEPT else {}
    if own:
        delete_cards(Card.objects.filter(pk__in=own), files=not kept)
        figures.changed(user.pk)  # the undo record, if any, may be for the starters alone
        if kept:
            parts.append(f"Deleted {n_cards(len(own))}.")
        else:
            parts.append(f"Deleted {n_cards(len(own))} for good (this cannot be undone).")
    hidden = hide_cards(starters, user=user, now=now)
    if hidden:
        parts.append(
            f"Hid {n_cards(len(hidden))} of the starter library from you; "
            "search is:hidden to see or unhide them."
        )
    if not parts:
        which = "That starter card is" if len(starters) == 1 else "Those starter cards are"
        parts.append(f"{which} hidden already.")
    return " ".join(parts), {**kept, **dict.fromkeys(hidden)}


def unhide_chosen(rows, *, user, now: datetime) -> tuple[str, dict]:
    """Show the hidden starter cards of ``rows`` again."""
    from .bulk import BulkRefused, n_cards

    starters = [row.pk for row in rows if row.owner_id is None]
    if not starters:
        raise BulkRefused(
            "Only starter cards are hidden; your own cards are always shown. Nothing was changed."
        )
    shown = unhide_cards(starters, user=user)
    if not shown:
        which = "That card is" if len(starters) == 1 else "Those cards are"
        return f"{which} not hidden.", {}
    message = f"{n_cards(len(shown)).capitalize()} of the starter library shown again."
    return message, dict.fromkeys(shown)


def hide_cards(ids: list[int], *, user, now: datetime) -> list[int]:
    """Hide the starter cards ``ids`` not hidden yet; the ones it hid."""
    ids = sorted(
        set(
            Card.objects.filter(pk__in=ids, owner__isnull=True)
            .exclude(hidden_by__user=user)
            .values_list("pk", flat=True)
        )
    )
    HiddenCard.objects.bulk_create(
        [HiddenCard(user=user, card_id=pk, hidden_at=now) for pk in ids],
        batch_size=500,
        ignore_conflicts=True,
    )
    Progress.objects.filter(user=user, card_id__in=ids).update(suspended=True)
    return ids


def unhide_cards(ids: list[int], *, user) -> list[int]:
    """Show the cards ``ids`` the person hid; the ones that were hidden. Their
    progress rows take their card's suspension again."""
    rows = HiddenCard.objects.filter(user=user, card_id__in=ids)
    shown = sorted(rows.values_list("card_id", flat=True))
    rows.delete()
    progress = Progress.objects.filter(user=user, card_id__in=shown)
    progress.filter(card__suspended=False).update(suspended=False)
    return shown


ACTIONS = {"delete": delete_chosen, "unhide": unhide_chosen}


def undo(record, *, now: datetime) -> tuple[int, int, int, int]:
    """Undo a delete (bring back the own cards it kept, unhide the starter
    cards it hid) or an unhide (hide them again). The own cards brought back
    and left deleted (their topic went since), the starter cards put back and
    left (unhidden or hidden since)."""
    if record.action == "unhide":
        done = hide_cards(record.card_ids, user=record.user, now=now)
        return 0, 0, len(done), len(record.card_ids) - len(done)
    kept = {pk: value for pk, value in record.changes.items() if value is not None}
    starters = [int(pk) for pk, value in record.changes.items() if value is None]
    back = deleted.bring_back(kept, user=record.user) if kept else []
    record.release_files(used=frozenset(back))
    shown = unhide_cards(starters, user=record.user)
    return len(back), len(kept) - len(back), len(shown), len(starters) - len(shown)
