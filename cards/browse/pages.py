"""The card browser's pages: a page of the cards a search finds, and how many
it finds, counted only up to COUNT_BOUND. Counting every match reads every
matching row, which at 100,000 cards costs more than the page itself; past the
bound the page says "1,000+" and learns whether a next page exists from one
row more than it shows."""

from dataclasses import dataclass

from django.db.models import QuerySet

COUNT_BOUND = 1000
MAX_PAGE = 1_000_000  # a larger number shows the last page (and fits an OFFSET)


def read_number(value: str | None) -> int:
    """The page number asked for: 1 for anything but a whole number of 1 or
    more, MAX_PAGE at most."""
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


@dataclass
class BoundedPage:
    """One page of the found cards. ``count`` is the exact number found when it
    is known (at most COUNT_BOUND, or on the last page), else None."""

    number: int
    per_page: int
    object_list: list
    count: int | None
    has_next: bool

    @property
    def found(self) -> str:
        """How many cards match, as the page says it: "12" or "1,000+"."""
        return f"{self.count:,}" if self.count is not None else f"{COUNT_BOUND:,}+"

    @property
    def one(self) -> bool:
        return self.count == 1

    @property
    def num_pages(self) -> int | None:
        """The last page's number, when the count is known."""
        if self.count is None:
            return None
        return max(1, -(-self.count // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    def start_index(self) -> int:
        if not self.object_list:
            return 0
        return (self.number - 1) * self.per_page + 1

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def bounded_page(ids, rows: QuerySet, *, per_page: int, page: str | None) -> BoundedPage:
    """The page ``page`` of the cards ``ids`` finds (in order: a slice of it is a
    list of ids, ``ids.count()`` their number), with their number counted up to
    COUNT_BOUND: two queries, the ids of the first COUNT_BOUND + 1 cards in
    order (the count, and the page's ids among them), then the page's cards
    from ``rows`` by their ids.
    The search is run once, not once to count and again for the page. A page
    past the bound reads the ids of its own cards and one more; a page past
    the last shows the last one (a query more, and one to count them all when
    there are more than COUNT_BOUND)."""
    number = read_number(page)
    first = list(ids[: COUNT_BOUND + 1])
    count = len(first) if len(first) <= COUNT_BOUND else None
    if count is not None:
        number = min(number, max(1, -(-count // per_page)))
    start = (number - 1) * per_page
    shown = first[start : start + per_page + 1]
    if count is None and start + per_page + 1 > len(first):  # past the ids read
        shown = list(ids[start : start + per_page + 1])
        if not shown and number > 1:  # past the last page of more than COUNT_BOUND
            count = ids.count()
            number = max(1, -(-count // per_page))
            start = (number - 1) * per_page
            shown = list(ids[start : start + per_page + 1])
    has_next = len(shown) > per_page
    shown = shown[:per_page]
    if not has_next:  # the last page: every card was seen or counted
        count = start + len(shown)
    found = {card.pk: card for card in rows.filter(pk__in=shown)} if shown else {}
    # A card deleted between the two queries is left out.
    shown = [found[pk] for pk in shown if pk in found]
    return BoundedPage(number, per_page, shown, count, has_next)
