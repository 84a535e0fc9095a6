"""Resetting progress, a bulk action of the card browser: the chosen cards
become new for this person, their own cards and the starter library's alike
(progress is each person's own). Open study sessions offer them as new again.

Their review log goes with their progress rows, unlike Anki's "Forget", which
keeps it: here a grade is numbered from the prompt's progress
(``ReviewLog.review_number`` is the row's ``reps`` + 1, unique per person and
prompt), so a kept log would clash with the first grade after the reset; the
new cards of a day are the grades numbered 1 (study limits, the dashboard);
and undoing a grade puts back the progress the log kept. Without the log,
every one of these reads the cards as never studied, as they now are. The
reviews are taken off their days' counts (streak, heatmap, retention) as a
deleted card's are.

Undo puts the rows back as they were, from the copy the reset kept in
ResetProgress and ResetReview: one INSERT … SELECT a table each way, so that
10,000 cards with 100,000 reviews take seconds, not minutes. A card studied
since (it has progress or reviews of the person again), deleted, or hidden
keeps what it has now; a prompt a cloze lost since stays gone."""

from collections.abc import Callable

from django.db import connection
from django.db.models import F, Model, QuerySet

from ..models import (
    Card,
    Progress,
    ResetProgress,
    ResetReview,
    ReviewLog,
    StudySession,
    UndoRecord,
)
from ..models.reset import forget_reset_copy
from ..review_days import count_reviews, uncount_reviews


def _columns(copy: type[Model]) -> list[str]:
    """The columns a copy shares with the table it copies: all but its pk."""
    return [field.column for field in copy._meta.concrete_fields if not field.primary_key]


def _insert(into: type[Model], columns: list[str], rows: QuerySet) -> None:
    """INSERT INTO ``into`` (``columns``) the rows the query ``rows`` selects,
    its values in the same order, without bringing them into Python."""
    select, params = rows.order_by().query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(into._meta.db_table)} ({names}) {select}", params)


def reset_chosen(
    rows, *, user, keep: Callable[[dict], UndoRecord]
) -> tuple[str, UndoRecord | None]:
    """Make the cards ``rows`` (bulk.Chosen) new for the person: the message and
    the undo record ``keep`` made for the cards reset."""
    from .bulk import n_cards, offer_again_from

    ids = [row.pk for row in rows]
    progress = Progress.objects.filter(user=user, card_id__in=ids)
    reviews = ReviewLog.objects.filter(user=user, card_id__in=ids)
    reset = set(progress.values_list("card_id", flat=True)) | set(
        reviews.order_by().values_list("card_id", flat=True).distinct()
    )
    if not reset:
        which = "That card is" if len(rows) == 1 else "Those cards are"
        return f"{which} new already: nothing to reset.", None
    record = keep(dict.fromkeys(sorted(reset)))  # the previous copy goes with its record
    for copy, rows_of in ((ResetProgress, progress), (ResetReview, reviews)):
        columns = _columns(copy)
        _insert(copy, columns, rows_of.values_list(*columns))
    uncount_reviews(reviews)
    reviews.delete()
    progress.delete()
    offer_again_from([row for row in rows if row.pk in reset and not row.suspended])
    return (
        f"Reset {n_cards(len(reset))}: new again, without their progress and reviews.",
        record,
    )


def reset_back(record: UndoRecord) -> tuple[int, int]:
    """Undo a reset: put back the progress and reviews of each card not studied,
    deleted or hidden since. The cards put back and the cards left."""
    user = record.user
    wanted = record.card_ids
    # Studied since: read among the wanted cards only (a NOT IN over all the
    # person's rows took PostgreSQL minutes at 100,000 cards).
    studied = set(
        Progress.objects.filter(user=user, card_id__in=wanted).values_list("card_id", flat=True)
    ) | set(
        # Unordered: the log's default order by time would walk all of the
        # person's reviews by their time index.
        ReviewLog.objects.filter(user=user, card_id__in=wanted)
        .order_by()
        .values_list("card_id", flat=True)
        .distinct()
    )
    back = [
        pk
        for pk in Card.objects.visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True)
        if pk not in studied
    ]
    left = set(wanted) - set(back)
    kept_progress = ResetProgress.objects.filter(user=user).exclude(card_id__in=left)
    kept_reviews = ResetReview.objects.filter(user=user).exclude(card_id__in=left)
    # A session deleted since: its reviews come back without one.
    kept_reviews.exclude(session=None).exclude(
        session_id__in=StudySession.objects.filter(user=user).values("pk")
    ).update(session=None)
    # Through the card and the prompt (a cloze's prompt edited away since
    # stays gone): the topic and suspension the progress row copies come
    # from the card as it is now.
    columns = _columns(ResetProgress)
    _insert(
        Progress,
        [*columns, "topic_id", "suspended"],
        kept_progress.filter(prompt__card=F("card")).values_list(
            *columns, "card__topic", "card__suspended"
        ),
    )
    columns = _columns(ResetReview)
    _insert(ReviewLog, columns, kept_reviews.filter(prompt__card=F("card")).values_list(*columns))
    forget_reset_copy(user.pk)
    count_reviews(ReviewLog.objects.filter(user=user, card_id__in=back))
    return len(back), len(left)
