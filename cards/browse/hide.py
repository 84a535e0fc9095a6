"""Deleting cards, a bulk action of the card browser, and unhiding.

The person's own cards are deleted as the card's delete view deletes one:
their reviews come off their days' counts, their images' files go once that
commits, and their tags, prompts, progress and reviews go with them. That is
for good: the undo does not bring them back (a copy of all of it would make
every delete write the cards a second time), and both the confirmation and
the message say so.

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


def delete_chosen(rows, *, user, now: datetime) -> tuple[str, dict]:
    """Delete the person's own cards of ``rows`` (bulk.Chosen) and hide the
    starter ones: the message, and the hidden cards for the undo."""
    from .bulk import n_cards

    own = [row.pk for row in rows if row.owner_id == user.pk]
    starters = [row.pk for row in rows if row.owner_id is None]
    parts = []
    if own:
        delete_cards(Card.objects.filter(pk__in=own))
        figures.changed(user.pk)  # the undo record, if any, is for the starters alone
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
    return " ".join(parts), dict.fromkeys(hidden)


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


def undo(record, *, now: datetime) -> tuple[int, int]:
    """Undo a delete (unhide the starter cards it hid; own cards stay deleted)
    or an unhide (hide them again). The cards put back and the cards left."""
    if record.action == "delete":
        done = unhide_cards(record.card_ids, user=record.user)
    else:
        done = hide_cards(record.card_ids, user=record.user, now=now)
    return len(done), len(record.card_ids) - len(done)
