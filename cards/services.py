"""Card and topic queries that several pages share: what a person sees and
can study, counted per topic; the start of their day; saving a card; a
card's review history; deleting a topic."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from taggit.models import TaggedItem

from prep_site import figures

from . import scheduling
from .models import (
    Card,
    CardMedia,
    HiddenCard,
    Progress,
    Prompt,
    QuizItem,
    ReviewLog,
    Topic,
    delete_files_on_commit,
)
from .models.cards import hidden_from
from .review_days import uncount_reviews


def start_of_day(now: datetime, zone: ZoneInfo) -> datetime:
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time.min, tzinfo=zone)


def per_topic_counts(rows, *, user, owner_field: str) -> dict[int, int]:
    """Counts grouped by topic over what the person sees: their own rows and the
    starter library's, counted apart and added up in one query (a UNION ALL).
    Each half is a range of an index that starts with the owner; an OR of the
    two would make SQLite gather the rows themselves."""
    own = rows.filter(**{owner_field: user})
    card_field = owner_field.rpartition("__")[0] or "pk"
    starter = rows.filter(**{f"{owner_field}__isnull": True}).exclude(
        **{f"{card_field}__in": hidden_from(user)}
    )
    counts: dict[int, int] = {}
    for topic_id, n in own.union(starter, all=True):
        counts[topic_id] = counts.get(topic_id, 0) + n
    return counts


def studiable_per_topic(user, total) -> dict[int, int]:
    """``total`` (an aggregate such as ``Count("*")``) over the unsuspended cards
    the person sees, by topic. Read from the (owner, topic, suspended, ...)
    index alone, for every topic at once: a filter on some topics, or a count
    joined to the topics, would make the database read the cards themselves."""
    return per_topic_counts(
        Card.objects.filter(suspended=False).values_list("topic_id").annotate(n=total).order_by(),
        user=user,
        owner_field="owner",
    )


def topics_with_card_counts(user) -> list[Topic]:
    """The person's topics and the starter library's, each with ``card_count``:
    the cards they can see in it, counted on the (owner, topic) index."""
    counts = per_topic_counts(
        Card.objects.values_list("topic_id").annotate(n=Count("*")).order_by(),
        user=user,
        owner_field="owner",
    )
    topics = list(Topic.objects.visible_to(user).order_by("owner_id", "name"))
    for topic in topics:
        topic.card_count = counts.get(topic.pk, 0)
    return topics


def kept_studiable_prompts(user) -> dict[int, int]:
    """The studiable prompts per topic, kept until the person writes."""
    return figures.kept(
        user.pk, "studiable_prompts", lambda: studiable_per_topic(user, Sum("prompt_count"))
    )


def kept_topics_with_card_counts(user) -> list[Topic]:
    """``topics_with_card_counts``, kept until the person writes (prep_site/figures.py)."""
    return figures.kept(user.pk, "topics", lambda: topics_with_card_counts(user))


def studiable_prompts(*, user_id: int, topic_ids: list[int]):
    """Prompts of the person's visible, unsuspended cards in the given topics."""
    return Prompt.objects.filter(
        Q(card__owner_id=user_id) | Q(card__owner__isnull=True),
        card__topic_id__in=topic_ids,
        card__suspended=False,
    ).exclude(card__in=hidden_from(user_id))


def never_studied(prompts, *, user_id: int):
    """Those of ``prompts`` the person has no progress on: never graded (or every
    grade undone)."""
    return prompts.exclude(Exists(Progress.objects.filter(user_id=user_id, prompt=OuterRef("pk"))))


@transaction.atomic
def save_card(*, card: Card, tags: list[str] | None = None) -> Card:
    """Save a card with its tags and the prompts its kind asks for."""
    card.full_clean()
    card.save()
    if tags is not None:
        card.tags.set(tags, clear=True)
    card.sync_prompts()
    return card


def card_history(*, user, card: Card, now: datetime):
    """Every review of a card by the person, latest first, with the interval that
    followed, and each prompt's memory state now.

    Both are looked up by the card's prompts, on the (user, prompt, ...) unique
    indexes. Asked for by card and user, or sorted by time in SQL, SQLite would
    rather walk all of the person's reviews in time order (1,000,000 of them
    for some) than sort a card's few."""
    prompts = Prompt.objects.filter(card=card).values("pk")
    reviews = sorted(
        ReviewLog.objects.filter(user=user, prompt__in=prompts).select_related("prompt").order_by(),
        key=lambda review: (review.reviewed_at, review.pk),
        reverse=True,
    )
    for review in reviews:
        review.interval = review.due_after - review.reviewed_at
    states = []
    rows = Progress.objects.filter(user=user, prompt__in=prompts)
    for progress in rows.select_related("prompt", "user__scheduler_settings"):
        by = scheduling.person_scheduler(user.pk, keep_on=progress)
        states.append(
            {
                "progress": progress,
                "retrievability": scheduling.retrievability(progress, now=now, by=by),
            }
        )
    return reviews, states


def delete_card(card: Card) -> None:
    """Delete a card with all that hangs from it, and its images' files once
    that commits."""
    with transaction.atomic():
        delete_files_on_commit(card.media.all())
        card.delete()


def delete_topic(topic: Topic) -> None:
    """Delete a topic with its cards and all that hangs from them.

    Django's own delete loads every card and prompt to find what cascades:
    about 4 s for a topic of 20,000 cards, all of it holding SQLite's one write
    lock. Here each table loses its rows in one statement, children before the
    rows they point to, and Django's delete then takes the topic and its few
    remaining rows (its review days, sessions' links to it). No review needs
    taking off its day: the topic's days go with it. A table that points at
    cards and is missing here makes the delete fail on its foreign key, whole,
    rather than leave rows behind."""
    with transaction.atomic():
        _delete_card_rows(Card.objects.filter(topic=topic))
        topic.delete()


def delete_cards(cards: QuerySet, *, files: bool = True) -> None:
    """Delete many cards as ``delete_card`` does one, whatever their number in
    one statement a table (``delete_topic``), their reviews taken off their
    days first. ``files=False`` leaves their images' files in storage (a copy
    kept for an undo names them)."""
    with transaction.atomic():
        uncount_reviews(ReviewLog.objects.filter(card__in=cards.values("pk")))
        _delete_card_rows(cards, files=files)


def _delete_card_rows(cards: QuerySet, *, files: bool = True) -> None:
    """Delete the cards and every row that points at them, children first, and
    their images' files once that commits (unless ``files`` is False)."""
    card_ids = cards.values("pk")
    if files:
        delete_files_on_commit(CardMedia.objects.filter(card__in=card_ids))
    for rows in (
        CardMedia.objects.filter(card__in=card_ids),
        TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Card), object_id__in=card_ids
        ),
        QuizItem.objects.filter(card__in=card_ids),
        HiddenCard.objects.filter(card__in=card_ids),
        ReviewLog.objects.filter(card__in=card_ids),
        Progress.objects.filter(card__in=card_ids),
        Prompt.objects.filter(card__in=card_ids),
        cards,
    ):
        _delete_rows(rows)


def _delete_rows(rows: QuerySet) -> None:
    """One DELETE of the rows ``rows`` selects, loading none of them and sending
    no signals (none of these models has receivers or files)."""
    meta = rows.model._meta
    select, params = rows.values("pk").query.sql_with_params()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} IN ({select})",
            params,
        )
