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


def _candidates(
    *,
    user_id: int,
    scope: Scope,
    since: datetime,
    order,
    owned: bool,
    new_from,
    skip=(),
    skip_prompts=(),
    at: int = 0,
):
    """The card at ``at`` (0: the first), in ``order``, of the outer topic and one owner that has a
    prompt never studied and none studied today, leaving out the ``skip`` cards
    and the cards of the ``skip_prompts``."""
    cards = Card.objects.filter(topic_id=OuterRef("pk"), suspended=False)
    if skip:
        cards = cards.exclude(pk__in=skip)
    if skip_prompts:
        cards = cards.exclude(
            Exists(Prompt.objects.filter(card=OuterRef("pk"), pk__in=skip_prompts))
        )
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
    return Subquery(cards.order_by(order).values("pk")[at : at + 1])


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
    choices = next_new_choices(
        user_id=user_id,
        scope=scope,
        profile=profile,
        since=since,
        day=day,
        new_from=new_from,
        today=today,
        count=1,
    )
    return choices[0][0] if choices else None


def next_new_choices(
    *,
    user_id: int,
    scope: Scope,
    profile: Profile,
    since: datetime,
    day: date,
    new_from: int,
    today: NewToday,
    count: int,
    skip=(),
    skip_prompts=(),
) -> list[tuple[int, int, bool]]:
    """The next ``count`` cards (or fewer) whose new prompts come next, each
    chosen as if those before it had been graded (``today`` counts them), in
    one query: the first ``count`` candidates of each topic and owner."""
    today = NewToday(today.total, dict(today.per_topic), dict(today.own_per_topic))
    if profile.new_card_order == NewCardOrder.RANDOM:
        order = shuffle_key(user_id=user_id, day=day)
    else:
        order = F("id")
    common = {"user_id": user_id, "scope": scope, "since": since, "order": order}
    common.update(skip=skip, skip_prompts=skip_prompts)
    topics = Topic.objects.filter(pk__in=scope.topic_ids).order_by()
    nothing = Value(None, output_field=BigIntegerField())
    for n in range(count):
        topics = topics.annotate(
            **{
                f"own{n}": _candidates(**common, owned=True, new_from=new_from, at=n),
                f"starter{n}": (
                    nothing
                    if scope.own_only
                    else _candidates(**common, owned=False, new_from=0, at=n)
                ),
            }
        )
    own_names = [f"own{n}" for n in range(count)]
    starter_names = [f"starter{n}" for n in range(count)]
    # Topics in the order of their names (sorted here: a handful of rows).
    queues = []
    for row in sorted(topics.values("name", "pk", *own_names, *starter_names), key=_by_name):
        own = [row[name] for name in own_names if row[name] is not None]
        starter = [row[name] for name in starter_names if row[name] is not None]
        queues.append((row["pk"], own, starter))
    chosen = []
    for _ in range(count):
        heads = [(pk, own[0] if own else None, st[0] if st else None) for pk, own, st in queues]
        choice = _choose(heads, profile=profile, today=today)
        if choice is None:
            break
        card_id, topic_id, is_own = choice
        for pk, own, starter in queues:
            if pk == topic_id:
                (own if is_own else starter).pop(0)
        count_new(today, topic_id=topic_id, own=is_own)
        chosen.append(choice)
    return chosen


def _by_name(row: dict):
    return (row["name"], row["pk"])


def _choose(rows, *, profile: Profile, today: NewToday) -> tuple[int, int, bool] | None:
    """Of each topic's next own and starter card, (topic, own, starter), the one
    that comes next in the person's order."""
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
        if own_n <= today.per_topic.get(topic_id, 0) - own_n:
            return own, topic_id, True
        return starter, topic_id, False
    return (own, topic_id, True) if own else (starter, topic_id, False)


def count_new(today: NewToday, *, topic_id: int, own: bool) -> None:
    """Count one more new card of the topic in ``today``: the choice of the cards
    after it goes as it will once that card is graded."""
    today.total += 1
    today.per_topic[topic_id] = today.per_topic.get(topic_id, 0) + 1
    if own:
        today.own_per_topic[topic_id] = today.own_per_topic.get(topic_id, 0) + 1
