"""Card search on the database's own full-text index: FTS5 on SQLite, a GIN
index over to_tsvector on PostgreSQL (see migration 0003_card_search). Each
word of the query must start a word of the card's front or back; a word that
is a tag name also finds the cards with that tag."""

import re

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from taggit.models import TaggedItem

WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8

# Must be the very expression of the card_search_words index, or PostgreSQL
# cannot use it.
POSTGRES_MATCH = (
    "SELECT id FROM cards_card WHERE to_tsvector('simple'::regconfig, "
    "COALESCE(front, '') || ' ' || COALESCE(back, '')) @@ to_tsquery('simple', %s)"
)
SQLITE_MATCH = "SELECT rowid FROM cards_card_fts WHERE cards_card_fts MATCH %s"


def search_words(query: str) -> list[str]:
    return [word.lower() for word in WORD.findall(query)][:MAX_WORDS]


def text_match(words: list[str]) -> Q:
    """Cards whose front or back has every word (as a word prefix)."""
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"'{word}':*" for word in words)
        return Q(pk__in=RawSQL(POSTGRES_MATCH, [tsquery]))
    if connection.vendor == "sqlite":
        match = " ".join(f'"{word}"*' for word in words)
        return Q(pk__in=RawSQL(SQLITE_MATCH, [match]))
    matches = Q()
    for word in words:
        matches &= Q(front__icontains=word) | Q(back__icontains=word)
    return matches


def tag_match(words: list[str]) -> Q:
    from .models import Card

    tagged = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Card), tag__name__in=words
    ).values("object_id")
    return Q(pk__in=tagged)
