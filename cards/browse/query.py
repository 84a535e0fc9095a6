"""A search turned into one filter over the cards a person may read.

Each card-level term (``kind:``, ``topic:``, ``mine``, ``added:``, ...) is a
test on the card's row. A prompt-level term (``is:due``, ``is:new``,
``rated:``, ``prop:``) matches a card when any one of its prompts does, as an
EXISTS over the person's progress or reviews (``is:due`` and ``rated:`` as the
cards IN the few rows an index finds); two such terms may be met by
different prompts of the card. Free words use the full-text index
(cards/search.py), one look-up per run of words joined by AND.

The person's time zone is read when a term counts days, their FSRS
parameters when one asks for ``prop:r``: at most two small queries, then the
search itself is one."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db import NotSupportedError
from django.db.models import DateTimeField, Exists, F, FloatField, Func, OuterRef, Q, Value
from django.db.models.functions import Substr
from django.utils import timezone
from taggit.models import TaggedItem

from accounts.models import Profile
from cards import scheduling
from cards.leeches import leech_filter
from cards.models import Card, Progress, Prompt, ReviewLog
from cards.models.cards import hidden_from
from cards.search import MAX_WORDS, matching
from cards.services import never_studied, start_of_day

from .syntax import And, Node, Not, Or, parse
from .terms import Added, Is, Kind, Named, Owner, Prop, Rated, Words

LOOKUPS = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte", "=": "exact"}
# R falls as the days since the last review grow: R < x is days > S * g(x).
MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}
PROGRESS_FIELDS = {"d": "difficulty", "s": "stability", "lapses": "lapses", "reps": "reps"}


def cards_matching(user, text: str, *, now: datetime | None = None):
    """The cards ``user`` may read that the search ``text`` finds (a QuerySet,
    unordered as Card's default). Raises terms.QueryError for a search it
    cannot read."""
    tree = parse(text)
    if tree is None:
        return Card.objects.visible_to(user)
    # The starter cards the person hid are found by is:hidden alone.
    cards = Card.objects.readable_by(user) if _asks_hidden(tree) else Card.objects.visible_to(user)
    return cards.filter(search_filter(tree, Reader(user=user, now=now or timezone.now())))


def _asks_hidden(node: Node) -> bool:
    if isinstance(node, And | Or):
        return any(_asks_hidden(part) for part in node.parts)
    if isinstance(node, Not):
        return _asks_hidden(node.part)
    return isinstance(node, Is) and node.what == "hidden"


@dataclass
class Reader:
    """Who searches and when: what the terms are read against."""

    user: object
    now: datetime
    zone: ZoneInfo | None = field(default=None)
    # Whether another term of the AND being read finds few cards from an index
    # (NARROWING): a costly test is then made on each of them, not on all.
    narrowed: bool = False

    def since(self, days: int) -> datetime:
        """The start of the person's day ``days - 1`` days ago (1: today)."""
        zone = self.zone or self.person_zone
        first = start_of_day(self.now, zone).date() - timedelta(days=days - 1)
        return datetime.combine(first, time.min, tzinfo=zone)

    @cached_property
    def person_zone(self) -> ZoneInfo:
        name = Profile.objects.filter(user=self.user).values_list("timezone", flat=True).first()
        return ZoneInfo(name or "UTC")

    @cached_property
    def scheduler(self):
        return scheduling.person_scheduler(self.user.pk)

    def progress(self, *conditions: Q, **fields) -> Exists:
        """Whether one of the card's prompts has progress of the person that
        meets the conditions."""
        rows = Progress.objects.filter(user=self.user, card=OuterRef("pk"))
        return Exists(rows.filter(*conditions, **fields))


def _narrows(node: Node) -> bool:
    """is:due and rated: find their few cards from an index (the due rows, the
    reviews of some days)."""
    return isinstance(node, Rated) or (isinstance(node, Is) and node.what == "due")


def search_filter(node: Node, reader: Reader) -> Q:
    if isinstance(node, And):
        words = [word for part in node.parts if isinstance(part, Words) for word in part.words]
        found = _words(words, reader) if words else Q()
        narrowed, reader.narrowed = (
            reader.narrowed,
            reader.narrowed or any(_narrows(part) for part in node.parts),
        )
        for part in node.parts:
            if not isinstance(part, Words):
                found &= search_filter(part, reader)
        reader.narrowed = narrowed
        return found
    if isinstance(node, Or):
        found = Q()
        for part in node.parts:
            found |= search_filter(part, reader)
        return found
    if isinstance(node, Not):
        return ~search_filter(node.part, reader)
    return TERMS[type(node)](node, reader)


def _words(words: list[str], reader: Reader) -> Q:
    """Cards with every word, in look-ups of at most MAX_WORDS words."""
    words = list(dict.fromkeys(words))
    found = Q()
    for start in range(0, len(words), MAX_WORDS):
        found &= matching(reader.user, words[start : start + MAX_WORDS])
    return found


def _free_words(term: Words, reader: Reader) -> Q:
    return _words(list(term.words), reader)


def _is(term: Is, reader: Reader) -> Q:
    if term.what == "due":
        # The few due rows first, from the live due index, not a look-up per card.
        due = Progress.objects.filter(user=reader.user, suspended=False, due__lte=reader.now)
        return Q(pk__in=due.values("card_id"))
    if term.what == "new":
        prompts = Prompt.objects.filter(card=OuterRef("pk"))
        return Q(Exists(never_studied(prompts, user_id=reader.user.pk)))
    if term.what == "suspended":
        # The progress rows keep a copy of the card's suspension (Card.save).
        return Q(suspended=True)
    if term.what == "hidden":
        return Q(pk__in=hidden_from(reader.user))
    return leech_filter(reader.user)


def _owner(term: Owner, reader: Reader) -> Q:
    return Q(owner=reader.user) if term.mine else Q(owner__isnull=True)


def _kind(term: Kind, reader: Reader) -> Q:
    return Q(kind=term.kind)


def _named(term: Named, reader: Reader) -> Q:
    if term.field == "topic":  # topics are told apart by name in any case
        lookup = "topic__name__istartswith" if term.prefix else "topic__name__iexact"
        return Q(**{lookup: term.name})
    # Tags are matched by their exact spelling (TAGGIT_CASE_INSENSITIVE is off);
    # a prefix by its first characters, exactly, on both databases.
    tagged = TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(Card))
    if term.prefix:
        tagged = tagged.alias(head=Substr("tag__name", 1, len(term.name))).filter(head=term.name)
    else:
        tagged = tagged.filter(tag__name=term.name)
    return Q(pk__in=tagged.values("object_id"))


def _added(term: Added, reader: Reader) -> Q:
    return Q(created_at__gte=reader.since(term.days))


def _rated(term: Rated, reader: Reader) -> Q:
    # The reviews of those days first, from the person's time index: a look-up
    # per card would read every review of every card the search walks.
    reviews = ReviewLog.objects.filter(user=reader.user, reviewed_at__gte=reader.since(term.days))
    if term.rating is not None:
        reviews = reviews.filter(rating=term.rating)
    return Q(pk__in=reviews.values("card_id"))


def _prop(term: Prop, reader: Reader) -> Q:
    if term.name == "r":
        return _recall(term, reader)
    value = 1 + 9 * term.value if term.name == "d" else term.value
    return Q(reader.progress(_compare(PROGRESS_FIELDS[term.name], term.operator, value)))


def _compare(name: str, operator: str, value) -> Q:
    if operator == "!=":
        return Q(**{f"{name}__isnull": False}) & ~Q(**{name: value})
    return Q(**{f"{name}__{LOOKUPS[operator]}": value})


class ElapsedDays(Func):
    """Whole days from a moment to ``now``, counted as fsrs counts them for
    retrievability (a timedelta's days, never below 0)."""

    output_field = FloatField()

    def __init__(self, moment: str, now: datetime):
        super().__init__(F(moment), Value(now, output_field=DateTimeField()))

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError("prop:r runs on SQLite and PostgreSQL only.")

    def _parts(self, compiler):
        moment, moment_params = compiler.compile(self.source_expressions[0])
        now, now_params = compiler.compile(self.source_expressions[1])
        return moment, now, (*now_params, *moment_params)

    def as_sqlite(self, compiler, connection, **extra):
        moment, now, params = self._parts(compiler)
        # In whole milliseconds first: julianday's doubles carry about that much.
        millis = f"CAST(ROUND((julianday({now}) - julianday({moment})) * 86400000) AS INTEGER)"
        return f"MAX(0, {millis} / 86400000)", params

    def as_postgresql(self, compiler, connection, **extra):
        moment, now, params = self._parts(compiler)
        # date_part's double, not EXTRACT's numeric: half the time over the
        # person's rows, and exact to the microsecond over years of days.
        days = f"FLOOR(date_part('epoch', {now} - {moment}) / 86400)"
        return f"GREATEST(0, {days})", params


def _recall(term: Prop, reader: Reader) -> Q:
    """prop:r, the chance of recalling a prompt now by the person's FSRS:
    R = (1 + factor * t / S) ** decay, with t the whole days since the last
    review. R only falls as t / S grows, so R op x is t (mirrored op) S * g(x),
    g(x) = (x ** (1 / decay) - 1) / factor; the prompts never studied have no R."""
    decay = -reader.scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    studied = Q(stability__gt=0, last_review__isnull=False)
    operator = MIRRORED[term.operator]
    if term.value == 0:  # R is never 0: g(0) is infinite
        if operator in {"<", "<=", "!="}:
            return Q(reader.progress(studied))
        return Q(pk__in=[])
    bound = (term.value ** (1 / decay) - 1) / factor
    rows = Progress.objects.filter(studied, user=reader.user)
    rows = rows.alias(elapsed=ElapsedDays("last_review", reader.now))
    if reader.narrowed:  # R of the few cards is:due or rated: found
        rows = rows.filter(card=OuterRef("pk"))
        return Q(Exists(rows.filter(_compare("elapsed", operator, F("stability") * bound))))
    # Else the person's rows are read once, as the cards IN them: an EXISTS
    # works R out again for each card the search walks. OFFSET 0 keeps
    # PostgreSQL from joining them, as it would for each card in order.
    rows = rows.filter(_compare("elapsed", operator, F("stability") * bound))
    return Q(pk__in=rows.values("card_id").distinct())


TERMS = {
    Words: _free_words,
    Is: _is,
    Owner: _owner,
    Kind: _kind,
    Named: _named,
    Added: _added,
    Rated: _rated,
    Prop: _prop,
}
