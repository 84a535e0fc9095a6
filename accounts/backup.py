"""Backup and restore of everything one person keeps in prep, as one JSON document.

The document (format "prep-backup", version 2) holds the person's settings,
topics, cards with their tags, FSRS progress, the review log, study sessions,
quizzes, questions to ask, interviews with their checklists, their own
interviewer questions, and mock interviews with the answers. Version 2 adds
each review's local day; a version 1 file is still read, its reviews counted
on their day in the person's time zone.

Rows point at each other by ids that exist only inside the file ("t1", "c17"),
never by database ids. The shared starter library is not in a backup; what the
person did with it is, pointing at it by its stable key: "starter:<topic slug>"
for a topic, "starter:<card key>" for a card, "starter:<question key>" for an
interviewer question. A restore that points at starter content this server
does not have is refused, naming the row (load the starter library, then
restore again).

The same data exports to the same bytes: sections in creation order, keys in a
fixed order, datetimes in UTC with microseconds, floats written exactly. Only
``exported_at`` and the user name tell two exports of the same data apart.

A restore never trusts the file: it is read with a limit on its size and on
what it unpacks to, as JSON and nothing else, and every row is checked (types,
references, and the models' own validation). The file is read as a stream
(backup_file): each part is checked, then written, the cards, progress and
reviews a batch at a time, all in one transaction, so a problem anywhere
leaves nothing written.
"""

import functools
import itertools
import json
import math
import zlib
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Q

from cards import review_days
from cards.models import (
    Card,
    Progress,
    Prompt,
    Quiz,
    QuizItem,
    ReviewDay,
    ReviewLog,
    StudySession,
    Topic,
)
from interviews.models import (
    ChecklistItem,
    Interview,
    InterviewerQuestion,
    MockAnswer,
    MockSession,
    PracticeArea,
    QuestionToAsk,
)
from prep_site import planner

from .backup_file import READ_CHUNK, STREAMED, BackupFile, BackupRejected
from .backup_file import human_size as human_size  # the data page's, too
from .models import Profile

FORMAT = "prep-backup"
VERSION = 2
STARTER = "starter:"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_UNPACKED_BYTES = 1024 * 1024 * 1024

SECTIONS = (
    "topics",
    "cards",
    "study_sessions",
    "progress",
    "reviews",
    "quizzes",
    "questions_to_ask",
    "interviews",
    "interviewer_questions",
    "mock_sessions",
)
TOP_LEVEL = ("format", "version", "exported_at", "user", "settings", *SECTIONS)
# The sections that grow with the collection (STREAMED) are read from the database
# as a backup is written, and from the file as it is restored, STREAM_CHUNK rows
# at a time.
STREAM_CHUNK = 2000
# A prompt's progress, in the order a backup writes it.
PROGRESS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
PREVIOUS_KEYS = ("difficulty", "due", "lapses", "last_review", "stability", "state", "step")


def max_backup_bytes() -> int:
    """The largest backup file a restore takes, packed as it was sent."""
    return getattr(settings, "PREP_BACKUP_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_unpacked_bytes() -> int:
    """The most a backup file may unpack to (a restore reads it as a stream)."""
    return getattr(settings, "PREP_BACKUP_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)


# Writing a backup ------------------------------------------------------------------------


def _when(value: datetime | None) -> str | None:
    """In UTC with microseconds, as "2026-01-02T03:04:05.006789Z". Formatted by
    hand: strftime takes longer, and a backup can hold millions of these."""
    if value is None:
        return None
    v = value.astimezone(UTC)
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d}T"
        f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}Z"
    )


def _stream(rows: models.QuerySet, *fields: str) -> Iterator[tuple]:
    """The rows' ``fields`` as tuples, fetched ``STREAM_CHUNK`` at a time."""
    return rows.values_list(*fields).iterator(chunk_size=STREAM_CHUNK)


class _Refs:
    """File ids for the person's rows, starter keys for the library's."""

    def __init__(self, prefix: str, own_pks: Iterable[int], starter: dict[int, str]):
        self.ids = {pk: f"{prefix}{n}" for n, pk in enumerate(own_pks, start=1)}
        self.starter = starter

    def __call__(self, pk: int | None) -> str | None:
        if pk in self.ids:
            return self.ids[pk]
        if pk in self.starter:
            return STARTER + self.starter[pk]
        return None


def backup_document(*, user, now: datetime) -> dict:
    """Everything of one person, as a JSON-ready dict (every section a list)."""
    return {
        key: list(value) if key in STREAMED else value
        for key, value in backup_sections(user=user, now=now).items()
    }


def backup_sections(*, user, now: datetime) -> dict:
    """The backup as ``backup_document`` has it, except that the sections that grow
    with the collection (``STREAMED``) are read from the database as they are
    written: a person with 100,000 cards and 1,000,000 reviews is never held in
    memory at once. Each section can be read once."""
    profile = Profile.objects.filter(user=user).first() or Profile(user=user)

    topics = list(Topic.objects.owned_by(user).order_by("pk"))
    topic_ref = _Refs(
        "t",
        [t.pk for t in topics],
        dict(Topic.objects.filter(owner=None).values_list("pk", "slug")),
    )
    own_cards = Card.objects.owned_by(user).order_by("pk")
    card_ref = _Refs(
        "c",
        [pk for pk, topic_id in own_cards.values_list("pk", "topic_id") if topic_ref(topic_id)],
        dict(
            Card.objects.filter(owner=None, starter_key__isnull=False).values_list(
                "pk", "starter_key"
            )
        ),
    )
    tags = defaultdict(list)
    for card_id, name in Card.tags.through.objects.filter(
        content_type=ContentType.objects.get_for_model(Card),
        object_id__in=Card.objects.owned_by(user).values("pk"),
    ).values_list("object_id", "tag__name"):
        tags[card_id].append(name)

    def topic_list(pairs, owner_pk) -> list[str]:
        return sorted(ref for ref in (topic_ref(pk) for pk in pairs[owner_pk]) if ref)

    sessions = list(StudySession.objects.filter(user=user).order_by("pk"))
    session_ref = _Refs("s", [s.pk for s in sessions], {})
    session_topics = defaultdict(list)
    for session_id, topic_id in StudySession.topics.through.objects.filter(
        studysession__user=user
    ).values_list("studysession_id", "topic_id"):
        session_topics[session_id].append(topic_id)

    quizzes = list(Quiz.objects.filter(user=user).order_by("pk"))
    quiz_topics = defaultdict(list)
    for quiz_id, topic_id in Quiz.topics.through.objects.filter(quiz__user=user).values_list(
        "quiz_id", "topic_id"
    ):
        quiz_topics[quiz_id].append(topic_id)
    quiz_items = defaultdict(list)
    for item in (
        QuizItem.objects.filter(quiz__user=user)
        .select_related("prompt")
        .order_by("quiz_id", "position", "pk")
    ):
        if card_ref(item.card_id):
            quiz_items[item.quiz_id].append(item)

    questions = list(QuestionToAsk.objects.filter(user=user).order_by("pk"))
    question_ref = _Refs("a", [q.pk for q in questions], {})

    interviews = list(Interview.objects.owned_by(user).order_by("pk"))
    interview_ref = _Refs("i", [i.pk for i in interviews], {})
    interview_topics = defaultdict(list)
    for interview_id, topic_id in Interview.topics.through.objects.filter(
        interview__user=user
    ).values_list("interview_id", "topic_id"):
        interview_topics[interview_id].append(topic_id)
    checklists = defaultdict(list)
    for item in ChecklistItem.objects.filter(interview__user=user).order_by(
        "interview_id", "position", "pk"
    ):
        checklists[item.interview_id].append(item)

    asked = list(InterviewerQuestion.objects.filter(owner=user).order_by("pk"))
    asked_ref = _Refs(
        "q",
        [q.pk for q in asked],
        dict(
            InterviewerQuestion.objects.filter(owner=None, starter_key__isnull=False).values_list(
                "pk", "starter_key"
            )
        ),
    )
    mocks = list(MockSession.objects.filter(user=user).order_by("pk"))
    answers = defaultdict(list)
    for answer in MockAnswer.objects.filter(session__user=user).order_by(
        "session_id", "position", "pk"
    ):
        if asked_ref(answer.question_id):
            answers[answer.session_id].append(answer)

    def card_rows() -> Iterator[dict]:
        for pk, topic_id, kind, front, back, suspended, created_at, updated_at in _stream(
            own_cards,
            "pk",
            "topic_id",
            "kind",
            "front",
            "back",
            "suspended",
            "created_at",
            "updated_at",
        ):
            if pk in card_ref.ids:
                yield {
                    "id": card_ref(pk),
                    "topic": topic_ref(topic_id),
                    "kind": kind,
                    "front": front,
                    "back": back,
                    "suspended": suspended,
                    "tags": sorted(tags[pk]),
                    "created_at": _when(created_at),
                    "updated_at": _when(updated_at),
                }

    # Each prompt's ordinal, looked up here rather than joined to every row streamed
    # (a prompt made while the file is written is left out, as a card made then is).
    ordinals = dict(
        Prompt.objects.filter(Q(card__owner=user) | Q(card__owner__isnull=True)).values_list(
            "pk", "ordinal"
        )
    )

    def progress_rows() -> Iterator[dict]:
        for card_id, prompt_id, *values in _stream(
            Progress.objects.filter(user=user).order_by("pk"), "card_id", "prompt_id", *PROGRESS
        ):
            if card_ref(card_id) and prompt_id in ordinals:
                row = {"card": card_ref(card_id), "ordinal": ordinals[prompt_id]}
                row.update(zip(PROGRESS, values, strict=True))
                row["due"], row["last_review"] = _when(row["due"]), _when(row["last_review"])
                yield row

    def review_rows() -> Iterator[dict]:
        for card_id, prompt_id, session_id, rating, reviewed_at, duration_ms, *rest in _stream(
            ReviewLog.objects.filter(user=user).order_by("pk"),
            "card_id",
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
        ):
            review_number, state_before, state_after, due_after, day, previous = rest
            if card_ref(card_id) and prompt_id in ordinals:
                yield {
                    "card": card_ref(card_id),
                    "ordinal": ordinals[prompt_id],
                    "session": session_ref(session_id),
                    "rating": rating,
                    "reviewed_at": _when(reviewed_at),
                    "duration_ms": duration_ms,
                    "review_number": review_number,
                    "state_before": state_before,
                    "state_after": state_after,
                    "due_after": _when(due_after),
                    "day": day.isoformat(),
                    # Key order as the database returned it is not stable
                    # (PostgreSQL's jsonb reorders): sorted, so the same data
                    # gives the same bytes.
                    "previous": dict(sorted(previous.items()))
                    if isinstance(previous, dict)
                    else previous,
                }

    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _when(now),
        "user": {"username": user.get_username()},
        "settings": {
            "new_cards_per_day": profile.new_cards_per_day,
            "timezone": profile.timezone,
            "question_bank_seeded": profile.question_bank_seeded,
        },
        "topics": [
            {
                "id": topic_ref(t.pk),
                "name": t.name,
                "slug": t.slug,
                "description": t.description,
                "created_at": _when(t.created_at),
            }
            for t in topics
        ],
        "cards": card_rows(),
        "study_sessions": [
            {
                "id": session_ref(s.pk),
                "topics": topic_list(session_topics, s.pk),
                "started_at": _when(s.started_at),
                "finished_at": _when(s.finished_at),
            }
            for s in sessions
        ],
        "progress": progress_rows(),
        "reviews": review_rows(),
        "quizzes": [
            {
                "id": f"z{n}",
                "topics": topic_list(quiz_topics, q.pk),
                "mode": q.mode,
                "size": q.size,
                "count_as_reviews": q.count_as_reviews,
                "started_at": _when(q.started_at),
                "finished_at": _when(q.finished_at),
                "items": [
                    {
                        "card": card_ref(item.card_id),
                        "ordinal": item.prompt.ordinal,
                        "position": item.position,
                        "typed_answer": item.typed_answer,
                        "correct": item.correct,
                        "answered_at": _when(item.answered_at),
                    }
                    for item in quiz_items[q.pk]
                ],
            }
            for n, q in enumerate(quizzes, start=1)
        ],
        "questions_to_ask": [
            {
                "id": question_ref(q.pk),
                "category": q.category,
                "text": q.text,
                "starter_key": q.starter_key,
                "created_at": _when(q.created_at),
            }
            for q in questions
        ],
        "interviews": [
            {
                "id": interview_ref(i.pk),
                "company": i.company,
                "role": i.role,
                "scheduled_at": _when(i.scheduled_at),
                "timezone": i.timezone,
                "duration_minutes": i.duration_minutes,
                "stage": i.stage,
                "status": i.status,
                "links": i.links,
                "notes": i.notes,
                "topics": topic_list(interview_topics, i.pk),
                "created_at": _when(i.created_at),
                "updated_at": _when(i.updated_at),
                "checklist": [
                    {
                        "question": question_ref(item.question_id),
                        "text": item.text,
                        "position": item.position,
                        "asked": item.asked,
                        "answer": item.answer,
                        "updated_at": _when(item.updated_at),
                    }
                    for item in checklists[i.pk]
                ],
            }
            for i in interviews
        ],
        "interviewer_questions": [
            {
                "id": asked_ref(q.pk),
                "area": q.area,
                "text": q.text,
                "key_points": list(q.key_points),
                "star": q.star,
            }
            for q in asked
        ],
        "mock_sessions": [
            {
                "id": f"m{n}",
                "interview": interview_ref(m.interview_id),
                "areas": list(m.areas),
                "time_limit_seconds": m.time_limit_seconds,
                "started_at": _when(m.started_at),
                "finished_at": _when(m.finished_at),
                "answers": [
                    {
                        "question": asked_ref(a.question_id),
                        "position": a.position,
                        "text": a.text,
                        "started_at": _when(a.started_at),
                        "submitted_at": _when(a.submitted_at),
                        "timed_out": a.timed_out,
                        "covered": list(a.covered),
                        "score": a.score,
                        "scored_at": _when(a.scored_at),
                    }
                    for a in answers[m.pk]
                ],
            }
            for n, m in enumerate(mocks, start=1)
        ],
    }


def backup_json_chunks(document: dict) -> Iterator[bytes]:
    """The document as UTF-8 JSON, in pieces of about 64 KB, ending with a newline.
    Each top-level key starts a line and each row of a section has a line of its
    own, encoded as it comes: a section may be any iterable (``backup_sections``)
    and is never held whole."""
    pending, size = [], 0
    for piece in _json_pieces(document):
        pending.append(piece)
        size += len(piece)
        if size >= READ_CHUNK:
            yield "".join(pending).encode()
            pending, size = [], 0
    pending.append("\n")
    yield "".join(pending).encode()


def _json_pieces(document: dict) -> Iterator[str]:
    # Each row is encoded whole, by the json module's C encoder (which an
    # indented dump cannot use): a 1,000,000-review backup in seconds, not minutes.
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    separator = "{\n "
    for key, value in document.items():
        yield f"{separator}{encode(key)}: "
        separator = ",\n "
        if key not in SECTIONS:
            yield encode(value)
            continue
        before_row = "[\n  "
        for row in value:
            yield before_row + encode(row)
            before_row = ",\n  "
        yield "[]" if before_row == "[\n  " else "\n ]"
    yield "\n}"


def backup_bytes(document: dict) -> bytes:
    return b"".join(backup_json_chunks(document))


def gzip_chunks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """gzip without a timestamp in its header, so the same data packs to the same bytes.
    zlib's default level: level 9 packs a backup 7% smaller in four times as long."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    for chunk in chunks:
        packed = packer.compress(chunk)
        if packed:
            yield packed
    yield packer.flush()


# Reading a backup file -------------------------------------------------------------------


def read_backup(
    file, *, max_bytes: int | None = None, max_unpacked: int | None = None
) -> BackupFile:
    """Open an uploaded or opened backup file (plain JSON, gzip or zip) for a
    restore, with a limit on the file and on what it unpacks to. The size, the
    packing and the start of the text are checked here; the rest is read as
    restore_backup goes (see backup_file)."""
    opened = BackupFile(
        file,
        max_bytes=max_backup_bytes() if max_bytes is None else max_bytes,
        max_unpacked=max_unpacked_bytes() if max_unpacked is None else max_unpacked,
    )
    opened.open()
    return opened


# Checking a backup -----------------------------------------------------------------------


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _problem(where: str, message: str) -> BackupRejected:
    return BackupRejected(f"{where}: {message}")


def _check_text(value: str, where: str) -> str:
    if "\x00" in value:
        raise _problem(where, "contains a null character, which cannot be stored")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _problem(where, "contains an unpaired surrogate, which is not text") from None
    return value


def _parse_when(value: str, where: str) -> datetime:
    if len(value) > 40:
        raise _problem(where, "is not a date and time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _problem(where, f"“{value}” is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise _problem(where, f"“{value}” has no time zone (write it in UTC, ending in Z)")
    return moment.astimezone(UTC)


class _Row:
    """One object of the document, read field by field. Every field is required
    and no other is allowed, so a misspelt or missing one is reported, not lost."""

    def __init__(self, value, where: str, fields: Iterable[str]):
        fields = tuple(fields)
        if not isinstance(value, dict):
            raise _problem(where, f"must be an object {{…}}, not {_kind(value)}")
        for name in value:
            if name not in fields:
                raise _problem(f"{where}.{name}", "is not a field of this part of a backup")
        for name in fields:
            if name not in value:
                raise _problem(f"{where}.{name}", "missing")
        self.value, self.where = value, where

    def place(self, name: str) -> str:
        return f"{self.where}.{name}"

    def _get(self, name: str, check, expected: str, null: bool):
        value = self.value[name]
        if value is None and null:
            return None
        if not check(value):
            raise _problem(self.place(name), f"must be {expected}, not {_kind(value)}")
        return value

    def text(self, name: str, *, null: bool = False) -> str | None:
        value = self._get(name, lambda v: isinstance(v, str), "a text", null)
        return value if value is None else _check_text(value, self.place(name))

    def integer(self, name: str, *, null: bool = False) -> int | None:
        return self._get(
            name,
            lambda v: isinstance(v, int) and not isinstance(v, bool),
            "a whole number",
            null,
        )

    def number(self, name: str, *, null: bool = False) -> float | None:
        value = self._get(
            name,
            lambda v: isinstance(v, int | float) and not isinstance(v, bool),
            "a number",
            null,
        )
        if value is None:
            return None
        try:
            value = float(value)
        except OverflowError:
            raise _problem(self.place(name), "is too large") from None
        if not math.isfinite(value):
            raise _problem(self.place(name), "must be a finite number")
        return value

    def boolean(self, name: str, *, null: bool = False) -> bool | None:
        return self._get(name, lambda v: isinstance(v, bool), "true or false", null)

    def when(self, name: str, *, null: bool = False) -> datetime | None:
        value = self._get(name, lambda v: isinstance(v, str), "a date and time", null)
        return value if value is None else _parse_when(value, self.place(name))

    def array(self, name: str) -> list:
        return self._get(name, lambda v: isinstance(v, list), "a list […]", False)


def _day(row: _Row, name: str) -> date:
    value = row.text(name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _problem(row.place(name), "must be a date such as 2026-11-25") from None


def _validate_model(instance: models.Model, where: str, *, exclude: Iterable[str] = ()) -> None:
    """The model's own field rules (lengths, choices, ranges), with the error
    naming the row. Keys are resolved separately and constraints are the
    database's, so both are left out here."""
    exclude = set(exclude)
    for model_field in instance._meta.concrete_fields:
        if model_field.is_relation:
            exclude.add(model_field.name)
        # TextField.max_length is only a widget hint to Django; a restore holds to it.
        elif isinstance(model_field, models.TextField) and model_field.max_length:
            value = getattr(instance, model_field.attname)
            if isinstance(value, str) and len(value) > model_field.max_length:
                raise _problem(
                    f"{where}.{model_field.name}",
                    f"is {len(value):,} characters long; the limit is {model_field.max_length:,}",
                )
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise _problem(f"{where}.{name}", " ".join(messages)) from None


def _file_id(row: _Row, seen: set[str]) -> str:
    value = row.text("id")
    if not value or len(value) > 40 or value.startswith(STARTER):
        raise _problem(row.place("id"), "must be a short id such as “c12”")
    if value in seen:
        raise _problem(row.place("id"), f"“{value}” is used twice")
    seen.add(value)
    return value


@dataclass
class _Starter:
    """The starter library on this server, by the keys a backup uses."""

    topics: dict[str, Topic]
    cards: dict[str, Card]
    prompts: dict[tuple[int, int], Prompt]
    ordinals: dict[int, list[int]]
    questions: dict[str, InterviewerQuestion]

    @classmethod
    def load(cls) -> "_Starter":
        prompts = {
            (p.card_id, p.ordinal): p
            for p in Prompt.objects.filter(card__owner=None).order_by("card_id", "ordinal")
        }
        ordinals = defaultdict(list)
        for card_id, ordinal in prompts:
            ordinals[card_id].append(ordinal)
        return cls(
            topics={t.slug: t for t in Topic.objects.filter(owner=None)},
            cards={
                c.starter_key: c for c in Card.objects.filter(owner=None, starter_key__isnull=False)
            },
            prompts=prompts,
            ordinals=ordinals,
            questions={
                q.starter_key: q
                for q in InterviewerQuestion.objects.filter(owner=None, starter_key__isnull=False)
            },
        )


@dataclass
class _CardRow:
    id: str
    card: Card
    topic: str
    tags: list[str]


@dataclass
class _PromptRow:
    card: str
    ordinal: int
    row: models.Model
    session: str | None = None


@dataclass
class _Group:
    """A row with M2M topics and child rows (a quiz, an interview, a mock session)."""

    id: str
    row: models.Model
    topics: list[str] = field(default_factory=list)
    children: list = field(default_factory=list)
    parent_ref: str | None = None


class _Checker:
    """Reads each part of the document into unsaved rows, checking every value
    and every reference; raises BackupRejected at the first problem. A part's
    rows may point only at parts read before it."""

    def __init__(self, starter: _Starter, *, version: int):
        self.starter, self.version = starter, version
        self.topic_ids: set[str] = set()
        # A card's file id: a number of its own (to key the reviews seen) and its prompts.
        self.cards: dict[str, tuple[int, tuple[int, ...]]] = {}
        self.session_ids: set[str] = set()
        self.question_ids: set[str] = set()
        self.interview_ids: set[str] = set()
        self.asked_ids: set[str] = set()

    # References ----------------------------------------------------------------------

    def _starter_ref(self, value: str, table: dict, what: str, where: str) -> str:
        key = value[len(STARTER) :]
        if key not in table:
            raise _problem(
                where,
                f"the starter {what} “{key}” is not on this server (load the starter "
                "library with manage.py load_starter, then restore again)",
            )
        return value

    def topic_ref(self, value, where: str) -> str:
        if not isinstance(value, str):
            raise _problem(where, f"must be a topic id, not {_kind(value)}")
        if value.startswith(STARTER):
            return self._starter_ref(value, self.starter.topics, "topic", where)
        if value not in self.topic_ids:
            raise _problem(where, f"“{value}” is not a topic of this backup")
        return value

    def topic_refs(self, row: _Row) -> list[str]:
        refs = [
            self.topic_ref(value, f"{row.place('topics')}[{n}]")
            for n, value in enumerate(row.array("topics"))
        ]
        if len(set(refs)) != len(refs):
            raise _problem(row.place("topics"), "names a topic twice")
        return refs

    def card_ref(self, row: _Row) -> tuple[int, tuple[int, ...]]:
        ref = row.text("card")
        if ref in self.cards:
            return self.cards[ref]
        if not ref.startswith(STARTER):
            raise _problem(row.place("card"), f"“{ref}” is not a card of this backup")
        self._starter_ref(ref, self.starter.cards, "card", row.place("card"))
        ordinals = self.starter.ordinals[self.starter.cards[ref[len(STARTER) :]].pk]
        self.cards[ref] = (len(self.cards), tuple(ordinals))
        return self.cards[ref]

    def prompt_ref(self, row: _Row) -> tuple[str, int]:
        ref, ordinal = row.text("card"), row.integer("ordinal")
        _number, ordinals = self.card_ref(row)
        if ordinal not in ordinals:
            raise _problem(
                row.place("ordinal"),
                f"card “{ref}” has no prompt {ordinal} (its prompts are "
                f"{', '.join(map(str, ordinals)) or 'none'})",
            )
        return ref, ordinal

    def own_ref(self, row: _Row, name: str, ids: set[str], what: str) -> str | None:
        value = row.text(name, null=True)
        if value is not None and value not in ids:
            raise _problem(row.place(name), f"“{value}” is not {what} of this backup")
        return value

    # Sections ------------------------------------------------------------------------

    def section(self, rows, name: str) -> Iterator[tuple[object, str]]:
        """The rows of a part: a list, or the rows of a large one as the file is read."""
        if not isinstance(rows, list | Iterator):
            raise _problem(name, f"must be a list […], not {_kind(rows)}")
        for n, value in enumerate(rows):
            yield value, f"{name}[{n}]"

    def settings(self, value) -> dict:
        row = _Row(value, "settings", ("new_cards_per_day", "timezone", "question_bank_seeded"))
        values = {
            "new_cards_per_day": row.integer("new_cards_per_day"),
            "timezone": row.text("timezone"),
            "question_bank_seeded": row.boolean("question_bank_seeded"),
        }
        _validate_model(Profile(**values), "settings")
        return values

    def topics(self, rows) -> list[tuple[str, Topic]]:
        slugs: set[str] = set()
        checked = []
        for value, where in self.section(rows, "topics"):
            row = _Row(value, where, ("id", "name", "slug", "description", "created_at"))
            topic_id = _file_id(row, self.topic_ids)
            topic = Topic(
                name=row.text("name"),
                slug=row.text("slug"),
                description=row.text("description"),
                created_at=row.when("created_at"),
            )
            _validate_model(topic, where)
            if topic.slug in slugs:
                raise _problem(row.place("slug"), f"“{topic.slug}” is used by two topics")
            slugs.add(topic.slug)
            checked.append((topic_id, topic))
        return checked

    def cards_section(self, rows) -> Iterator[_CardRow]:
        seen: set[str] = set()
        fields = ("id", "topic", "kind", "front", "back", "suspended", "tags")
        for value, where in self.section(rows, "cards"):
            row = _Row(value, where, (*fields, "created_at", "updated_at"))
            card_id = _file_id(row, seen)
            topic = self.topic_ref(row.value["topic"], row.place("topic"))
            card = Card(
                kind=row.text("kind"),
                front=row.text("front"),
                back=row.text("back"),
                suspended=row.boolean("suspended"),
                created_at=row.when("created_at"),
                updated_at=row.when("updated_at"),
            )
            _validate_model(card, where)
            tags = []
            for n, name in enumerate(row.array("tags")):
                place = f"{row.place('tags')}[{n}]"
                if not isinstance(name, str) or not name.strip():
                    raise _problem(place, "must be a tag name")
                if len(name) > 100:
                    raise _problem(place, "is longer than 100 characters")
                tags.append(_check_text(name, place))
            self.cards[card_id] = (len(self.cards), tuple(card.prompt_ordinals()))
            yield _CardRow(card_id, card, topic, tags)

    def study_sessions(self, rows) -> list[_Group]:
        checked = []
        for value, where in self.section(rows, "study_sessions"):
            row = _Row(value, where, ("id", "topics", "started_at", "finished_at"))
            session_id = _file_id(row, self.session_ids)
            session = StudySession(
                started_at=row.when("started_at"), finished_at=row.when("finished_at", null=True)
            )
            _validate_model(session, where)
            checked.append(_Group(session_id, session, self.topic_refs(row)))
        return checked

    def progress(self, rows) -> Iterator[_PromptRow]:
        seen = set()
        fields = ("card", "ordinal", "state", "step", "stability", "difficulty", "due")
        for value, where in self.section(rows, "progress"):
            row = _Row(value, where, (*fields, "last_review", "reps", "lapses"))
            prompt = self.prompt_ref(row)
            if prompt in seen:
                raise _problem(
                    where, f"card “{prompt[0]}” prompt {prompt[1]} has two progress rows"
                )
            seen.add(prompt)
            progress = Progress(
                state=row.integer("state"),
                step=row.integer("step", null=True),
                stability=row.number("stability", null=True),
                difficulty=row.number("difficulty", null=True),
                due=row.when("due"),
                last_review=row.when("last_review", null=True),
                reps=row.integer("reps"),
                lapses=row.integer("lapses"),
            )
            _validate_model(progress, where)
            yield _PromptRow(*prompt, progress)

    def _previous(self, row: _Row) -> dict | None:
        value = row.value["previous"]
        place = row.place("previous")
        if value is None:
            return None
        # Undo writes these keys back into the progress row: nothing else may pass.
        previous = _Row(value, place, PREVIOUS_KEYS)
        state = previous.integer("state")
        if state not in (1, 2, 3):
            raise _problem(previous.place("state"), "must be 1, 2 or 3")
        for name in ("step", "lapses"):
            number = previous.integer(name, null=name == "step")
            if number is not None and not 0 <= number <= 2**31 - 1:
                raise _problem(previous.place(name), "is out of range")
        for name in ("stability", "difficulty"):
            previous.number(name, null=True)
        previous.when("due")
        previous.when("last_review", null=True)
        return {key: value[key] for key in PREVIOUS_KEYS}

    def reviews(self, rows) -> Iterator[_PromptRow]:
        seen = set()
        fields = ("card", "ordinal", "session", "rating", "reviewed_at", "duration_ms")
        fields += ("review_number", "state_before", "state_after", "due_after", "previous")
        with_day = self.version >= 2  # version 1 had no day: counted on restore
        for value, where in self.section(rows, "reviews"):
            row = _Row(value, where, (*fields, "day") if with_day else fields)
            prompt = self.prompt_ref(row)
            session = self.own_ref(row, "session", self.session_ids, "a study session")
            review = ReviewLog(
                rating=row.integer("rating"),
                reviewed_at=row.when("reviewed_at"),
                duration_ms=row.integer("duration_ms"),
                review_number=row.integer("review_number"),
                state_before=row.integer("state_before", null=True),
                state_after=row.integer("state_after"),
                due_after=row.when("due_after"),
                previous=self._previous(row),
                day=_day(row, "day") if with_day else None,
            )
            _validate_model(review, where, exclude=["previous", "day"])
            # The card's number, not its id, so that a million reviews take less memory.
            key = (self.cards[prompt[0]][0], prompt[1], review.review_number)
            if key in seen:
                raise _problem(
                    row.place("review_number"),
                    f"card “{prompt[0]}” prompt {prompt[1]} has review {key[2]} twice",
                )
            seen.add(key)
            yield _PromptRow(*prompt, review, session)

    def quizzes(self, rows) -> list[_Group]:
        checked = []
        seen: set[str] = set()
        fields = ("id", "topics", "mode", "size", "count_as_reviews", "started_at")
        for value, where in self.section(rows, "quizzes"):
            row = _Row(value, where, (*fields, "finished_at", "items"))
            quiz_id = _file_id(row, seen)
            quiz = Quiz(
                mode=row.text("mode"),
                size=row.integer("size"),
                count_as_reviews=row.boolean("count_as_reviews"),
                started_at=row.when("started_at"),
                finished_at=row.when("finished_at", null=True),
            )
            _validate_model(quiz, where)
            group = _Group(quiz_id, quiz, self.topic_refs(row))
            positions, prompts = set(), set()
            for n, item_value in enumerate(row.array("items")):
                item_where = f"{where}.items[{n}]"
                item_row = _Row(
                    item_value,
                    item_where,
                    ("card", "ordinal", "position", "typed_answer", "correct", "answered_at"),
                )
                prompt = self.prompt_ref(item_row)
                item = QuizItem(
                    position=item_row.integer("position"),
                    typed_answer=item_row.text("typed_answer"),
                    correct=item_row.boolean("correct", null=True),
                    answered_at=item_row.when("answered_at", null=True),
                )
                _validate_model(item, item_where)
                if item.position in positions or prompt in prompts:
                    raise _problem(item_where, "repeats a position or a card of this quiz")
                positions.add(item.position)
                prompts.add(prompt)
                group.children.append(_PromptRow(*prompt, item))
            checked.append(group)
        return checked

    def questions_to_ask(self, rows) -> list[tuple[str, QuestionToAsk]]:
        checked = []
        keys: set[str] = set()
        for value, where in self.section(rows, "questions_to_ask"):
            row = _Row(value, where, ("id", "category", "text", "starter_key", "created_at"))
            question_id = _file_id(row, self.question_ids)
            question = QuestionToAsk(
                category=row.text("category"),
                text=row.text("text"),
                starter_key=row.text("starter_key"),
                created_at=row.when("created_at"),
            )
            _validate_model(question, where)
            if question.starter_key:
                if question.starter_key in keys:
                    raise _problem(row.place("starter_key"), "is used by two questions")
                keys.add(question.starter_key)
            checked.append((question_id, question))
        return checked

    def interviews(self, rows) -> list[_Group]:
        checked = []
        fields = ("id", "company", "role", "scheduled_at", "timezone", "duration_minutes")
        more = ("stage", "status", "links", "notes", "topics", "created_at", "updated_at")
        for value, where in self.section(rows, "interviews"):
            row = _Row(value, where, (*fields, *more, "checklist"))
            interview_id = _file_id(row, self.interview_ids)
            interview = Interview(
                company=row.text("company"),
                role=row.text("role"),
                scheduled_at=row.when("scheduled_at"),
                timezone=row.text("timezone"),
                duration_minutes=row.integer("duration_minutes"),
                stage=row.text("stage"),
                status=row.text("status"),
                links=row.text("links"),
                notes=row.text("notes"),
                created_at=row.when("created_at"),
                updated_at=row.when("updated_at"),
            )
            _validate_model(interview, where)
            if interview.timezone not in _time_zones():
                raise _problem(row.place("timezone"), f"“{interview.timezone}” is not a time zone")
            group = _Group(interview_id, interview, self.topic_refs(row))
            questions = set()
            for n, item_value in enumerate(row.array("checklist")):
                item_where = f"{where}.checklist[{n}]"
                item_row = _Row(
                    item_value,
                    item_where,
                    ("question", "text", "position", "asked", "answer", "updated_at"),
                )
                question = self.own_ref(
                    item_row, "question", self.question_ids, "a question to ask"
                )
                if question is not None:
                    if question in questions:
                        raise _problem(item_row.place("question"), "is on this checklist twice")
                    questions.add(question)
                item = ChecklistItem(
                    text=item_row.text("text"),
                    position=item_row.integer("position"),
                    asked=item_row.boolean("asked"),
                    answer=item_row.text("answer"),
                    updated_at=item_row.when("updated_at"),
                )
                _validate_model(item, item_where)
                group.children.append(_Group("", item, parent_ref=question))
            checked.append(group)
        return checked

    def _string_list(self, row: _Row, name: str, *, choices=None) -> list[str]:
        values = []
        for n, value in enumerate(row.array(name)):
            place = f"{row.place(name)}[{n}]"
            if not isinstance(value, str):
                raise _problem(place, f"must be a text, not {_kind(value)}")
            if choices is not None and value not in choices:
                raise _problem(place, f"“{value}” is not one of {', '.join(choices)}")
            values.append(_check_text(value, place))
        return values

    def interviewer_questions(self, rows) -> list[tuple[str, InterviewerQuestion]]:
        checked = []
        for value, where in self.section(rows, "interviewer_questions"):
            row = _Row(value, where, ("id", "area", "text", "key_points", "star"))
            question_id = _file_id(row, self.asked_ids)
            question = InterviewerQuestion(
                area=row.text("area"),
                text=row.text("text"),
                key_points=self._string_list(row, "key_points"),
                star=row.boolean("star"),
            )
            _validate_model(question, where, exclude=["key_points"])
            checked.append((question_id, question))
        return checked

    def mock_sessions(self, rows) -> list[_Group]:
        checked = []
        seen: set[str] = set()
        fields = ("id", "interview", "areas", "time_limit_seconds", "started_at", "finished_at")
        answer_fields = ("question", "position", "text", "started_at", "submitted_at")
        for value, where in self.section(rows, "mock_sessions"):
            row = _Row(value, where, (*fields, "answers"))
            session_id = _file_id(row, seen)
            interview = self.own_ref(row, "interview", self.interview_ids, "an interview")
            session = MockSession(
                areas=self._string_list(row, "areas", choices=PracticeArea.values),
                time_limit_seconds=row.integer("time_limit_seconds"),
                started_at=row.when("started_at"),
                finished_at=row.when("finished_at", null=True),
            )
            _validate_model(session, where, exclude=["areas"])
            group = _Group(session_id, session, parent_ref=interview)
            positions = set()
            for n, answer_value in enumerate(row.array("answers")):
                answer_where = f"{where}.answers[{n}]"
                answer_row = _Row(
                    answer_value,
                    answer_where,
                    (*answer_fields, "timed_out", "covered", "score", "scored_at"),
                )
                question = answer_row.text("question")
                if question.startswith(STARTER):
                    self._starter_ref(
                        question,
                        self.starter.questions,
                        "interviewer question",
                        answer_row.place("question"),
                    )
                elif question not in self.asked_ids:
                    raise _problem(
                        answer_row.place("question"),
                        f"“{question}” is not an interviewer question of this backup",
                    )
                covered = answer_row.array("covered")
                for k, index in enumerate(covered):
                    if (
                        not isinstance(index, int)
                        or isinstance(index, bool)
                        or not 0 <= index <= 10_000
                    ):
                        raise _problem(
                            f"{answer_row.place('covered')}[{k}]", "must be a key point number"
                        )
                score = answer_row.number("score", null=True)
                if score is not None and not 0 <= score <= 1:
                    raise _problem(answer_row.place("score"), "must be between 0 and 1")
                answer = MockAnswer(
                    position=answer_row.integer("position"),
                    text=answer_row.text("text"),
                    started_at=answer_row.when("started_at", null=True),
                    submitted_at=answer_row.when("submitted_at", null=True),
                    timed_out=answer_row.boolean("timed_out"),
                    covered=covered,
                    score=score,
                    scored_at=answer_row.when("scored_at", null=True),
                )
                _validate_model(answer, answer_where, exclude=["covered"])
                if answer.position in positions:
                    raise _problem(answer_row.place("position"), "is used twice in this session")
                positions.add(answer.position)
                group.children.append(_Group("", answer, parent_ref=question))
            checked.append(group)
        return checked


class _Parts:
    """A document's top-level parts, taken one by one in the order a restore
    writes them (TOP_LEVEL): from a parsed document, or from a file as it is read.
    A part the file holds before its turn is kept until then."""

    def __init__(self, data):
        self.early: dict[str, object] = {}
        self.file = data if isinstance(data, BackupFile) else None
        if self.file is not None:
            self.pairs = self.file.parts()
            return
        check_header(data)
        for name in TOP_LEVEL:
            if name not in data:
                raise _problem(name, "missing")
        self.pairs = iter(data.items())

    def take(self, name: str, *, required: bool = True):
        if name in self.early:
            return self.early.pop(name)
        for key, value in self.pairs:
            if key not in TOP_LEVEL:
                raise _problem(key, "is not a part of a prep backup (format 1)")
            if key == name:
                return value
            # Out of the order prep writes: read now (within the file's limits), used later.
            if isinstance(value, Iterator):
                value = self.file.keep_rows(key, value)
            self.early[key] = value
        if required:
            raise _problem(name, "missing")
        return None

    def header(self) -> int:
        """Checks what the document says of itself; returns its format version."""
        _check_format(self.take("format", required=False))
        version = self.take("version", required=False)
        _check_version(version)
        exported_at = self.take("exported_at")
        if not isinstance(exported_at, str):
            raise _problem("exported_at", "must be a date and time")
        _parse_when(exported_at, "exported_at")
        _Row(self.take("user"), "user", ("username",)).text("username")
        return version

    def finish(self) -> None:
        """Reads what is left of the file: only a part prep does not write can be there."""
        for key, _value in self.pairs:
            raise _problem(key, "is not a part of a prep backup (format 1)")


def check_header(document) -> None:
    if not isinstance(document, dict):
        _check_format(None)
    _check_format(document.get("format"))
    _check_version(document.get("version"))


def _check_format(value) -> None:
    if value != FORMAT:
        raise BackupRejected(
            "The file is not a prep backup: it has no “format”: “prep-backup” at the top."
        )


def _check_version(version) -> None:
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BackupRejected("version: must be a format number such as 1.")
    if version > VERSION:
        raise BackupRejected(
            f"This backup was made by a newer version of prep (format {version}); "
            f"this version reads format {VERSION}."
        )


# Restoring -------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    merge: bool
    added: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        if not self.merge:
            return f"Backup restored: {listing(self.added) or 'it was empty'}."
        parts = [f"Backup merged. Added: {listing(self.added) or 'nothing'}."]
        if sum(self.updated.values()):
            parts.append(f"Updated from the backup, being newer there: {listing(self.updated)}.")
        if sum(self.kept.values()):
            parts.append(f"Kept as they are in your account: {listing(self.kept)}.")
        if sum(self.skipped.values()):
            parts.append(
                "Left out, because your newer version of their card no longer asks "
                f"that prompt: {listing(self.skipped)}."
            )
        return " ".join(parts)


def _pristine_question_ids(user) -> list[int]:
    """The person's copies of starter questions to ask, still as the library has
    them: sign-up puts them there, so they do not make an account non-empty."""
    library = {
        key: (category, text)
        for key, category, text in QuestionToAsk.objects.filter(user=None)
        .exclude(starter_key="")
        .values_list("starter_key", "category", "text")
    }
    return [
        pk
        for pk, key, category, text in QuestionToAsk.objects.filter(user=user)
        .exclude(starter_key="")
        .values_list("pk", "starter_key", "category", "text")
        if library.get(key) == (category, text)
    ]


# The singular of each name counted in reports and on the data page.
_SINGULAR = {
    "topics": "topic",
    "cards": "card",
    "progress rows": "progress row",
    "reviews": "review",
    "study sessions": "study session",
    "quizzes": "quiz",
    "quiz items": "quiz item",
    "interviews": "interview",
    "checklist items": "checklist item",
    "questions to ask": "question to ask",
    "interviewer questions": "interviewer question",
    "mock interviews": "mock interview",
    "mock sessions": "mock session",
}


def counted(n: int, name: str) -> str:
    """A count with its name, read with spaces: “1 study session”, “2 cards”."""
    name = name.replace("_", " ")
    return f"{n} {_SINGULAR.get(name, name) if n == 1 else name}"


def listing(counts: dict[str, int]) -> str:
    """The counts that are not zero, read out: “1 topic, 3 cards”."""
    return ", ".join(counted(n, name) for name, n in counts.items() if n)


def account_contents(user) -> dict[str, int]:
    """How much the person has, by the names the data page and messages use."""
    questions = QuestionToAsk.objects.filter(user=user).count()
    return {
        "topics": Topic.objects.owned_by(user).count(),
        "cards": Card.objects.owned_by(user).count(),
        "progress rows": Progress.objects.filter(user=user).count(),
        "reviews": ReviewLog.objects.filter(user=user).count(),
        "study sessions": StudySession.objects.filter(user=user).count(),
        "quizzes": Quiz.objects.filter(user=user).count(),
        "interviews": Interview.objects.owned_by(user).count(),
        "questions to ask": questions - len(_pristine_question_ids(user)),
        "interviewer questions": InterviewerQuestion.objects.filter(owner=user).count(),
        "mock interviews": MockSession.objects.filter(user=user).count(),
    }


def _set_timestamps(model, rows: list, names: list[str], values: list[dict]) -> None:
    """auto_now and auto_now_add overwrite what bulk_create is given; put the
    backup's times back. One UPDATE run for every row (executemany): bulk_update's
    CASE over a batch took 12 s for 20,000 cards, this a fraction of a second."""
    for row, wanted in zip(rows, values, strict=True):
        for name in names:
            setattr(row, name, wanted[name])
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    params = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _batches(rows: Iterable) -> Iterator[list]:
    rows = iter(rows)
    while batch := list(itertools.islice(rows, STREAM_CHUNK)):
        yield batch


class _Writer:
    """Writes checked rows, part by part; the large parts a batch at a time as
    they are read. Rows already in the account are matched by what identifies
    them to a person (a topic by slug, a card by topic and front, a review by
    prompt and number…); a match keeps the newer of the two, and a row is never
    overwritten by an older one."""

    def __init__(self, *, user, starter: _Starter, merge: bool, after_batch=lambda: None):
        self.user, self.starter, self.merge = user, starter, merge
        self.after_batch = after_batch
        self.report = RestoreReport(merge=merge)
        self.topics: dict[str, Topic] = {}
        self.cards: dict[str, int] = {}  # a card's file id: its pk
        # A card's pk: its prompts' pks by ordinal.
        self.prompts: dict[int, dict[int, int]] = defaultdict(dict)
        for (card_id, ordinal), prompt in starter.prompts.items():
            self.prompts[card_id][ordinal] = prompt.pk
        self.tags: dict[str, object] = {}
        self.sessions: dict[str, StudySession] = {}
        self.questions: dict[str, QuestionToAsk] = {}
        self.interviews: dict[str, Interview] = {}
        self.asked: dict[str, InterviewerQuestion] = {}

    def topic(self, ref: str) -> Topic:
        if ref.startswith(STARTER):
            return self.starter.topics[ref[len(STARTER) :]]
        return self.topics[ref]

    def card(self, ref: str) -> int:
        if ref.startswith(STARTER):
            return self.starter.cards[ref[len(STARTER) :]].pk
        return self.cards[ref]

    def prompt(self, row: _PromptRow) -> tuple[int, int] | None:
        """The row's prompt's pk and its card's, if the card still asks it."""
        card = self.card(row.card)
        prompt = self.prompts[card].get(row.ordinal)
        return None if prompt is None else (prompt, card)

    def interviewer_question(self, ref: str) -> InterviewerQuestion:
        if ref.startswith(STARTER):
            return self.starter.questions[ref[len(STARTER) :]]
        return self.asked[ref]

    def _set_topics(self, model, rows: list[tuple[models.Model, list[str]]]) -> None:
        through = model.topics.through
        source = model._meta.model_name + "_id"
        through.objects.bulk_create(
            [
                through(**{source: row.pk, "topic_id": self.topic(ref).pk})
                for row, refs in rows
                for ref in refs
            ]
        )

    def write_topics(self, checked: list[tuple[str, Topic]]) -> None:
        existing = {t.slug: t for t in Topic.objects.owned_by(self.user)}
        new = []
        for topic_id, topic in checked:
            if topic.slug in existing:
                self.topics[topic_id] = existing[topic.slug]
                self.report.kept["topics"] += 1
            else:
                topic.owner = self.user
                self.topics[topic_id] = topic
                new.append(topic)
        times = [{"created_at": t.created_at} for t in new]
        Topic.objects.bulk_create(new)
        _set_timestamps(Topic, new, ["created_at"], times)
        self.report.added["topics"] += len(new)

    def write_cards(self, rows: Iterable[_CardRow]) -> None:
        existing = defaultdict(list)
        if self.merge:
            for card in Card.objects.owned_by(self.user).order_by("pk"):
                existing[(card.topic_id, card.front)].append(card)
            for card_id, ordinal, pk in Prompt.objects.filter(card__owner=self.user).values_list(
                "card_id", "ordinal", "pk"
            ):
                self.prompts[card_id][ordinal] = pk
        for batch in _batches(rows):
            new, new_ids, new_tags = [], [], []
            for row in batch:
                topic = self.topic(row.topic)
                matches = existing.get((topic.pk, row.card.front))
                if matches:
                    current = matches.pop(0)
                    self.cards[row.id] = current.pk
                    if row.card.updated_at > current.updated_at:
                        self._update_card(current, row)
                        self.report.updated["cards"] += 1
                    else:
                        self.report.kept["cards"] += 1
                    continue
                row.card.owner, row.card.topic = self.user, topic
                new.append(row.card)
                new_ids.append(row.id)
                new_tags.append(row.tags)
            times = [{"created_at": c.created_at, "updated_at": c.updated_at} for c in new]
            Card.objects.bulk_create(new)
            _set_timestamps(Card, new, ["created_at", "updated_at"], times)
            prompts = Prompt.objects.bulk_create(
                [Prompt(card=card, ordinal=n) for card in new for n in card.prompt_ordinals()]
            )
            for prompt in prompts:
                self.prompts[prompt.card_id][prompt.ordinal] = prompt.pk
            self._attach_tags(list(zip(new, new_tags, strict=True)))
            for card, card_id in zip(new, new_ids, strict=True):
                self.cards[card_id] = card.pk
            self.report.added["cards"] += len(new)
            self.after_batch()

    def _update_card(self, current: Card, row: _CardRow) -> None:
        changes = {
            "kind": row.card.kind,
            "back": row.card.back,
            "suspended": row.card.suspended,
            "updated_at": row.card.updated_at,
        }
        Card.objects.filter(pk=current.pk).update(**changes)
        suspended_before = current.suspended
        for name, value in changes.items():
            setattr(current, name, value)
        # A restore never moves a card to another topic: only its suspension can spread.
        current.spread_change(topic_before=current.topic_id, suspended_before=suspended_before)
        current.sync_prompts()
        self.prompts[current.pk] = dict(current.prompts.values_list("ordinal", "pk"))
        current.tags.set(row.tags, clear=True)

    def _attach_tags(self, pairs: list[tuple[Card, list[str]]]) -> None:
        """Tags are shared by everyone; find each by name as taggit does (case-
        insensitively when TAGGIT_CASE_INSENSITIVE is on), create the missing."""
        through = Card.tags.through
        tag_model = through.tag_model()
        insensitive = getattr(settings, "TAGGIT_CASE_INSENSITIVE", False)
        tags = self.tags  # by name, for the whole restore
        for name in sorted({name for _card, names in pairs for name in names} - tags.keys()):
            lookup = {"name__iexact": name} if insensitive else {"name": name}
            tag = tag_model.objects.filter(**lookup).order_by("pk").first()
            tags[name] = tag or tag_model.objects.create(name=name)
        content_type = ContentType.objects.get_for_model(Card)
        links = []
        for card, names in pairs:
            for tag_pk in dict.fromkeys(tags[name].pk for name in names):
                links.append(through(content_type=content_type, object_id=card.pk, tag_id=tag_pk))
        through.objects.bulk_create(links)

    def write_study_sessions(self, checked: list[_Group]) -> None:
        existing = {s.started_at: s for s in StudySession.objects.filter(user=self.user)}
        new = []
        for group in checked:
            if group.row.started_at in existing:
                self.sessions[group.id] = existing[group.row.started_at]
                self.report.kept["study_sessions"] += 1
                continue
            group.row.user = self.user
            self.sessions[group.id] = group.row
            new.append(group)
        rows = [g.row for g in new]
        times = [{"started_at": s.started_at} for s in rows]
        StudySession.objects.bulk_create(rows)
        _set_timestamps(StudySession, rows, ["started_at"], times)
        self._set_topics(StudySession, [(g.row, g.topics) for g in new])
        self.report.added["study_sessions"] += len(new)

    def write_progress(self, rows: Iterable[_PromptRow]) -> None:
        existing = {}
        if self.merge:
            existing = {p.prompt_id: p for p in Progress.objects.filter(user=self.user)}
        cards = suspended = None
        for batch in _batches(rows):
            new = []
            for row in batch:
                prompt = self.prompt(row)
                if prompt is None:
                    self.report.skipped["progress"] += 1
                    continue
                progress = row.row
                current = existing.get(prompt[0])
                if current is None:
                    progress.user = self.user
                    progress.prompt_id, progress.card_id = prompt
                    new.append(progress)
                elif _newer_progress(progress, current):
                    Progress.objects.filter(pk=current.pk).update(
                        **{name: getattr(progress, name) for name in PROGRESS}
                    )
                    self.report.updated["progress"] += 1
                else:
                    self.report.kept["progress"] += 1
            if new and cards is None:  # the cards are all written by now
                cards = dict(
                    Card.objects.filter(Q(owner=self.user) | Q(owner__isnull=True)).values_list(
                        "pk", "topic_id"
                    )
                )
                suspended = set(
                    Card.objects.filter(owner=self.user, suspended=True).values_list(
                        "pk", flat=True
                    )
                )
            for progress in new:
                progress.topic_id = cards[progress.card_id]
                progress.suspended = progress.card_id in suspended
            Progress.objects.bulk_create(new)
            self.report.added["progress"] += len(new)
            self.after_batch()

    def write_reviews(self, rows: Iterable[_PromptRow]) -> None:
        existing = set()
        if self.merge:  # an account restored without merging has no reviews
            existing = set(
                ReviewLog.objects.filter(user=self.user).values_list("prompt_id", "review_number")
            )
        zone = Profile.for_user(self.user).zone  # a grade's day: where the person is
        added = 0
        for batch in _batches(rows):
            new = []
            for row in batch:
                prompt = self.prompt(row)
                if prompt is None:
                    self.report.skipped["reviews"] += 1
                    continue
                if (prompt[0], row.row.review_number) in existing:
                    self.report.kept["reviews"] += 1
                    continue
                review = row.row
                review.user = self.user
                review.prompt_id, review.card_id = prompt
                review.session = self.sessions[row.session] if row.session else None
                if review.day is None:
                    review.day = review_days.local_day(review.reviewed_at, zone)
                new.append(review)
            ReviewLog.objects.bulk_create(new)
            added += len(new)
            self.after_batch()
        self.report.added["reviews"] += added
        if added:
            review_days.recount(ReviewDay, ReviewLog, user_id=self.user.pk)

    def write_quizzes(self, checked: list[_Group]) -> None:
        existing = {q.started_at for q in Quiz.objects.filter(user=self.user)}
        new = []
        for group in checked:
            if group.row.started_at in existing:
                self.report.kept["quizzes"] += 1
                continue
            group.row.user = self.user
            new.append(group)
        rows = [g.row for g in new]
        times = [{"started_at": q.started_at} for q in rows]
        Quiz.objects.bulk_create(rows)
        _set_timestamps(Quiz, rows, ["started_at"], times)
        self._set_topics(Quiz, [(g.row, g.topics) for g in new])
        items = []
        for group in new:
            for row in group.children:
                prompt = self.prompt(row)
                if prompt is None:
                    self.report.skipped["quiz_items"] += 1
                    continue
                row.row.quiz = group.row
                row.row.prompt_id, row.row.card_id = prompt
                items.append(row.row)
        QuizItem.objects.bulk_create(items)
        self.report.added["quizzes"] += len(new)

    def write_questions_to_ask(self, checked: list[tuple[str, QuestionToAsk]]) -> None:
        by_key, by_text = {}, {}
        for question in QuestionToAsk.objects.filter(user=self.user).order_by("pk"):
            if question.starter_key:
                by_key.setdefault(question.starter_key, question)
            by_text.setdefault((question.category, question.text), question)
        new = []
        for question_id, question in checked:
            if question.starter_key:
                current = by_key.get(question.starter_key)
            else:
                current = by_text.get((question.category, question.text))
            if current is not None:
                self.questions[question_id] = current
                self.report.kept["questions_to_ask"] += 1
                continue
            question.user = self.user
            self.questions[question_id] = question
            new.append(question)
        times = [{"created_at": q.created_at} for q in new]
        QuestionToAsk.objects.bulk_create(new)
        _set_timestamps(QuestionToAsk, new, ["created_at"], times)
        self.report.added["questions_to_ask"] += len(new)

    def write_interviews(self, checked: list[_Group]) -> None:
        existing = {
            (i.company, i.role, i.scheduled_at): i for i in Interview.objects.owned_by(self.user)
        }
        new, matched = [], []
        for group in checked:
            row = group.row
            current = existing.pop((row.company, row.role, row.scheduled_at), None)
            if current is None:
                row.user = self.user
                self.interviews[group.id] = row
                new.append(group)
                continue
            self.interviews[group.id] = current
            matched.append((group, current))
            if row.updated_at > current.updated_at:
                changes = {
                    name: getattr(row, name)
                    for name in (
                        "timezone",
                        "duration_minutes",
                        "stage",
                        "status",
                        "links",
                        "notes",
                        "updated_at",
                    )
                }
                Interview.objects.filter(pk=current.pk).update(**changes)
                current.topics.set([self.topic(ref) for ref in group.topics])
                self.report.updated["interviews"] += 1
            else:
                self.report.kept["interviews"] += 1
        rows = [g.row for g in new]
        times = [{"created_at": i.created_at, "updated_at": i.updated_at} for i in rows]
        Interview.objects.bulk_create(rows)
        _set_timestamps(Interview, rows, ["created_at", "updated_at"], times)
        self._set_topics(Interview, [(g.row, g.topics) for g in new])
        self.report.added["interviews"] += len(new)

        items = []
        for group in new:
            for child in group.children:
                child.row.interview = group.row
                child.row.question = self.questions[child.parent_ref] if child.parent_ref else None
                items.append(child.row)
        for group, current in matched:
            items.extend(self._merge_checklist(group, current))
        times = [{"updated_at": item.updated_at} for item in items]
        ChecklistItem.objects.bulk_create(items)
        _set_timestamps(ChecklistItem, items, ["updated_at"], times)
        self.report.added["checklist_items"] += len(items)

    def _merge_checklist(self, group: _Group, interview: Interview) -> list[ChecklistItem]:
        """Items of an interview that is in both: the newer of each item by its
        text, plus the backup's items the account does not have."""
        existing = defaultdict(list)
        used = set()
        for item in interview.checklist.order_by("position", "pk"):
            existing[item.text].append(item)
            if item.question_id:
                used.add(item.question_id)
        new = []
        for child in group.children:
            item = child.row
            question = self.questions[child.parent_ref] if child.parent_ref else None
            matches = existing.get(item.text)
            if matches:
                current = matches.pop(0)
                if item.updated_at > current.updated_at:
                    ChecklistItem.objects.filter(pk=current.pk).update(
                        position=item.position,
                        asked=item.asked,
                        answer=item.answer,
                        updated_at=item.updated_at,
                    )
                    self.report.updated["checklist_items"] += 1
                else:
                    self.report.kept["checklist_items"] += 1
                continue
            if question is not None and question.pk in used:
                question = None  # that question is on this checklist already
            if question is not None:
                used.add(question.pk)
            item.interview, item.question = interview, question
            new.append(item)
        return new

    def write_interviewer_questions(self, checked: list[tuple[str, InterviewerQuestion]]) -> None:
        existing = {}
        for question in InterviewerQuestion.objects.filter(owner=self.user).order_by("pk"):
            existing.setdefault((question.area, question.text), question)
        new = []
        for question_id, question in checked:
            current = existing.get((question.area, question.text))
            if current is not None:
                self.asked[question_id] = current
                self.report.kept["interviewer_questions"] += 1
                continue
            question.owner = self.user
            self.asked[question_id] = question
            new.append(question)
        InterviewerQuestion.objects.bulk_create(new)
        self.report.added["interviewer_questions"] += len(new)

    def write_mock_sessions(self, checked: list[_Group]) -> None:
        existing = {m.started_at for m in MockSession.objects.filter(user=self.user)}
        new = []
        for group in checked:
            if group.row.started_at in existing:
                self.report.kept["mock_sessions"] += 1
                continue
            group.row.user = self.user
            group.row.interview = self.interviews[group.parent_ref] if group.parent_ref else None
            new.append(group)
        rows = [g.row for g in new]
        times = [{"started_at": m.started_at} for m in rows]
        MockSession.objects.bulk_create(rows)
        _set_timestamps(MockSession, rows, ["started_at"], times)
        answers = []
        for group in new:
            for child in group.children:
                child.row.session = group.row
                child.row.question = self.interviewer_question(child.parent_ref)
                answers.append(child.row)
        MockAnswer.objects.bulk_create(answers)
        self.report.added["mock_sessions"] += len(new)


def _newer_progress(candidate: Progress, current: Progress) -> bool:
    """More reviews is newer; with as many, the later last review is."""
    never = datetime.min.replace(tzinfo=UTC)
    return (candidate.reps, candidate.last_review or never) > (
        current.reps,
        current.last_review or never,
    )


def refuse_non_empty(user) -> None:
    contents = listing(account_contents(user))
    if contents:
        raise BackupRejected(
            f"Your account is not empty (it has {contents}), so the backup was not "
            "restored over it. Tick “merge” to add what the backup has and your account "
            "lacks, keeping the newer of anything that is in both; or restore into a new, "
            "empty account."
        )


@transaction.atomic
def restore_backup(
    *, user, data, merge: bool, progress: Callable[[int, int], None] | None = None
) -> RestoreReport:
    """Check the backup (a parsed document, or a file from read_backup) and write
    it into the person's account, in one transaction: each part is checked and
    then written, the large ones a batch at a time as the file is read. An
    account that already has data is refused unless ``merge``. Raises
    BackupRejected, with nothing written, when anything is wrong. ``progress``,
    for a file, hears after every batch how many of its bytes have been read."""
    # One restore at a time per person: the emptiness check holds until commit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    parts = _Parts(data)
    version = parts.header()
    starter = _Starter.load()
    check = _Checker(starter, version=version)
    settings_values = check.settings(parts.take("settings"))
    if not merge:
        refuse_non_empty(user)

    def after_batch():
        if progress is not None and isinstance(data, BackupFile):
            progress(data.position(), data.size)

    writer = _Writer(user=user, starter=starter, merge=merge, after_batch=after_batch)
    try:
        with transaction.atomic():
            if not merge:
                # Sign-up's untouched copies of the starter questions make way for
                # the backup's own question bank.
                QuestionToAsk.objects.filter(pk__in=_pristine_question_ids(user)).delete()
                Profile.objects.update_or_create(user=user, defaults=settings_values)
            else:
                Profile.for_user(user)
            writer.write_topics(check.topics(parts.take("topics")))
            writer.write_cards(check.cards_section(parts.take("cards")))
            writer.write_study_sessions(check.study_sessions(parts.take("study_sessions")))
            writer.write_progress(check.progress(parts.take("progress")))
            writer.write_reviews(check.reviews(parts.take("reviews")))
            writer.write_quizzes(check.quizzes(parts.take("quizzes")))
            writer.write_questions_to_ask(check.questions_to_ask(parts.take("questions_to_ask")))
            writer.write_interviews(check.interviews(parts.take("interviews")))
            writer.write_interviewer_questions(
                check.interviewer_questions(parts.take("interviewer_questions"))
            )
            writer.write_mock_sessions(check.mock_sessions(parts.take("mock_sessions")))
            parts.finish()
            planner.analyze_after_commit(sum(writer.report.added.values()))
            return writer.report
    except IntegrityError as error:
        raise BackupRejected(
            f"The backup could not be written ({error}); nothing was restored."
        ) from error
