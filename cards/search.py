"""Card search on the database's own full-text index: FTS5 on SQLite (see
migration 0009_card_search_by_owner), a GIN index over to_tsvector on
PostgreSQL (0003_card_search). Each word of the query must start a word of the
card's front or back; a word that is a tag name also finds the cards with that
tag. Only the cards the reader may see are searched.

Each database is asked in the shape its planner answers from the index: the
matches first, then one primary-key lookup per match, never a walk over every
card the reader owns."""

import re

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from taggit.models import TaggedItem

WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8

# Must be the very expression of the card_search_words index, or PostgreSQL
# cannot use it.
POSTGRES_MATCH = (
    "to_tsvector('simple'::regconfig, COALESCE(front, '') || ' ' || COALESCE(back, '')) "
    "@@ to_tsquery('simple', %s)"
)
SQLITE_MATCH = "SELECT rowid FROM cards_card_fts WHERE cards_card_fts MATCH %s"


class AnyOf(Func):
    """``expression = ANY(ARRAY(subquery))``: PostgreSQL scans the primary key
    for the list, and can OR that scan with the text index's (a BitmapOr),
    where ``IN (subquery)`` would have it test every card against both."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY(ARRAY"
    output_field = BooleanField()


def search_words(query: str) -> list[str]:
    return [word.lower() for word in WORD.findall(query)][:MAX_WORDS]


def sqlite_match(reader_id: int, words: list[str]) -> str:
    """An FTS5 query: the reader's cards and the starter library's (their
    owner column, "o0" for the library), with every word starting a word of
    the front or back. Words are quoted, so nothing in them is syntax."""
    phrases = " ".join(f'"{word}"*' for word in words)
    return f"owner : (o{reader_id} OR o0) AND {{front back}} : ({phrases})"


def matching(reader, words: list[str]) -> Q:
    """Cards ``reader`` may read with every word, or with a tag named by one.
    (Card's QuerySet calls this, so the model is looked up, not imported.)"""
    tagged = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_by_natural_key("cards", "card"), tag__name__in=words
    ).values("object_id")
    if connection.vendor == "sqlite":
        # The owner test as COALESCE(owner_id, reader) = reader, which no index
        # serves: SQLite then starts from the two lists of matches instead of
        # the owner index.
        readable = Exact(Coalesce("owner", Value(reader.pk)), reader.pk)
        text = Q(pk__in=RawSQL(SQLITE_MATCH, [sqlite_match(reader.pk, words)]))
        return Q(readable) & (text | Q(pk__in=tagged))
    readable = Q(owner=reader) | Q(owner__isnull=True)
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"'{word}':*" for word in words)
        text = Q(RawSQL(POSTGRES_MATCH, [tsquery], output_field=BooleanField()))
        return readable & (text | Q(AnyOf(F("pk"), Subquery(tagged))))
    text = Q()
    for word in words:
        text &= Q(front__icontains=word) | Q(back__icontains=word)
    return readable & (text | Q(pk__in=tagged))
