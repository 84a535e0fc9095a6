"""Which new card a study session shows next, in the order the person chose
(accounts.Profile): interleaved across the session's topics or topic by topic,
their own cards first or mixed with the starter library, in the order added or
shuffled once a day.

Each topic's next candidate, own and starter apart, is one correlated
subquery with LIMIT 1 that walks the cards of that topic and owner; the
choice between them is made here, from how many new cards each topic (and
each owner) has already given today. A card with a prompt studied today is
buried: its other prompts (the reverse, the other clozes) wait for tomorrow."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, Subquery, Value

from accounts.models import NewCardOrder, NewCardSource, NewCardSpread, Profile

from ..models import Card, Progress, Prompt, ReviewLog, Topic
from ..services import never_studied

# A day's shuffle: card ids times a multiplier that changes with the day and the
# person, modulo a prime (2**31 - 1). Products stay below 2**62 on either database.
PRIME = 2_147_483_647


@dataclass(frozen=True)
class Scope:
    """What a session studies: its topics, and optionally only the person's
    own cards, or only cards with one of some tags."""

    topic_ids: list[int]
    own_only: bool = False
    tag_ids: tuple[int, ...] = ()


@dataclass
class NewToday:
    """The new cards introduced today: in all, per topic, and per topic of the
    person's own cards."""

    total: int
    per_topic: dict[int, int]
    own_per_topic: dict[int, int]


def new_today(*, user_id: int, since: datetime) -> NewToday:
    """One grouped query over today's first grades (at most the daily limit)."""
    rows = (
        ReviewLog.objects.filter(user_id=user_id, review_number=1, reviewed_at__gte=since)
        .values_list("card__topic_id")
        .annotate(n=Count("pk"), own=Count("pk", filter=Q(card__owner_id=user_id)))
        .order_by()
    )
    per_topic, own = {}, {}
    for topic_id, n, own_n in rows:
        per_topic[topic_id], own[topic_id] = n, own_n
    return NewToday(total=sum(per_topic.values()), per_topic=per_topic, own_per_topic=own)


def shuffle_key(*, user_id: int, day: date):
    multiplier = 48_271 + (day.toordinal() * 16_807 + user_id * 69_621) % (PRIME - 48_272)
    return F("id") * Value(multiplier) % Value(PRIME)


def _candidates(*, user_id: int, scope: Scope, since: datetime, order, owned: bool, new_from):
    """The first card, in ``order``, of the outer topic and one owner that has a
    prompt never studied and none studied today."""
    cards = Card.objects.filter(topic_id=OuterRef("pk"), suspended=False)
    if owned:
        cards = cards.filter(owner_id=user_id, id__gte=new_from)
    else:
        cards = cards.filter(owner__isnull=True)
    if scope.tag_ids:
        cards = cards.filter(tags__in=scope.tag_ids)
    new_prompts = never_studied(Prompt.objects.filter(card=OuterRef("pk")), user_id=user_id)
    # A prompt's progress keeps when it was last graded (and an undo puts
    # the time back), and is found by its card.
    studied_today = Progress.objects.filter(
        card=OuterRef("pk"), user_id=user_id, last_review__gte=since
    )
    cards = cards.filter(Exists(new_prompts)).exclude(Exists(studied_today))
    return Subquery(cards.order_by(order).values("pk")[:1])


def next_new_card(
    *,
    user_id: int,
    scope: Scope,
    profile: Profile,
    since: datetime,
    day: date,
    new_from: int,
    today: NewToday,
) -> int | None:
    """The id of the card whose new prompt comes next, in the person's order."""
    if profile.new_card_order == NewCardOrder.RANDOM:
        order = shuffle_key(user_id=user_id, day=day)
    else:
        order = F("id")
    common = {"user_id": user_id, "scope": scope, "since": since, "order": order}
    topics = Topic.objects.filter(pk__in=scope.topic_ids).order_by()
    topics = topics.annotate(own=_candidates(**common, owned=True, new_from=new_from))
    if not scope.own_only:
        topics = topics.annotate(starter=_candidates(**common, owned=False, new_from=0))
    else:
        topics = topics.annotate(starter=Value(None, output_field=BigIntegerField()))
    # Topics in the order of their names (sorted here: a handful of rows).
    named = sorted(topics.values_list("name", "pk", "own", "starter"))
    rows = [row[1:] for row in named]

    own_first = profile.new_card_source == NewCardSource.OWN_FIRST
    if own_first and any(own for _, own, _ in rows):
        rows = [(pk, own, None) for pk, own, _ in rows if own]
    rows = [row for row in rows if row[1] or row[2]]
    if not rows:
        return None
    if profile.new_card_spread == NewCardSpread.INTERLEAVED:
        # The topic that has given the fewest new cards today; ties go by name.
        position = {row[0]: n for n, row in enumerate(rows)}
        rows.sort(key=lambda row: (today.per_topic.get(row[0], 0), position[row[0]]))
    topic_id, own, starter = rows[0]
    if own and starter:
        # Mixed: the person's cards and the starter library's take turns.
        own_n = today.own_per_topic.get(topic_id, 0)
        return own if own_n <= today.per_topic.get(topic_id, 0) - own_n else starter
    return own or starter
