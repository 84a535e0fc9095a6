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

Undo puts the rows back exactly, from the copy kept in UndoRecord.changes:
per card, its progress rows and its reviews, each as a list of values in the
order of PROGRESS and REVIEW. A card studied since (it has progress or reviews
of the person again), deleted, or hidden keeps what it has now."""

from datetime import date, datetime
from uuid import UUID

from ..models import Card, Progress, ReviewLog, StudySession
from ..review_days import count_reviews, uncount_reviews
from ..scheduling import PROGRESS_FIELDS

PROGRESS = ("prompt_id", *PROGRESS_FIELDS, "reps", "lapses")
REVIEW = (
    "prompt_id",
    "session_id",
    "rating",
    "reviewed_at",
    "duration_ms",
    "review_number",
    "state_before",
    "state_after",
    "due_after",
    "day",
    "previous",
    "client_key",
)
MOMENTS = {"due", "last_review", "reviewed_at", "due_after"}
BATCH = 500


def json_value(value):
    """A value as JSON keeps it, to the microsecond."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _read(name: str, value):
    if value is None:
        return None
    if name in MOMENTS:
        return datetime.fromisoformat(value)
    if name == "day":
        return date.fromisoformat(value)
    if name == "client_key":
        return UUID(value)
    return value


def _fields(names: tuple[str, ...], values: list):
    return ((name, _read(name, value)) for name, value in zip(names, values, strict=True))


def reset_chosen(rows, *, user) -> tuple[str, dict]:
    """Make the cards ``rows`` (bulk.Chosen) new for the person: the message and
    what an undo needs."""
    from .bulk import n_cards, offer_again_from

    ids = [row.pk for row in rows]
    progress = Progress.objects.filter(user=user, card_id__in=ids)
    reviews = ReviewLog.objects.filter(user=user, card_id__in=ids)
    changes: dict[int, dict] = {}
    for card_id, *values in progress.order_by("pk").values_list("card_id", *PROGRESS):
        changes.setdefault(card_id, {"progress": [], "reviews": []})
        changes[card_id]["progress"].append([json_value(value) for value in values])
    for card_id, *values in reviews.order_by("pk").values_list("card_id", *REVIEW):
        changes.setdefault(card_id, {"progress": [], "reviews": []})
        changes[card_id]["reviews"].append([json_value(value) for value in values])
    if not changes:
        which = "That card is" if len(rows) == 1 else "Those cards are"
        return f"{which} new already: nothing to reset.", {}
    uncount_reviews(reviews)
    reviews.delete()
    progress.delete()
    offer_again_from([row for row in rows if row.pk in changes and not row.suspended])
    return (
        f"Reset {n_cards(len(changes))}: new again, without their progress and reviews.",
        changes,
    )


def reset_back(record) -> tuple[int, int]:
    """Undo a reset: put back the progress and reviews of each card not studied,
    deleted or hidden since. The cards put back and the cards left."""
    user = record.user
    wanted = [int(pk) for pk in record.changes]
    # Studied since: read among the wanted cards only (a NOT IN over all the
    # person's rows took PostgreSQL minutes at 100,000 cards).
    studied = set(
        Progress.objects.filter(user=user, card_id__in=wanted).values_list("card_id", flat=True)
    ) | set(
        ReviewLog.objects.filter(user=user, card_id__in=wanted).values_list("card_id", flat=True)
    )
    cards = {
        pk: topic_id
        for pk, topic_id in Card.objects.visible_to(user)
        .filter(pk__in=wanted)
        .values_list("pk", "topic_id")
        if pk not in studied
    }
    suspended = set(
        Card.objects.filter(pk__in=list(cards), suspended=True).values_list("pk", flat=True)
    )
    prompts = set(Card.objects.filter(pk__in=list(cards)).values_list("prompts__pk", flat=True))
    sessions = set(StudySession.objects.filter(user=user).values_list("pk", flat=True))
    progress, reviews = [], []
    for pk, topic_id in cards.items():
        kept = record.changes[str(pk)]
        for values in kept["progress"]:
            fields = dict(_fields(PROGRESS, values))
            if fields["prompt_id"] in prompts:  # a cloze edited away since stays gone
                progress.append(
                    Progress(
                        user=user,
                        card_id=pk,
                        topic_id=topic_id,
                        suspended=pk in suspended,
                        **fields,
                    )
                )
        for values in kept["reviews"]:
            fields = dict(_fields(REVIEW, values))
            if fields["prompt_id"] in prompts:
                if fields["session_id"] not in sessions:
                    fields["session_id"] = None
                reviews.append(ReviewLog(user=user, card_id=pk, **fields))
    Progress.objects.bulk_create(progress, batch_size=BATCH)
    ReviewLog.objects.bulk_create(reviews, batch_size=BATCH)
    count_reviews(ReviewLog.objects.filter(user=user, card_id__in=list(cards)))
    return len(cards), len(wanted) - len(cards)
