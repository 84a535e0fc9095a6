"""What confirming an import would do, worked out before anything is written:
new cards, duplicates of the cards the person sees (their own and the starter
library's), rows repeating an earlier row, and topics to create. The preview
shows it; the write follows it."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from ..markdown import cloze_numbers
from ..models import Card, ImportJob, Progress, Topic
from .rows import ImportRejected, row_options

PREVIEW_ROWS = 20
SHOWN_ERRORS = 200
SHOWN_DUPLICATE_LINES = 30


@dataclass
class PlannedRow:
    line: int
    front: str
    back: str
    topic_name: str
    tags: list[str]
    topic: Topic | None  # None: a topic the import creates
    duplicate_of: int | None = None  # a card the person sees, same front in the topic
    duplicate_is_starter: bool = False  # ... of the shared library, which stays as it is
    options: dict | None = None  # rows.ROW_OPTIONS, as the file gave them

    @property
    def kind(self) -> str:
        """A cloze when the front has deletions; else the kind the file named
        (reversed), else basic."""
        if cloze_numbers(self.front):
            return Card.Kind.CLOZE
        named = (self.options or {}).get("kind")
        return Card.Kind.REVERSED if named == Card.Kind.REVERSED else Card.Kind.BASIC


def front_key(front: str) -> str:
    """A front as duplicates are compared: without the spaces around it, with
    any line breaks as "\\n" (a browser sends a card's text with "\\r\\n")."""
    return front.replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass
class ImportPlan:
    rows: list[PlannedRow]  # in file order, repeats left out
    new: list[PlannedRow]
    duplicates: list[PlannedRow]
    repeats: list[list]  # [line, reason]: rows repeating an earlier row of the file
    new_topics: dict[str, str]  # lower-case name -> name as first written


def plan_import(*, user, rows: list[list], unit: str = "line") -> ImportPlan:
    """What confirming would do: which rows are new cards, which duplicate a card
    the person (a user or their id) sees, same front in the same topic (their
    own card, or the starter library's when the topic is a starter topic),
    which repeat an earlier row, and which topics would be created. Two
    queries, whatever the size of the file."""
    topics: dict[str, Topic] = {}
    for topic in Topic.objects.visible_to(user).only("pk", "name", "owner_id"):
        key = topic.name.lower()
        if key not in topics or topic.owner_id is not None:  # one's own topic first
            topics[key] = topic
    wanted = {row[3].lower() for row in rows}
    topic_ids = [topics[key].pk for key in wanted if key in topics]
    existing: dict[tuple[int, str], tuple[int, bool]] = {}
    if topic_ids:
        cards = (
            Card.objects.visible_to(user)
            .filter(topic_id__in=topic_ids)
            .order_by("pk")
            .values_list("pk", "topic_id", "front", "owner_id")
        )
        for card_id, topic_id, front, owner_id in cards:
            key = (topic_id, front_key(front))
            # One's own card first: it is the one "update" can change.
            if key not in existing or (existing[key][1] and owner_id is not None):
                existing[key] = (card_id, owner_id is None)

    plan = ImportPlan(rows=[], new=[], duplicates=[], repeats=[], new_topics={})
    seen: dict[tuple, int] = {}
    for stored in rows:
        line, front, back, topic_name, tags = stored[:5]
        topic = topics.get(topic_name.lower())
        key = (topic.pk if topic else topic_name.lower(), front_key(front))
        if key in seen:
            shown = topic.name if topic else topic_name
            plan.repeats.append(
                [
                    line,
                    f"the same front as {unit.lower()} {seen[key]} in “{shown}”; only "
                    f"{unit.lower()} {seen[key]} is imported",
                ]
            )
            continue
        seen[key] = line
        row = PlannedRow(line, front, back, topic_name, tags, topic, options=row_options(stored))
        plan.rows.append(row)
        if topic is None:
            plan.new_topics.setdefault(topic_name.lower(), topic_name)
            plan.new.append(row)
        elif key in existing:
            row.duplicate_of, row.duplicate_is_starter = existing[key]
            plan.duplicates.append(row)
        else:
            plan.new.append(row)
    return plan


def check_room(*, user, plan: ImportPlan) -> None:
    """Refuse an import that would take the person (a user or their id) past the
    cards or the topics one person keeps, saying how many more fit."""
    try:
        Card.objects.check_room(user, adding=len(plan.new))
        Topic.objects.check_room(user, adding=len(plan.new_topics))
    except ValidationError as error:
        raise ImportRejected(" ".join(error.messages) + " Nothing was imported.") from None


@dataclass
class ImportPreview:
    plan: ImportPlan
    first_rows: list[PlannedRow]
    errors: list[list]  # [line, reason], the first SHOWN_ERRORS of them, in line order
    error_count: int
    # Duplicates the file brings history for that the person has studied here:
    # updating them keeps their own history.
    keeping_history: int = 0

    @property
    def hidden_errors(self) -> int:
        return self.error_count - len(self.errors)

    @property
    def importable(self) -> int:
        return len(self.plan.new) + len(self.plan.duplicates)

    @property
    def starter_duplicates(self) -> int:
        """Duplicates of starter cards: shared, so "update" leaves them as they are."""
        return sum(row.duplicate_is_starter for row in self.plan.duplicates)

    @property
    def duplicate_lines(self) -> str:
        """Where the duplicates are: “2, 7, 9” (the first few, then “…”)."""
        lines = [str(row.line) for row in self.plan.duplicates[:SHOWN_DUPLICATE_LINES]]
        more = len(self.plan.duplicates) > SHOWN_DUPLICATE_LINES
        return ", ".join(lines) + (", …" if more else "")


def preview_import(*, job: ImportJob) -> ImportPreview:
    plan = plan_import(user=job.owner_id, rows=job.rows, unit=job.unit)
    errors = sorted(job.errors + plan.repeats, key=lambda error: error[0])
    return ImportPreview(
        plan=plan,
        first_rows=plan.rows[:PREVIEW_ROWS],
        errors=errors[:SHOWN_ERRORS],
        error_count=job.error_count + len(plan.repeats),
        keeping_history=_keeping_history(user_id=job.owner_id, duplicates=plan.duplicates),
    )


def _keeping_history(*, user_id: int, duplicates: list[PlannedRow]) -> int:
    """How many of the person's own cards the file would update and bring study
    history to already have reviews here. One query, none without such rows."""
    ids = [
        row.duplicate_of
        for row in duplicates
        if not row.duplicate_is_starter and (row.options or {}).get("history")
    ]
    if not ids:
        return 0
    studied = Progress.objects.filter(user_id=user_id, card_id__in=ids)
    return studied.values("card_id").distinct().count()
