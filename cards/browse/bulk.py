"""Actions on many cards at once, from the card browser: move them to a topic,
add or remove tags, suspend or unsuspend them; reset their progress
(reset.py); delete them, hide starter cards or unhide them (hide.py).

The cards are the ones ticked (their ids) or every card a search finds. Ids
that are not the person's, or no longer exist, refuse the whole action. Each
action runs in one transaction, in a few statements whatever the number of
cards, and keeps what it changed in the person's UndoRecord so that it can be
undone once. Starter cards are shared by everyone: they never move and keep
their tags and suspension; an action leaves them out and says so."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from prep_site import figures, words

from ..models import MAX_TAGS_PER_CARD, Card, Progress, ReviewLog, StudySession, Topic, UndoRecord
from ..review_days import count_reviews, uncount_reviews
from ..services import kept_topics_with_card_counts
from . import hide, reset
from .query import cards_matching
from .terms import QueryError

ACTIONS = {
    "move": "Move to topic",
    "add_tags": "Add tags",
    "remove_tags": "Remove tags",
    "suspend": "Suspend",
    "unsuspend": "Unsuspend",
    "reset": "Reset progress…",
    "delete": "Delete…",
    "unhide": "Unhide",
}
# Asked first: the form comes back as a page saying what will happen (confirm.py).
ASKS_FIRST = ("reset", "delete")
# Ids ticked by hand, under Django's 1,000 fields a form may send; "all matching"
# sends the search instead.
MAX_SELECTED = 500


class BulkRefused(Exception):
    """An action that changed nothing, with the reason in words."""


@dataclass(frozen=True)
class Chosen:
    """A card the action is asked to change, as it is now."""

    pk: int
    owner_id: int | None
    topic_id: int
    suspended: bool


@dataclass(frozen=True)
class Outcome:
    message: str
    undo: UndoRecord | None = None


def topics_to_move_to(user) -> list[Topic]:
    """The person's own topics, by name, from the counts kept per person (no
    query once the home page or the browser has read them)."""
    return [topic for topic in kept_topics_with_card_counts(user) if topic.owner_id == user.pk]


def chosen_cards(*, user, ids: list[int], text: str | None) -> list[Chosen]:
    """The cards the action is for: the ids, each one the person may read, or
    every card the search ``text`` finds when it is not None."""
    if text is not None:
        try:
            cards = cards_matching(user, text)
        except QueryError as error:
            raise BulkRefused(f"{error.message}; nothing was changed.") from None
    elif not ids:
        raise BulkRefused("Select at least one card first.")
    else:
        cards = Card.objects.readable_by(user).filter(pk__in=ids)  # hidden ones, to unhide
    rows = [Chosen(*row) for row in cards.values_list("pk", "owner_id", "topic_id", "suspended")]
    if text is None and len(rows) < len(set(ids)):
        missing = len(set(ids)) - len(rows)
        raise BulkRefused(
            f"{missing:,} of the selected cards {'is' if missing == 1 else 'are'} no longer "
            "yours or were deleted; nothing was changed."
        )
    if not rows:
        raise BulkRefused("No card matches that search; nothing was changed.")
    return rows


def n_cards(n: int) -> str:
    """ "1 card", "12 cards"."""
    return words.count(n, "card")


def _starters_left(n: int, why: str) -> str:
    if not n:
        return ""
    return f" {n_cards(n)} of the starter library {'was' if n == 1 else 'were'} left: {why}."


def run_bulk_action(
    *,
    user,
    action: str,
    ids: list[int],
    text: str | None,
    topic: Topic | None,
    tags: list[str],
    report: Callable[[], None] | None = None,
) -> Outcome:
    """Run one action on the chosen cards, in one transaction, and keep what it
    changed for an undo (replacing the person's previous one). ``report`` is
    called once the cards are read (a background job's progress, jobs.py)."""
    with transaction.atomic():
        # One bulk action of a person at a time: two at the same moment would
        # each replace the undo record, and one would fail on its uniqueness.
        get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
        rows = chosen_cards(user=user, ids=ids, text=text)
        if report is not None:
            report()
        own = [row for row in rows if row.owner_id == user.pk]
        starters = len(rows) - len(own)
        now = timezone.now()
        if action == "move":
            message, changes = _move_chosen(own, topic=topic, now=now)
            message += _starters_left(starters, "starter cards stay in their topics")
        elif action in ("add_tags", "remove_tags"):
            message, changes = _tag_chosen(own, tags=tags, add=action == "add_tags", now=now)
            message += _starters_left(starters, "their tags are shared by everyone")
        elif action in ("suspend", "unsuspend"):
            message, changes = _suspend_chosen(own, suspend=action == "suspend", now=now)
            message += _starters_left(starters, "their suspension is shared by everyone")
        elif action == "reset":
            # Its copy is written once the record is there to keep it.
            message, record = reset.reset_chosen(
                rows, user=user, keep=lambda changes: _keep_undo(user, action, changes, now)
            )
            if record is not None:
                figures.changed(user.pk)
            return Outcome(message, record)
        else:
            message, changes = hide.ACTIONS[action](rows, user=user, now=now)
        if not changes:
            return Outcome(message)
        record = _keep_undo(user, action, changes, now)
        figures.changed(user.pk)
    return Outcome(message, record)


def _keep_undo(user, action: str, changes: dict, now: datetime) -> UndoRecord:
    """The person's undo record of this action, in place of the one before."""
    for previous in UndoRecord.objects.filter(user=user):
        previous.let_go()
    return UndoRecord.objects.create(user=user, action=action, changes=changes, done_at=now)


# Moving -----------------------------------------------------------------------------------


def _move_chosen(own: list[Chosen], *, topic: Topic, now: datetime) -> tuple[str, dict]:
    moving = [row for row in own if row.topic_id != topic.pk]
    if not own:
        raise BulkRefused("Starter cards cannot move to another topic; nothing was changed.")
    if not moving:
        return f"{'That card is' if len(own) == 1 else 'Those cards are'} already in {topic}.", {}
    move_cards(
        [row.pk for row in moving],
        topic_id=topic.pk,
        offered=[row.pk for row in moving if not row.suspended],
        now=now,
    )
    return f"Moved {n_cards(len(moving))} to {topic}.", {row.pk: row.topic_id for row in moving}


def move_cards(ids: list[int], *, topic_id: int, offered: list[int], now: datetime) -> None:
    """Move cards to a topic as ``Card.spread_change`` does one: their grades
    count under it from now on, their progress rows' copies follow, and open
    study sessions of the topic look for new cards from the first unsuspended
    one (``offered``) on."""
    logs = ReviewLog.objects.filter(card_id__in=ids)
    # Cards never graded leave the day counts alone: recounting names every id
    # in a few subqueries, which takes seconds at 10,000 cards on PostgreSQL.
    graded = logs.exists()
    if graded:
        uncount_reviews(logs)
    Card.objects.filter(pk__in=ids).update(topic_id=topic_id, updated_at=now)
    if graded:
        count_reviews(logs)
    Progress.objects.filter(card_id__in=ids).update(topic_id=topic_id)
    if offered:
        _offer_again(topic_id, min(offered))


def _offer_again(topic_id: int, first: int) -> None:
    """As ``Card.offer_again``, for the cards of a topic from ``first`` on."""
    StudySession.objects.filter(topics=topic_id, new_from__gt=first).update(new_from=first)


# Tags -------------------------------------------------------------------------------------


def _tag_chosen(own: list[Chosen], *, tags: list[str], add: bool, now: datetime):
    if not own:
        raise BulkRefused(
            "Starter cards' tags are shared by everyone and cannot change; nothing was changed."
        )
    ids = [row.pk for row in own]
    if add:
        changes = add_tags(ids, tags)
        verb = "Added"
    else:
        changes = remove_tags(ids, tags)
        verb = "Removed"
    Card.objects.filter(pk__in=list(changes)).update(updated_at=now)
    names = ", ".join(tags)
    if not changes:
        already = "already" if add else "never"
        return f"{'That card' if len(ids) == 1 else 'Those cards'} {already} had {names}.", {}
    return f"{verb} {names} {'to' if add else 'from'} {n_cards(len(changes))}.", changes


def _items():
    return TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(Card))


def tags_named(names) -> list[Tag]:
    """The tags of these names, each made if missing."""
    tags = list(Tag.objects.filter(name__in=names))
    for name in set(names) - {tag.name for tag in tags}:
        tag = Tag(name=name)
        tag.save()  # taggit gives it a unique slug
        tags.append(tag)
    return tags


def add_tags(ids: list[int], names: list[str]) -> dict[int, list[str]]:
    """Tag the cards with each name they lack; the names each card gained."""
    tags = tags_named(names)
    had = set(_items().filter(object_id__in=ids, tag__in=tags).values_list("object_id", "tag_id"))
    gained: dict[int, list[str]] = {}
    for pk in ids:
        for tag in tags:
            if (pk, tag.pk) not in had:
                gained.setdefault(pk, []).append(tag.name)
    counts = dict(
        _items()
        .filter(object_id__in=list(gained))
        .values_list("object_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    too_many = [
        pk for pk, new in gained.items() if counts.get(pk, 0) + len(new) > MAX_TAGS_PER_CARD
    ]
    if too_many:
        raise BulkRefused(
            f"{n_cards(len(too_many))} would have more than {MAX_TAGS_PER_CARD} tags, "
            "the most a card keeps; nothing was changed."
        )
    by_name = {tag.name: tag for tag in tags}
    content_type = ContentType.objects.get_for_model(Card)
    TaggedItem.objects.bulk_create(
        [
            TaggedItem(content_type=content_type, object_id=pk, tag=by_name[name])
            for pk, new in gained.items()
            for name in new
        ],
        batch_size=500,
    )
    return gained


def remove_tags(ids: list[int], names: list[str]) -> dict[int, list[str]]:
    """Take the named tags off the cards; the names each card lost."""
    items = _items().filter(object_id__in=ids, tag__name__in=names)
    lost: dict[int, list[str]] = {}
    for pk, name in items.values_list("object_id", "tag__name"):
        lost.setdefault(pk, []).append(name)
    items.delete()
    return lost


# Suspending -------------------------------------------------------------------------------


def _suspend_chosen(own: list[Chosen], *, suspend: bool, now: datetime):
    if not own:
        raise BulkRefused(
            "Starter cards' suspension is shared by everyone and cannot change; "
            "nothing was changed."
        )
    changing = [row for row in own if row.suspended != suspend]
    if not changing:
        state = "suspended" if suspend else "in your study sessions"
        return f"{'That card is' if len(own) == 1 else 'Those cards are'} already {state}.", {}
    suspend_cards(changing, suspend=suspend, now=now)
    if suspend:
        message = f"Suspended {n_cards(len(changing))}."
    else:
        message = f"{n_cards(len(changing)).capitalize()} back in your study sessions."
    return message, {row.pk: None for row in changing}


def suspend_cards(rows: list[Chosen], *, suspend: bool, now: datetime) -> None:
    """Suspend or unsuspend cards, as ``Card.spread_change`` does one: the
    progress rows keep a copy, and unsuspended cards are offered again."""
    ids = [row.pk for row in rows]
    Card.objects.filter(pk__in=ids).update(suspended=suspend, updated_at=now)
    Progress.objects.filter(card_id__in=ids).update(suspended=suspend)
    if not suspend:
        offer_again_from(rows)


def offer_again_from(rows: list[Chosen]) -> None:
    """Open study sessions look for new cards from the first of ``rows`` in each
    topic on."""
    first: dict[int, int] = {}
    for row in rows:
        first[row.topic_id] = min(row.pk, first.get(row.topic_id, row.pk))
    for topic_id, pk in first.items():
        _offer_again(topic_id, pk)
