"""Card exports: CSV for spreadsheets, and tab-separated text that Anki's own
importer reads ("Notes in Plain Text", with the file headers Anki documents).

Both are written row by row, so a large collection streams out without being
held in memory.

A cell or field that a spreadsheet would run as a formula (starting with =, +,
-, @, a tab or a carriage return) gets a leading apostrophe, the usual defence
against CSV formula injection, in both files: the Anki file is tab-separated
text that a spreadsheet opens as readily as a CSV. In Anki the apostrophe shows
at the start of such a field.
"""

import csv
import hashlib
import html
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice

from taggit.utils import edit_string_for_tags

from ..browse.bulk import chosen_cards
from ..browse.query import cards_matching
from ..models import Card, Topic

CSV_COLUMNS = ["front", "back", "topic", "tags", "kind"]
EXPORT_CHUNK = 500  # cards read at a time

# The stock note types of every Anki collection, by the name Anki gives them.
ANKI_NOTETYPES = {
    Card.Kind.BASIC: "Basic",
    Card.Kind.REVERSED: "Basic (and reversed card)",
    Card.Kind.CLOZE: "Cloze",
}
# Anki reads these while lines start with "#"; the separator comes first because
# the "columns" line is split with it.
ANKI_HEADER_LINES = [
    "#separator:tab",
    "#html:true",
    "#notetype column:1",
    "#deck column:2",
    "#tags column:5",
    "#guid column:6",
    "#columns:Note type\tDeck\tFront\tBack\tTags\tGUID",
]
# prep's own header line (which Anki skips): the tags that have spaces.
SPACED_TAGS = "#tags with spaces"
# A note's id in Anki (its "guid"): prep's say whether the card is Markdown or
# HTML, so that prep reads its own file back as it was. Anki's own ids have no "-".
ANKI_GUID_PREFIXES = {Card.TextFormat.MARKDOWN: "prep-md-", Card.TextFormat.HTML: "prep-html-"}


def exportable_cards(*, user, topic: Topic | None = None):
    """The cards an export holds: all of the person's own cards, or one topic's
    cards as the topic page lists them (own, plus the starter library's when it
    is a starter topic). ``topic`` must already be one the person may see."""
    if topic is None:
        cards = Card.objects.owned_by(user)
    else:
        cards = Card.objects.visible_to(user).filter(topic=topic)
    return cards.select_related("topic").order_by("topic__name", "topic_id", "id")


def selected_cards(*, user, ids: list[int], text: str | None):
    """The cards of the card browser's selection, as an export holds them: the
    ticked ``ids`` or, when ``text`` is not None, every card the search finds.
    Refuses (bulk.BulkRefused) as a bulk action would: an id that is not the
    person's, a search it cannot read, nothing chosen."""
    chosen_cards(user=user, ids=ids, text=text)
    if text is not None:
        cards = cards_matching(user, text)
    else:
        cards = Card.objects.visible_to(user).filter(pk__in=ids)
    return cards.select_related("topic").order_by("topic__name", "topic_id", "id")


def with_tags(cards, *, chunk_size: int = EXPORT_CHUNK) -> Iterator[Card]:
    """The cards, read ``chunk_size`` at a time, each with ``tag_list``: its tags,
    read in one query per chunk. (taggit's manager, even prefetched, builds a
    query for every card, which made an export of 100,000 cards take 19 s.)"""
    rows = cards.iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        tags = defaultdict(list)
        for item in Card.tags.through.objects.filter(
            content_type__app_label=Card._meta.app_label,
            content_type__model=Card._meta.model_name,
            object_id__in=[card.pk for card in chunk],
        ).select_related("tag"):
            tags[item.object_id].append(item.tag)
        for card in chunk:
            card.tag_list = tags[card.pk]
            yield card


# A cell a spreadsheet would evaluate, after any apostrophes: one more apostrophe
# goes before it, so that taking one away gives back the text exactly.
FORMULA = re.compile(r"'*[=+\-@\t\r]")


def neutralize_formula(value: str) -> str:
    """A cell a spreadsheet would evaluate, made plain text with a leading apostrophe
    (a cell starting with apostrophes before such a character gets one more)."""
    return "'" + value if FORMULA.match(value) else value


def unneutralize_formula(value: str) -> str:
    """The text of a cell ``neutralize_formula`` wrote."""
    return value[1:] if value.startswith("'") and FORMULA.match(value, 1) else value


class _Echo:
    """A file-like object whose write returns what it was given, so csv.writer
    can produce one line at a time for a streaming response."""

    def write(self, value: str) -> str:
        return value


def _tag_names(card: Card) -> list[str]:
    return sorted(tag.name for tag in card.tag_list)


def csv_rows(cards: Iterable[Card]) -> Iterator[list[str]]:
    yield CSV_COLUMNS
    for card in cards:
        row = [
            card.front,
            card.back,
            card.topic.name,
            # Written the way the card form's Tags box reads it back.
            edit_string_for_tags(card.tag_list),
            card.kind,
        ]
        yield [neutralize_formula(cell) for cell in row]


def stream_csv(cards: Iterable[Card]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in csv_rows(cards):
        yield writer.writerow(row)


def anki_field(text: str, *, text_format: str = Card.TextFormat.MARKDOWN) -> str:
    """A face as an HTML field. An HTML card's is written as it is; a Markdown
    card's source is escaped, so that code such as ``<div>`` shows as typed, with
    line breaks as <br>."""
    if text_format == Card.TextFormat.HTML:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return html.escape(text, quote=False).replace("\n", "<br>")


def markdown_from_anki_field(field: str) -> str:
    """The Markdown source ``anki_field`` wrote as ``field``."""
    return html.unescape(field.replace("<br>", "\n"))


def anki_guid(card: Card) -> str:
    """The card's stable id in Anki, unlike any other card's anywhere."""
    digest = hashlib.blake2b(f"{card.pk}:{card.created_at.isoformat()}".encode(), digest_size=8)
    return ANKI_GUID_PREFIXES[card.text_format] + digest.hexdigest()


def anki_tag(name: str) -> str:
    """A tag as Anki can hold it: Anki separates tags with spaces, so a space
    inside a tag becomes "_"."""
    return re.sub(r"\s+", "_", name.strip())


def anki_tags(names: Iterable[str]) -> str:
    return " ".join(sorted({anki_tag(name) for name in names if name.strip()}))


def spaced_tags_line(cards) -> str:
    """The header line naming, as they are in prep, the tags of ``cards`` (a
    queryset) that have a space, so that prep reads their "_" back as a space
    (a literal "_" in another tag stays). Anki does not know the line and skips
    it. Empty when no tag has a space."""
    names = (
        Card.tags.through.objects.filter(
            content_type__app_label=Card._meta.app_label,
            content_type__model=Card._meta.model_name,
            object_id__in=cards.order_by().values("pk"),
            tag__name__contains=" ",
        )
        .values_list("tag__name", flat=True)
        .distinct()
    )
    names = sorted(set(names))
    return f"{SPACED_TAGS}:{json.dumps(names, ensure_ascii=False)}" if names else ""


def tags_from_anki(text: str, spaced: Iterable[str] = ()) -> list[str]:
    """Anki's tags, separated by white space, as names: each whole, with its
    commas and quotes. One that stands for a name in ``spaced`` (the names
    ``spaced_tags_line`` wrote) is that name, spaces and all."""
    spelled = {anki_tag(name).lower(): name for name in spaced}
    return sorted({spelled.get(name.lower(), name) for name in text.split()})


def anki_rows(cards: Iterable[Card]) -> Iterator[list[str]]:
    for card in cards:
        row = [
            ANKI_NOTETYPES[card.kind],
            card.topic.name,
            anki_field(card.front, text_format=card.text_format),
            anki_field(card.back, text_format=card.text_format),
            anki_tags(_tag_names(card)),
            anki_guid(card),
        ]
        yield [neutralize_formula(field) for field in row]


def stream_anki(cards) -> Iterator[str]:
    """The Anki file of ``cards``, a queryset (exportable_cards)."""
    spaced = spaced_tags_line(cards)
    yield "".join(f"{line}\n" for line in [*ANKI_HEADER_LINES, *([spaced] if spaced else [])])
    # Every field quoted: Anki skips lines starting with "#" as comments, and a
    # card whose first field began with "#" would otherwise vanish.
    writer = csv.writer(_Echo(), delimiter="\t", quoting=csv.QUOTE_ALL, lineterminator="\n")
    for row in anki_rows(with_tags(cards)):
        yield writer.writerow(row)
