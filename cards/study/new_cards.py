"""Which new card a study session shows next, in the order the person chose
(accounts.Profile): interleaved across the session's topics or topic by topic,
their own cards first or mixed with the starter library, in the order added or
shuffled once a day.

Each topic's next candidates, own and starter apart, come from one correlated
subquery with a LIMIT that walks the cards of that topic and owner; the
choice between them is made here, from how many new cards each topic (and
each owner) has already given today. A card with a prompt studied today is
buried: its other prompts (the reverse, the other clozes) wait for tomorrow."""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, Q
from taggit.models import TaggedItem

from accounts.models import NewCardOrder, NewCardSource, NewCardSpread, Profile

from ..models import Card, HiddenCard, Progress, Prompt, ReviewLog, Topic

# A day's shuffle: card ids times a multiplier that changes with the day and the
# person, modulo a prime (2**31 - 1). Products stay below 2**62 on either database.
PRIME = 2_147_483_647


@dataclass(frozen=True)
class Scope:
    """What a session studies: its topics, and optionally only the person's
    own cards, only cards with one of some tags, or only some cards (those a
    search found)."""

    topic_ids: list[int]
    own_only: bool = False
    tag_ids: tuple[int, ...] = ()
    card_ids: tuple[int, ...] | None = None


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


def shuffle_multiplier(*, user_id: int, day: date) -> int:
    return 48_271 + (day.toordinal() * 16_807 + user_id * 69_621) % (PRIME - 48_272)


@dataclass(frozen=True)
class _Walk:
    """What the walk over one topic's cards of one owner asks: the same for
    every topic, the topic aside."""

    user_id: int
    scope: Scope
    since: datetime
    multiplier: int | None  # None: in the order added
    new_from: int
    skip: tuple[int, ...]
    skip_prompts: tuple[int, ...]
    count: int


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _candidates_sql(walk: _Walk, *, owned: bool) -> tuple[str, list]:
    """A scalar subquery, correlated with the outer topic ``T``: the ids of its
    first ``walk.count`` cards of one owner, in the walk's order, that have a
    prompt never studied and none studied today, leaving out the ``skip``
    cards and the cards of the ``skip_prompts``, joined by commas.

    Written as SQL, not built with the ORM: its Exists and OuterRef cost ten
    times the statement's own time to build on every study page, and one walk
    with a LIMIT reads each card once where an OFFSET per position reads the
    first ones again for each."""
    card, prompt, progress, tagged = map(_table, (Card, Prompt, Progress, TaggedItem))
    where = ["c.topic_id = t.id", "NOT c.suspended"]
    params: list = []
    if owned:
        where += ["c.owner_id = %s", "c.id >= %s"]
        params += [walk.user_id, walk.new_from]
    else:
        where.append("c.owner_id IS NULL")
        # Not one the person hid (HiddenCard).
        where.append(
            f"NOT EXISTS (SELECT 1 FROM {_table(HiddenCard)} h"
            " WHERE h.card_id = c.id AND h.user_id = %s)"
        )
        params.append(walk.user_id)
    if walk.skip:
        where.append(f"c.id NOT IN ({', '.join(['%s'] * len(walk.skip))})")
        params += walk.skip
    if walk.skip_prompts:
        marks = ", ".join(["%s"] * len(walk.skip_prompts))
        where.append(
            f"NOT EXISTS (SELECT 1 FROM {prompt} sp WHERE sp.card_id = c.id AND sp.id IN ({marks}))"
        )
        params += walk.skip_prompts
    if walk.scope.tag_ids:
        marks = ", ".join(["%s"] * len(walk.scope.tag_ids))
        where.append(
            f"EXISTS (SELECT 1 FROM {tagged} ti WHERE ti.object_id = c.id"
            f" AND ti.content_type_id = %s AND ti.tag_id IN ({marks}))"
        )
        params += [ContentType.objects.get_for_model(Card).pk, *walk.scope.tag_ids]
    if walk.scope.card_ids is not None:
        # Numbers written into the statement: up to thousands, twice (own and
        # starter), past what some SQLite builds take as parameters.
        listed = ", ".join(str(int(pk)) for pk in walk.scope.card_ids)
        where.append(f"c.id IN ({listed})" if listed else "1 = 0")
    # A prompt never graded (no progress), and no prompt of the card graded today.
    where.append(
        f"EXISTS (SELECT 1 FROM {prompt} np WHERE np.card_id = c.id AND NOT EXISTS"
        f" (SELECT 1 FROM {progress} gp WHERE gp.prompt_id = np.id AND gp.user_id = %s))"
    )
    where.append(
        f"NOT EXISTS (SELECT 1 FROM {progress} tp WHERE tp.card_id = c.id"
        " AND tp.user_id = %s AND tp.last_review >= %s)"
    )
    params += [walk.user_id, walk.user_id, connection.ops.adapt_datetimefield_value(walk.since)]
    if walk.multiplier is None:
        order = "c.id"
    else:
        order = "(c.id * %s) %% %s"
        params += [walk.multiplier, PRIME]
    params.append(walk.count)
    if connection.vendor == "postgresql":
        joined = "string_agg(CAST(w.id AS text), ',')"
    else:
        joined = "group_concat(w.id)"
    sql = (
        f"(SELECT {joined} FROM (SELECT c.id FROM {card} c WHERE {' AND '.join(where)}"
        f" ORDER BY {order} LIMIT %s) w)"
    )
    if not owned:
        # Only a topic with starter cards is walked for them: the person's own
        # topics (all of them, often) are told apart by one index probe, where
        # the walk would read every card of the topic to find none.
        sql = (
            f"CASE WHEN EXISTS (SELECT 1 FROM {card} sc WHERE sc.owner_id IS NULL"
            f" AND sc.topic_id = t.id) THEN {sql} END"
        )
    return sql, params


def _heads(walk: _Walk, *, own_only: bool) -> list[tuple[int, list[int], list[int]]]:
    """Per topic of the scope, in the order of their names: the topic's id, and
    the first cards of the person's own and of the starter library to come."""
    own_sql, own_params = _candidates_sql(walk, owned=True)
    if own_only:
        starter_sql, starter_params = "NULL", []
    else:
        starter_sql, starter_params = _candidates_sql(walk, owned=False)
    topics = walk.scope.topic_ids
    if not topics:
        return []
    sql = (
        f"SELECT t.id, t.name, {own_sql}, {starter_sql} FROM {_table(Topic)} t"
        f" WHERE t.id IN ({', '.join(['%s'] * len(topics))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*own_params, *starter_params, *topics])
        rows = cursor.fetchall()
    heads = []
    for pk, _name, own, starter in sorted(rows, key=lambda row: (row[1], row[0])):
        heads.append((pk, _ids(own, walk), _ids(starter, walk)))
    return heads


def _ids(joined: str | None, walk: _Walk) -> list[int]:
    """The ids of a walk, in its order (which the joining may not keep)."""
    ids = [int(part) for part in joined.split(",")] if joined else []
    if walk.multiplier is None:
        return sorted(ids)
    return sorted(ids, key=lambda pk: pk * walk.multiplier % PRIME)


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
    walk = _Walk(
        user_id=user_id,
        scope=scope,
        since=since,
        multiplier=(
            shuffle_multiplier(user_id=user_id, day=day)
            if profile.new_card_order == NewCardOrder.RANDOM
            else None
        ),
        new_from=new_from,
        skip=tuple(skip),
        skip_prompts=tuple(skip_prompts),
        count=count,
    )
    queues = _heads(walk, own_only=scope.own_only)
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
