"""The question the card browser asks before a bulk action that it cannot
fully take back (bulk.ASKS_FIRST): what will happen, to how many cards, read
from the same choice the action will make. Nothing is written."""

from dataclasses import dataclass

from ..models import Progress, ReviewLog
from . import deleted
from .bulk import chosen_cards, n_cards


@dataclass(frozen=True)
class Question:
    title: str
    lines: list[str]
    button: str
    danger: bool


def ask(*, user, action: str, ids: list[int], text: str | None) -> Question:
    """What ``action`` will do to the chosen cards (bulk.BulkRefused if none)."""
    rows = chosen_cards(user=user, ids=ids, text=text)
    own = sum(1 for row in rows if row.owner_id == user.pk)
    starters = len(rows) - own
    if action == "reset":
        pks = [row.pk for row in rows]
        studied = Progress.objects.filter(user=user, card_id__in=pks).values("card_id")
        reviews = ReviewLog.objects.filter(user=user, card_id__in=pks).count()
        studied = studied.distinct().count()
        return Question(
            title=f"Reset the progress of {n_cards(len(rows))}?",
            lines=[
                f"{n_cards(len(rows)).capitalize()} {'becomes' if len(rows) == 1 else 'become'} "
                f"new for you: {n_cards(studied)} you have studied "
                f"{'loses its' if studied == 1 else 'lose their'} progress, and "
                f"{reviews:,} review{' is' if reviews == 1 else 's are'} removed from your "
                "history (streak, heatmap and retention count them no more).",
                "Other people's progress on starter cards stays theirs.",
                "The message that follows has an Undo button that puts it all back once.",
            ],
            button="Reset progress",
            danger=True,
        )
    lines = []
    if own > deleted.MAX_KEPT:
        lines.append(
            f"{n_cards(own).capitalize()} of your own will be deleted for good, with their "
            "tags, images, progress and reviews. This cannot be undone: "
            f"only a delete of up to {deleted.MAX_KEPT:,} of your own cards can be."
        )
    elif own:
        lines.append(
            f"{n_cards(own).capitalize()} of your own will be deleted, with their "
            "tags, images, progress and reviews, and taken out of your past quizzes."
        )
    if starters:
        lines.append(
            f"{n_cards(starters).capitalize()} of the starter library will be hidden from you "
            "(nobody else): search is:hidden to see them, and Unhide or Undo to show them again."
        )
    if 0 < own <= deleted.MAX_KEPT:
        lines.append(
            "The message that follows has an Undo button that puts it all back once "
            "(quizzes aside)."
        )
    return Question(
        title=f"Delete {n_cards(len(rows))}?", lines=lines, button="Delete", danger=True
    )
