"""Checks of the values stored as copies or counts of others, for
``manage.py check_data``.

Each check recomputes a copied value from its source, over the whole database
at once (a few set-based queries, whatever the number of cards and reviews),
and returns the rows where the stored value differs; its fix writes the
computed value back through the same code the app keeps it with. The checks run
in an order where a fix can only disturb a later check's value (a prompt
dropped takes its reviews off their days; a prompt added may be new below a
session's ``new_from``), never an earlier one's."""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Subquery

from . import review_days
from .markdown import cloze_numbers
from .models import (
    Card,
    HiddenCard,
    Progress,
    Prompt,
    QuizItem,
    ReviewDay,
    ReviewLog,
    StudySession,
)


@dataclass(frozen=True)
class Difference:
    """One stored value that is not what its source says."""

    check: str
    subject: str  # which row, in words
    value: str  # which value
    stored: str
    computed: str
    key: tuple = ()  # what the check's fix needs to find the row again

    def __str__(self) -> str:
        return f"{self.subject}: {self.value} is {self.stored}, should be {self.computed}"


@dataclass(frozen=True)
class Check:
    name: str
    find: Callable[[], list[Difference]]
    fix: Callable[[list[Difference]], None]


def _names(user_ids) -> dict[int, str]:
    users = get_user_model().objects.filter(pk__in=set(user_ids))
    return dict(users.values_list("pk", "username"))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


# 1. Rows that name both a prompt and its card: the card is the prompt's. ----------------

CARD_COPIES = [(Progress, "progress row"), (ReviewLog, "review"), (QuizItem, "quiz item")]


def _card_not_the_prompts(model):
    return model.objects.exclude(card_id=F("prompt__card_id"))


def find_card_ids() -> list[Difference]:
    found = []
    for model, label in CARD_COPIES:
        rows = _card_not_the_prompts(model).values_list(
            "pk", "prompt_id", "card_id", "prompt__card_id"
        )
        for pk, prompt_id, stored, computed in rows.order_by("pk").iterator():
            found.append(
                Difference(
                    "card ids",
                    f"{label.capitalize()} {pk} (prompt {prompt_id})",
                    "its card",
                    f"card {stored}",
                    f"card {computed}, its prompt's",
                )
            )
    return found


def fix_card_ids(found: list[Difference]) -> None:
    prompts_card = Subquery(Prompt.objects.filter(pk=OuterRef("prompt_id")).values("card_id"))
    for model, _label in CARD_COPIES:
        _card_not_the_prompts(model).update(card_id=prompts_card)


# 2. A card's prompts and prompt_count: what its kind and text ask. --------------------------

KIND_ORDINALS = {Card.Kind.BASIC: [0], Card.Kind.REVERSED: [0, 1]}


def _cards_with_prompts_off() -> set[int]:
    """Cards whose prompts or prompt_count are not what their kind and text ask:
    set-based for basic and reversed cards, and for clozes one pass along
    their fronts and prompts in card order (the deletions are read from the
    text), two streamed queries."""
    off = set(
        Card.objects.values("pk")
        .annotate(n=Count("prompts"))
        .exclude(prompt_count=F("n"))
        .values_list("pk", flat=True)
    )
    for kind, ordinals in KIND_ORDINALS.items():
        off.update(
            Card.objects.filter(kind=kind)
            .exclude(prompt_count=len(ordinals))
            .values_list("pk", flat=True)
        )
        off.update(
            Prompt.objects.filter(card__kind=kind)
            .exclude(ordinal__in=ordinals)
            .values_list("card_id", flat=True)
        )
    clozes = Card.objects.filter(kind=Card.Kind.CLOZE).order_by("pk")
    prompts = (
        Prompt.objects.filter(card__kind=Card.Kind.CLOZE)
        .order_by("card_id", "ordinal")
        .values_list("card_id", "ordinal")
        .iterator(chunk_size=5000)
    )
    pending = next(prompts, None)
    for card_id, front, prompt_count in clozes.values_list("pk", "front", "prompt_count").iterator(
        chunk_size=2000
    ):
        have = []
        while pending is not None and pending[0] <= card_id:
            if pending[0] == card_id:
                have.append(pending[1])
            pending = next(prompts, None)
        wanted = cloze_numbers(front) or [1]
        if have != sorted(wanted) or prompt_count != len(wanted):
            off.add(card_id)
    return off


def find_card_prompts() -> list[Difference]:
    off = _cards_with_prompts_off()
    prompts = defaultdict(list)
    for card_id, ordinal in (
        Prompt.objects.filter(card_id__in=off).order_by("ordinal").values_list("card_id", "ordinal")
    ):
        prompts[card_id].append(ordinal)
    found = []
    for card in Card.objects.filter(pk__in=off).order_by("pk"):
        wanted = sorted(card.prompt_ordinals())
        subject = f"Card {card.pk} {_short(card.front)} ({card.kind})"
        if card.prompt_count != len(wanted):
            found.append(
                Difference(
                    "prompts",
                    subject,
                    "prompt_count",
                    str(card.prompt_count),
                    f"{len(wanted)}, the prompts its {card.kind} text asks",
                    (card.pk,),
                )
            )
        if prompts[card.pk] != wanted:
            found.append(
                Difference(
                    "prompts",
                    subject,
                    "the list of its prompts",
                    str(prompts[card.pk]),
                    str(wanted),
                    (card.pk,),
                )
            )
    return found


def fix_card_prompts(found: list[Difference]) -> None:
    for card in Card.objects.filter(pk__in={d.key[0] for d in found}):
        card.sync_prompts()


# 3. Progress rows: their card's topic and suspension. ----------------------------------------


def _progress_off():
    """Progress rows whose copies differ from their card's: the suspension copy
    is also set for a starter card the person hid (HiddenCard)."""
    hid = Exists(HiddenCard.objects.filter(user=OuterRef("user_id"), card=OuterRef("card_id")))
    return (
        Progress.objects.alias(hid=hid)
        .exclude(topic_id=F("card__topic_id"), suspended=F("card__suspended"), hid=False)
        .exclude(topic_id=F("card__topic_id"), suspended=True, hid=True)
    )


def find_progress_copies() -> list[Difference]:
    rows = _progress_off().values_list(
        "pk", "user_id", "card_id", "topic_id", "suspended", "card__topic_id", "card__suspended"
    )
    rows = list(rows.order_by("pk").iterator())
    names = _names(row[1] for row in rows)

    def state(topic_id, suspended):
        return f"topic {topic_id}, {'suspended' if suspended else 'not suspended'}"

    return [
        Difference(
            "progress copies",
            f"Progress row {pk} ({names.get(user_id)}, card {card_id})",
            "the copy of its card's topic and suspension",
            state(topic_id, suspended),
            state(card_topic, card_suspended) + ", its card's",
        )
        for pk, user_id, card_id, topic_id, suspended, card_topic, card_suspended in rows
    ]


def fix_progress_copies(found: list[Difference]) -> None:
    card = Card.objects.filter(pk=OuterRef("card_id"))
    _progress_off().update(
        topic_id=Subquery(card.values("topic_id")), suspended=Subquery(card.values("suspended"))
    )
    hid = HiddenCard.objects.filter(user=OuterRef("user_id"), card=OuterRef("card_id"))
    Progress.objects.filter(Exists(hid), suspended=False).update(suspended=True)


# 4. ReviewDay: the review log counted by person, local day and card's topic. ----------------

COUNTS = ("reviews", "in_review", "passed")


def _day_differences() -> Iterator[tuple[tuple, tuple, tuple]]:
    """(user, day, topic), stored counts, counts from the review log."""
    grouped = review_days._totals(ReviewLog.objects.values("user_id", "day", "card__topic_id"))
    computed = {
        (row["user_id"], row["day"], row["card__topic_id"]): tuple(row[n] for n in COUNTS)
        for row in grouped.iterator()
    }
    stored = {
        (user_id, day, topic_id): counts
        for user_id, day, topic_id, *counts in ReviewDay.objects.exclude(
            reviews=0, in_review=0, passed=0
        ).values_list("user_id", "day", "topic_id", *COUNTS)
    }
    for key in sorted(computed.keys() | stored.keys(), key=lambda k: (k[0], k[1], k[2])):
        have, want = tuple(stored.get(key, (0, 0, 0))), computed.get(key, (0, 0, 0))
        if have != want:
            yield key, have, want


def find_review_days() -> list[Difference]:
    rows = list(_day_differences())
    names = _names(key[0] for key, _have, _want in rows)

    def counts(values):
        return "{} reviews, {} in review, {} passed".format(*values)

    return [
        Difference(
            "review days",
            f"Day {day} of {names.get(user_id)} in topic {topic_id}",
            "the count",
            counts(have),
            counts(want) + " (the review log)",
            (user_id,),
        )
        for (user_id, day, topic_id), have, want in rows
    ]


def fix_review_days(found: list[Difference]) -> None:
    for user_id in sorted({d.key[0] for d in found}):
        review_days.recount(ReviewDay, ReviewLog, user_id=user_id)


# 5. StudySession.new_from: never past a card with a prompt its person has never studied. ----


def _first_new_cards() -> dict[tuple[int, int], int]:
    """(owner, topic) → the first of the owner's unsuspended cards in the topic
    with a prompt the owner has no progress on. One pass over the cards."""
    studied = Progress.objects.filter(
        prompt_id=OuterRef("pk"), user_id=OuterRef(OuterRef("owner_id"))
    )
    new_prompt = Prompt.objects.filter(card_id=OuterRef("pk")).exclude(Exists(studied))
    rows = (
        Card.objects.filter(owner__isnull=False, suspended=False)
        .filter(Exists(new_prompt))
        .values("owner_id", "topic_id")
        .annotate(first=Min("pk"))
        .order_by()
        .values_list("owner_id", "topic_id", "first")
    )
    return {(owner_id, topic_id): first for owner_id, topic_id, first in rows}


def find_new_from() -> list[Difference]:
    first_new = _first_new_cards()
    topics = defaultdict(list)
    links = StudySession.topics.through.objects.values_list("studysession_id", "topic_id")
    for session_id, topic_id in links.iterator():
        topics[session_id].append(topic_id)
    found = []
    for session_id, user_id, new_from in (
        StudySession.objects.filter(new_from__gt=0)
        .values_list("pk", "user_id", "new_from")
        .order_by("pk")
        .iterator()
    ):
        firsts = [first_new[(user_id, t)] for t in topics[session_id] if (user_id, t) in first_new]
        if firsts and min(firsts) < new_from:
            found.append((session_id, user_id, new_from, min(firsts)))
    names = _names(row[1] for row in found)
    return [
        Difference(
            "new_from",
            f"Study session {session_id} of {names.get(user_id)}",
            "new_from",
            str(new_from),
            f"{first} at most: card {first} has a prompt never studied",
            (session_id, first),
        )
        for session_id, user_id, new_from, first in found
    ]


def fix_new_from(found: list[Difference]) -> None:
    for difference in found:
        session_id, first = difference.key
        StudySession.objects.filter(pk=session_id, new_from__gt=first).update(new_from=first)


CHECKS = [
    Check("card ids", find_card_ids, fix_card_ids),
    Check("prompts", find_card_prompts, fix_card_prompts),
    Check("progress copies", find_progress_copies, fix_progress_copies),
    Check("review days", find_review_days, fix_review_days),
    Check("new_from", find_new_from, fix_new_from),
]


def find_all() -> list[Difference]:
    return [difference for check in CHECKS for difference in check.find()]


def fix_all(report: Callable[[Difference], None] = lambda d: None) -> int:
    """Find and fix each check's differences in turn, in one transaction; returns
    how many were fixed."""
    fixed = 0
    with transaction.atomic():
        for check in CHECKS:
            found = check.find()
            for difference in found:
                report(difference)
            if found:
                check.fix(found)
                fixed += len(found)
    return fixed
