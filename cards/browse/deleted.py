"""The copy a bulk delete keeps of the person's own cards, so that its undo can
bring them back (hide.py deletes them, undo.py asks for them back).

Per card, UndoRecord.changes keeps its row, its prompts, the person's
progress and reviews of it (each row with its pk, as a list of values in the
order of the field names below), its tag names and its images' rows (name,
file, size). The images' files stay in storage while the copy may be used:
``UndoRecord.release_files`` deletes them when the record goes without its
cards coming back. A delete of more than MAX_KEPT own cards keeps no copy and
is for good, as the confirmation says.

Undo writes the rows back with the same pks, a few statements a table, and
does what saving a card would have: the tags, the reviews counted on their
days again, open study sessions offered the cards again, the figures kept per
person forgotten. The full-text search index follows the card table by
itself (SQLite's triggers, PostgreSQL's expression index). A card whose topic
is gone since stays deleted (its images' files go then). Quiz items of the
deleted cards are not kept: past quizzes lose those questions for good."""

from datetime import date, datetime
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Model
from taggit.models import TaggedItem

from ..models import Card, CardMedia, Progress, Prompt, ReviewLog, StudySession, Topic
from ..review_days import count_reviews

# Past this many own cards a delete keeps no copy: the copy is written to one
# JSON value, read back whole by the undo.
MAX_KEPT = 2_000
BATCH = 500


def _names(model: type[Model], *left_out: str) -> tuple[str, ...]:
    return tuple(
        field.attname for field in model._meta.concrete_fields if field.attname not in left_out
    )


# Every column, pks included, but the ones the copy is kept by: the card's id
# (its key), its card and its person (the record's).
CARD = _names(Card, "id", "owner_id")
PROMPT = _names(Prompt, "card_id")
PROGRESS = _names(Progress, "card_id", "user_id")
REVIEW = _names(ReviewLog, "card_id", "user_id")
MEDIA = _names(CardMedia, "card_id")
TABLES = {
    "prompts": (Prompt, PROMPT),
    "progress": (Progress, PROGRESS),
    "reviews": (ReviewLog, REVIEW),
}


def json_value(value):
    """A value as JSON keeps it, to the microsecond."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _row(model: type[Model], names: tuple[str, ...], values: list) -> dict:
    """The fields of a kept row, each read back as its field stores it."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    return {
        name: None if value is None else fields[name].to_python(value)
        for name, value in zip(names, values, strict=True)
    }


def keep(ids: list[int], *, user) -> dict[str, dict]:
    """The copy of the person's own cards ``ids``, keyed by card id: a few
    queries whatever their number."""
    kept: dict[str, dict] = {}
    for pk, *values in Card.objects.filter(pk__in=ids).values_list("pk", *CARD):
        kept[str(pk)] = {
            "card": [json_value(value) for value in values],
            "prompts": [],
            "progress": [],
            "reviews": [],
            "tags": [],
            "media": [],
        }
    tables = {**TABLES, "media": (CardMedia, MEDIA)}
    for key, (model, names) in tables.items():
        rows = model.objects.filter(card_id__in=ids)
        if model in (Progress, ReviewLog):
            rows = rows.filter(user=user)
        for card_id, *values in rows.order_by("pk").values_list("card_id", *names):
            kept[str(card_id)][key].append([json_value(value) for value in values])
    tagged = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Card), object_id__in=ids
    )
    for card_id, name in tagged.order_by("tag__name").values_list("object_id", "tag__name"):
        kept[str(card_id)]["tags"].append(name)
    return kept


def kept_files(changes: dict) -> list[str]:
    """The names of the image files a copy (UndoRecord.changes) keeps."""
    at = MEDIA.index("file")
    return [
        media[at]
        for value in changes.values()
        if isinstance(value, dict)
        for media in value.get("media", ())
    ]


def bring_back(kept: dict[str, dict], *, user) -> list[int]:
    """Write the kept cards back, each whose topic is still the person's and
    whose pk is free; the ids of the cards brought back. BulkRefused when they
    would take the person past their most cards (the caller's transaction
    then keeps the record)."""
    from .bulk import BulkRefused, Chosen, offer_again_from, tags_named

    copies = {int(pk): _row(Card, CARD, value["card"]) for pk, value in kept.items()}
    topics = set(
        Topic.objects.owned_by(user)
        .filter(pk__in={copy["topic_id"] for copy in copies.values()})
        .values_list("pk", flat=True)
    )
    taken = set(Card.objects.filter(pk__in=list(copies)).values_list("pk", flat=True))
    back = sorted(
        pk for pk, copy in copies.items() if copy["topic_id"] in topics and pk not in taken
    )
    try:  # cards added since may leave no room
        Card.objects.check_room(user, adding=len(back))
    except ValidationError as error:
        raise BulkRefused(f"{error.messages[0]} Nothing was undone.") from None
    cards = [Card(pk=pk, owner=user, **copies[pk]) for pk in back]
    Card.objects.bulk_create(cards, batch_size=BATCH)
    for card in cards:  # the insert stamped them now
        card.created_at = copies[card.pk]["created_at"]
        card.updated_at = copies[card.pk]["updated_at"]
    Card.objects.bulk_update(cards, ["created_at", "updated_at"], batch_size=BATCH)
    sessions = set(StudySession.objects.filter(user=user).values_list("pk", flat=True))
    for key, (model, names) in TABLES.items():
        rows = []
        for pk in back:
            for values in kept[str(pk)][key]:
                fields = _row(model, names, values)
                if model is not Prompt:
                    fields["user"] = user
                if model is ReviewLog and fields["session_id"] not in sessions:
                    fields["session_id"] = None  # a session deleted since
                rows.append(model(card_id=pk, **fields))
        model.objects.bulk_create(rows, batch_size=BATCH)
    CardMedia.objects.bulk_create(
        [
            CardMedia(card_id=pk, **_row(CardMedia, MEDIA, values))
            for pk in back
            for values in kept[str(pk)]["media"]
        ],
        batch_size=BATCH,
    )
    pairs = [(pk, name) for pk in back for name in kept[str(pk)]["tags"]]
    tags = {tag.name: tag for tag in tags_named({name for _, name in pairs})}
    content_type = ContentType.objects.get_for_model(Card)
    TaggedItem.objects.bulk_create(
        [TaggedItem(content_type=content_type, object_id=pk, tag=tags[name]) for pk, name in pairs],
        batch_size=BATCH,
    )
    reviews = ReviewLog.objects.filter(user=user, card_id__in=back)
    if any(kept[str(pk)]["reviews"] for pk in back):
        count_reviews(reviews)
    offer_again_from(
        [
            Chosen(pk, user.pk, copies[pk]["topic_id"], copies[pk]["suspended"])
            for pk in back
            if not copies[pk]["suspended"]
        ]
    )
    return back
