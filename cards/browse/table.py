"""The card browser's table: the cards a search finds, one row each, with the
columns a person chose and their schedule figures, sorted and cut into pages.

A card's figures come from its prompts' progress rows of the person: its due
date is the earliest of its prompts', and its interval, stability, difficulty
and recall are those of that prompt; reviews and lapses are summed over them.
A card none of whose prompts was studied is new. The rows of a page's cards
are read in one query, whatever the size of the collection."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import F, IntegerField, Min, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from cards import scheduling
from cards.models import Card, Progress

from .pages import BoundedPage, bounded_page
from .query import cards_matching
from .sorts import LEADING_SORTS, LeadingIds, OrderedIds

PER_PAGE = 50


@dataclass(frozen=True)
class Column:
    name: str  # as written in the address: cols=front,due and sort=-due
    label: str
    note: str = ""  # the header's title
    sortable: bool = True


COLUMNS = {
    column.name: column
    for column in [
        Column("front", "Front"),
        Column("topic", "Topic"),
        Column("tags", "Tags", "Not sortable: a card has several tags.", sortable=False),
        Column("kind", "Kind", "Basic, reversed or cloze."),
        Column("due", "Due", "When the card's first prompt comes due. New cards sort last."),
        Column(
            "interval",
            "Interval",
            "Days from the last review to the due date. Not sortable.",
            sortable=False,
        ),
        Column("stability", "Stability", "Days until recall falls to 90%."),
        Column("difficulty", "Difficulty", "0 (easiest) to 1 (hardest)."),
        Column(
            "recall",
            "Recall now",
            "The chance of recalling the card now. Not sortable: it changes by the minute.",
            sortable=False,
        ),
        Column("reviews", "Reviews", "How often you studied the card."),
        Column("lapses", "Lapses", "How often you forgot it."),
        Column("created", "Created"),
        Column("edited", "Edited"),
    ]
}
DEFAULT_COLUMNS = ("front", "topic", "tags", "due", "interval", "reviews")
DEFAULT_SORT = "-created"
# What each sortable column orders by: a field of the card, or an annotation
# over the person's progress (SCHEDULE_SORTS).
CARD_SORTS = {
    "front": "front",
    "topic": "topic__name",
    "kind": "kind",
    "created": "created_at",
    "edited": "updated_at",
}
# What a row reads of each progress row (fsrs reads the state for recall).
PROGRESS_READ = (
    "card_id",
    "prompt_id",
    "suspended",
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "reps",
    "lapses",
)


def read_columns(values: list[str]) -> tuple[str, ...] | None:
    """The known columns among ``values`` (each a name or a comma list), in the
    table's order; None when there is none."""
    asked = {name.strip() for value in values for name in value.split(",")}
    chosen = tuple(name for name in COLUMNS if name in asked)
    return chosen or None


def read_sort(value: str | None) -> str:
    """A sortable column's name, "-" before it for descending; the default for
    anything else."""
    name = (value or "").removeprefix("-")
    if name in COLUMNS and COLUMNS[name].sortable:
        return value
    return DEFAULT_SORT


@dataclass
class Row:
    """One card and its figures for the person (None where it has none)."""

    card: Card
    due: datetime | None = None
    is_due: bool = False
    interval: float | None = None  # days
    stability: float | None = None
    difficulty: float | None = None  # 0 to 1, as prop:d reads it
    recall: float | None = None
    reviews: int = 0
    lapses: int = 0
    studied: bool = False


def chosen_columns(asked: list[str], remembered: object) -> tuple[str, ...]:
    """The columns asked for in the address, else those remembered (a list of
    names), else the default ones."""
    if not isinstance(remembered, list):
        remembered = []
    return (
        read_columns(asked) or read_columns([str(name) for name in remembered]) or DEFAULT_COLUMNS
    )


def address(*, text: str, sort: str, columns: tuple[str, ...], page: int | None = None) -> str:
    """The browser's query string for a search, a sort, columns and a page."""
    query = {"q": text} if text else {}
    if sort != DEFAULT_SORT:
        query["sort"] = sort
    query["cols"] = ",".join(columns)
    if page and page > 1:
        query["page"] = page
    return "?" + urlencode(query)


@dataclass(frozen=True)
class Header:
    column: Column
    href: str | None  # sorts by the column: descending when it sorts ascending now
    order: str | None  # "ascending" or "descending" when the table sorts by it


@dataclass
class Table:
    text: str
    columns: tuple[Column, ...]
    sort: str
    page: BoundedPage
    rows: list[Row]

    def headers(self) -> list[Header]:
        names = tuple(column.name for column in self.columns)
        headers = []
        for column in self.columns:
            order, href = None, None
            if self.sort.removeprefix("-") == column.name:
                order = "descending" if self.sort.startswith("-") else "ascending"
            if column.sortable:
                sort = f"-{column.name}" if order == "ascending" else column.name
                href = address(text=self.text, sort=sort, columns=names)
            headers.append(Header(column, href, order))
        return headers

    def page_address(self, number: int) -> str:
        names = tuple(column.name for column in self.columns)
        return address(text=self.text, sort=self.sort, columns=names, page=number)

    def previous_address(self) -> str:
        return self.page_address(self.page.previous_page_number())

    def next_address(self) -> str:
        return self.page_address(self.page.next_page_number())


def browse_cards(
    *, user, text: str, sort: str, columns: tuple[str, ...], page: str | None, now: datetime
) -> Table:
    """The page ``page`` of the cards ``user`` may read that the search ``text``
    finds, sorted by ``sort``. Raises terms.QueryError for a search it cannot read."""
    cards = cards_matching(user, text, now=now)
    name = sort.removeprefix("-")
    if not text.strip() and name in LEADING_SORTS:
        ids = LeadingIds(cards, user=user, sort=sort)
    else:
        ids = OrderedIds(sorted_cards(cards, user=user, sort=sort))
    shown = Card.objects.select_related("topic")
    if "tags" in columns:
        shown = shown.prefetch_related(Prefetch("tags", to_attr="tag_list"))
    found = bounded_page(ids, shown, per_page=PER_PAGE, page=page)
    rows = schedule_rows(
        list(found.object_list), user=user, now=now, with_recall="recall" in columns
    )
    return Table(text, tuple(COLUMNS[name] for name in columns), sort, found, rows)


def person_progress(user) -> QuerySet:
    return Progress.objects.filter(user=user, card=OuterRef("pk"))


def sorted_cards(cards: QuerySet, *, user, sort: str) -> QuerySet:
    """``cards`` in the order of ``sort``, the newest first among equals. A
    schedule figure is read from the person's progress in a subquery; the cards
    without one (never studied, or suspended for the due date) come last."""
    name = sort.removeprefix("-")
    if name in CARD_SORTS:
        key = F(CARD_SORTS[name])
    else:
        progress = person_progress(user)
        if name == "due":
            # The earliest as a MIN over the card's rows: ordered by due,
            # SQLite would walk the person's live due index for every card.
            earliest = progress.filter(suspended=False).order_by().values("card")
            figure = Subquery(earliest.annotate(first=Min("due")).values("first"))
        elif name in ("stability", "difficulty"):
            figure = Subquery(progress.order_by("due").values(name)[:1])
        else:
            field = "reps" if name == "reviews" else "lapses"
            total = progress.order_by().values("card").annotate(total=Sum(field))
            figure = Coalesce(Subquery(total.values("total")), 0, output_field=IntegerField())
        cards = cards.annotate(sort_figure=figure)
        key = F("sort_figure")
    key = key.desc(nulls_last=True) if sort.startswith("-") else key.asc(nulls_last=True)
    return cards.order_by(key, "-created_at", "-pk")


def schedule_rows(cards: list[Card], *, user, now: datetime, with_recall: bool) -> list[Row]:
    """A row per card, with its figures from the person's progress on its
    prompts (one query; the person's scheduler is read too for recall)."""
    rows = {card.pk: Row(card) for card in cards}
    progress = Progress.objects.filter(user=user, card_id__in=list(rows)).order_by("due", "pk")
    progress = progress.only(*PROGRESS_READ)
    scheduler = scheduling.person_scheduler(user.pk) if with_recall and rows else None
    for prompt in progress if rows else []:
        row = rows[prompt.card_id]
        row.reviews += prompt.reps
        row.lapses += prompt.lapses
        if row.studied:  # the earliest due prompt was seen first
            continue
        row.studied = True
        if not prompt.suspended:
            row.due, row.is_due = prompt.due, prompt.due <= now
        if prompt.last_review is not None:
            row.interval = (prompt.due - prompt.last_review) / timedelta(days=1)
        row.stability = prompt.stability
        if prompt.difficulty is not None:
            row.difficulty = (prompt.difficulty - 1) / 9
        if with_recall and prompt.stability and prompt.last_review is not None:
            row.recall = scheduling.retrievability(prompt, now=now, by=scheduler)
    return list(rows.values())
