"""Leeches: cards a person keeps forgetting. A lapse is an Again on a prompt in
review (scheduling.is_lapse), counted on the person's progress rows; a card's
lapses are those of all its prompts. At the lapse that brings a card of the
person's own to LEECH_LAPSES it is tagged "leech" and suspended, so it stops
eating study time until it is rewritten or split.

A starter card is shared by everyone: its tags and its suspension are everyone's,
so one person's lapses leave it as it is. They are told, and it is listed on their
progress page with the others."""

from dataclasses import dataclass
from enum import Enum

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, Sum
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from prep_site import figures

from .models import Card, Progress

LEECH_LAPSES = 8
LEECH_TAG = "leech"
LEECHES_SHOWN = 50  # on the progress page; the rest are counted


class Leech(Enum):
    """What the lapse that made a card a leech did to it."""

    SUSPENDED = "suspended"  # the person's own card: tagged and suspended
    STARTER = "starter"  # a starter card: left as it is


def card_lapses(*, user_id: int, card_id: int) -> int:
    """The person's lapses of the card, over its prompts (the (user, card) index)."""
    rows = Progress.objects.filter(user_id=user_id, card_id=card_id)
    return rows.aggregate(lapses=Sum("lapses"))["lapses"] or 0


def mark_after_lapse(*, user_id: int, card: Card) -> Leech | None:
    """Called in the grade's transaction after a lapse was written: when it is the
    lapse that brings the card to LEECH_LAPSES, the person's own card is tagged
    and suspended (a starter card is left as it is). Later lapses do nothing: the
    person unsuspended it on purpose."""
    if card_lapses(user_id=user_id, card_id=card.pk) != LEECH_LAPSES:
        return None
    if card.owner_id != user_id:
        return Leech.STARTER
    _mark([card])
    return Leech.SUSPENDED


def mark_imported(*, user_id: int, cards: list[Card], lapses: dict[int, int]) -> int:
    """Called in an import's transaction after study history was written for
    ``cards`` (``lapses``: the lapses it brought, by card id): each of the
    person's own cards it brought to LEECH_LAPSES or more is marked as the lapse
    that reaches it in study marks it, tagged and suspended. Four queries at
    most, whatever their number; returns how many were marked."""
    leeches = [
        card
        for card in cards
        if card.owner_id == user_id and lapses.get(card.pk, 0) >= LEECH_LAPSES
    ]
    _mark(leeches)
    return len(leeches)


def _mark(cards: list[Card]) -> None:
    """Tag the cards leech and suspend them, with their progress rows."""
    if not cards:
        return
    ids = [card.pk for card in cards]
    now = timezone.now()
    Card.objects.filter(pk__in=ids).update(suspended=True, updated_at=now)
    Progress.objects.filter(card_id__in=ids).update(suspended=True)
    tag = Tag.objects.filter(name__iexact=LEECH_TAG).order_by("pk").first()
    if tag is None:
        tag = Tag.objects.create(name=LEECH_TAG)
    card_type = ContentType.objects.get_for_model(Card)
    TaggedItem.objects.bulk_create(
        [TaggedItem(content_type=card_type, object_id=pk, tag=tag) for pk in ids],
        ignore_conflicts=True,  # a card tagged leech already (by hand, or in Anki)
    )
    for card in cards:
        card.suspended, card.updated_at = True, now


def unmark_after_undo(*, user_id: int, card: Card) -> None:
    """Called in the undo's transaction after a lapse was taken back: when that
    lapse had made the person's own card a leech, the card is as it was before it,
    untagged and back in study (it was studied, so it was not suspended)."""
    if card.owner_id != user_id:
        return
    if card_lapses(user_id=user_id, card_id=card.pk) != LEECH_LAPSES - 1:
        return
    card.tags.remove(LEECH_TAG)
    if card.suspended:
        card.suspended = False
        card.save(update_fields=["suspended", "updated_at"])


@dataclass
class LeechList:
    cards: list[Card]  # each with ``lapses``, the person's lapses of it
    more: int  # how many more there are than shown


def kept_leeches_of(user) -> LeechList:
    """``leeches_of``, kept until the person writes (prep_site/figures.py)."""
    return figures.kept(user.pk, "leeches", lambda: leeches_of(user))


def leech_filter(user) -> Q:
    """The person's leeches among cards: their own cards tagged leech, and any
    card with LEECH_LAPSES lapses or more of theirs (the search's is:leech too)."""
    # Rows with no lapse add nothing to a sum: two in three are left out
    # before the grouping.
    lapsed = (
        Progress.objects.filter(user=user, lapses__gt=0)
        .values("card_id")
        .annotate(total=Sum("lapses"))
        .filter(total__gte=LEECH_LAPSES)
        .values("card_id")
    )
    tagged = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Card), tag__name__iexact=LEECH_TAG
    ).values("object_id")
    own_tagged = Card.objects.filter(owner=user, pk__in=tagged).order_by().values("pk")
    # One IN over both, not an OR of two: PostgreSQL joins the cards to it
    # once, where the OR had each of its workers group the rows again.
    return Q(pk__in=lapsed.order_by().union(own_tagged))


def leeches_of(user) -> LeechList:
    """The person's leeches: their cards tagged leech, and any card they can see
    with LEECH_LAPSES lapses or more. Three queries at most, whatever their number."""
    found = Card.objects.visible_to(user).filter(leech_filter(user))
    cards = list(found.select_related("topic").order_by("topic__name", "pk")[: LEECHES_SHOWN + 1])
    more = 0
    if len(cards) > LEECHES_SHOWN:
        cards = cards[:LEECHES_SHOWN]
        more = found.count() - LEECHES_SHOWN
    lapses = {}
    if cards:
        lapses = dict(
            Progress.objects.filter(user=user, card__in=cards)
            .values("card_id")
            .annotate(total=Sum("lapses"))
            .values_list("card_id", "total")
        )
    for card in cards:
        card.lapses = lapses.get(card.pk, 0)
    return LeechList(cards=cards, more=more)
