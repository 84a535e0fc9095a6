"""The ids of the cards a search finds, in the table's order, read a slice at a
time (bounded_page reads the first COUNT_BOUND + 1, or one page's).

Ordering every card by a schedule figure worked out for each, in a subquery,
reads every card and its progress rows one look-up at a time: at 100,000 cards
some 400 ms. With no search, a card sorted by its due date, stability or
difficulty takes the figure of one of its prompts, its *leading* progress row:
the earliest due (the unsuspended ones only for the due date; the lowest id
among equal dates). The person's rows are walked in the figure's order on an
index, each kept when it leads a card they may read, until the slice is full.
The cards without the figure (never studied, all suspended, no stability yet)
follow, the newest first, read only when the others end within the slice.

Reviews and lapses are sums over a card's rows: no index gives their order,
and they keep the subquery (OrderedIds). So does a search: when it finds a few
cards, a walk would pass the person's rows of every card it does not find."""

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from cards.models import Progress
from cards.models.study import Negated

# The sorts read from one leading row, and the field each reads there.
LEADING_SORTS = {"due": "due", "stability": "stability", "difficulty": "difficulty"}


class OrderedIds:
    """The ids of a sorted QuerySet of cards."""

    def __init__(self, cards: QuerySet):
        self.cards = cards

    def __getitem__(self, part: slice) -> list[int]:
        return list(self.cards.values_list("pk", flat=True)[part])

    def count(self) -> int:
        return self.cards.order_by().count()


class LeadingIds:
    """The ids of ``cards`` sorted by a figure of their leading progress row of
    ``user`` (``sort``: one of LEADING_SORTS, "-" before it for descending),
    the newest first among equals; the cards without it last, newest first."""

    def __init__(self, cards: QuerySet, *, user, sort: str):
        name = LEADING_SORTS[sort.removeprefix("-")]
        rows = Progress.objects.filter(user=user)
        if name == "due":  # a suspended prompt has no due date in the table
            rows = rows.filter(suspended=False)
        earlier = rows.filter(card=OuterRef("card_id")).filter(
            Q(due__lt=OuterRef("due")) | Q(due=OuterRef("due"), pk__lt=OuterRef("pk"))
        )
        leading = rows.filter(**{f"{name}__isnull": False}).exclude(Exists(earlier))
        # Tested on each row walked, not listed first: the cards are most of them.
        found = leading.filter(Exists(cards.order_by().filter(pk=OuterRef("card_id"))))
        # -x on the index for stability and difficulty: x ascending is -x descending.
        figure = F(name) if name == "due" else Negated(name)
        figure = figure.desc() if sort.startswith("-") == (name == "due") else figure.asc()
        self.first = found.order_by(figure, "-card__created_at", "-card_id").values_list(
            "card_id", flat=True
        )
        self.rest = (
            cards.exclude(pk__in=leading.order_by().values("card_id"))
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)
        )

    def __getitem__(self, part: slice) -> list[int]:
        start, stop = part.start or 0, part.stop
        found = list(self.first[start:stop])
        if stop is not None and len(found) == stop - start:
            return found
        # The first ids end before ``stop``: the others follow them.
        ahead = start + len(found) if found or not start else self.first.count()
        rest = self.rest[max(0, start - ahead) : None if stop is None else stop - ahead]
        return found + list(rest)

    def count(self) -> int:
        return self.first.count() + self.rest.count()
