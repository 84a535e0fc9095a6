"""Backup and restore (accounts/backup.py, backup_views.py, the export_user and
import_user commands), against the real database."""

import copy
import gzip
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from accounts import backup
from accounts.backup import (
    BackupRejected,
    backup_bytes,
    backup_document,
    read_backup,
    restore_backup,
)
from accounts.backup.profile import FOLLOWUP_CARDS, NEW_CARD_ORDER
from accounts.models import Profile
from cards.browse.hide import hide_cards, unhide_cards
from cards.models import (
    Card,
    HiddenCard,
    Progress,
    Quiz,
    QuizItem,
    ReviewLog,
    SavedSearch,
    SchedulerSettings,
    StudySession,
    Topic,
)
from cards.progress import dashboard
from cards.schedule import optimizer
from cards.study import services
from interviews.backup import CALENDAR_KEYS, MOCK_SESSIONS
from interviews.checklists.services import seed_question_bank
from interviews.models import (
    ChecklistItem,
    Interview,
    InterviewerQuestion,
    MockAnswer,
    MockSession,
    OwnModelAnswer,
    QuestionToAsk,
)
from tests.factories import make_card, make_interview, make_topic, make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
# Parameters an optimizer run might fit: FSRS's defaults, a little moved.
FITTED = [w * 1.0123456789 for w in optimizer.DEFAULT_PARAMETERS[:4]] + list(
    optimizer.DEFAULT_PARAMETERS[4:]
)


# Building accounts ---------------------------------------------------------------------


@dataclass
class Starter:
    topic: Topic
    card: Card
    question: InterviewerQuestion
    to_ask: QuestionToAsk


def make_starter() -> Starter:
    topic = make_topic(owner=None, name="System design", slug="system-design")
    card = make_card(topic, owner=None, front="What is a load balancer?", starter_key="sd-lb")
    # One a person hides from themself (a bulk delete in the card browser).
    make_card(topic, owner=None, front="What is a CDN?", starter_key="sd-cdn")
    question = InterviewerQuestion.objects.create(
        owner=None,
        area="behavioral",
        text="Tell me about a conflict.",
        key_points=["Situation", "Action", "Result"],
        star=True,
        starter_key="beh-conflict",
    )
    to_ask = QuestionToAsk.objects.create(
        user=None, category="team", text="How big is the team?", starter_key="team-size"
    )
    return Starter(topic, card, question, to_ask)


@pytest.fixture
def starter(db) -> Starter:
    return make_starter()


def grade(user, session, prompt, rating, when):
    reps = Progress.objects.filter(user=user, prompt=prompt).values_list("reps", flat=True)
    return services.grade_prompt(
        user=user,
        session=session,
        prompt=prompt,
        rating=rating,
        expected_reps=reps[0] if reps else 0,
        duration_ms=4321,
        now=when,
    )


def build_account(user, starter: Starter) -> None:
    """Something of every kind a person can have, through the app's own services
    where there is one (grades go through FSRS, so progress holds real floats)."""
    Profile.objects.filter(user=user).update(
        new_cards_per_day=35,
        timezone="Europe/Berlin",
        new_card_spread="by_topic",
        new_card_source="mixed",
        new_card_order="random",
        followup_cards_auto=True,
    )
    fit = optimizer.Fit(
        parameters=FITTED,
        default={"log_loss": 0.41, "rmse": 0.07},
        fitted={"log_loss": 0.3812345678901234, "rmse": 0.052},
        reviews=80,
    )
    SchedulerSettings.objects.create(
        user=user,
        desired_retention=0.85,
        parameters=fit.parameters,
        optimized_at=NOW + timedelta(days=3, microseconds=7),
        metrics=fit.metrics(),
        light_weekdays=[2, 6],
        light_dates=["2026-12-24", "2026-12-31"],
        interview_days_light=False,
    )
    seed_question_bank(user=user)
    kafka = make_topic(owner=user, name="Kafka", description="Logs, partitions, groups")
    unicode_topic = make_topic(owner=user, name="Ünïcode ✓")
    basic = make_card(
        kafka,
        owner=user,
        front='What is a partition?\n\t"quoted", =SUM(1)',
        back="An ordered log.\r\nSecond line 🙂",
        tags=["kafka", "Streaming data"],
    )
    reverse_card = make_card(
        unicode_topic,
        owner=user,
        kind="reversed",
        front="<b>Front</b> a*b*c",
        back="Back<br>&lt;div&gt;",
        text_format=Card.TextFormat.HTML,
    )
    cloze = make_card(
        kafka, owner=user, kind="cloze", front="{{c1::Kafka}} keeps {{c2::logs}}", back=""
    )
    make_card(starter.topic, owner=user, front="My own card in a library topic", suspended=True)
    make_card(kafka, owner=user, front="Never studied", tags=["kafka"])

    session = services.start_session(user=user, topics=[kafka, starter.topic])
    session.finished_at = NOW + timedelta(hours=1)
    session.save()
    when = NOW
    for prompt, ratings in [
        (basic.prompts.get(), [3, 3, 1]),
        (reverse_card.prompts.get(ordinal=1), [2]),
        (cloze.prompts.get(ordinal=2), [4, 3]),
        (starter.card.prompts.get(), [3, 1, 3]),
    ]:
        for rating in ratings:
            when += timedelta(minutes=17, microseconds=311)
            grade(user, session, prompt, rating, when)
    grade(user, None, reverse_card.prompts.get(ordinal=0), 3, when + timedelta(days=2))

    quiz = Quiz.objects.create(
        user=user, mode="weakest", size=2, count_as_reviews=False, search_text="kafka -is:new"
    )
    quiz.topics.set([kafka, starter.topic])
    SavedSearch.objects.create(user=user, name="Kafka due", text="kafka is:due")
    SavedSearch.objects.create(user=user, name="Starter – “quoted”", text='starter "a phrase"')
    QuizItem.objects.create(
        quiz=quiz,
        prompt=basic.prompts.get(),
        card=basic,
        position=1,
        typed_answer="a log\twith a tab",
        correct=True,
        answered_at=NOW,
    )
    QuizItem.objects.create(
        quiz=quiz, prompt=starter.card.prompts.get(), card=starter.card, position=2
    )

    own_question = QuestionToAsk.objects.create(user=user, category="tech", text="Which CI?")
    interview = make_interview(
        user,
        company="Acme",
        role="Data engineer",
        scheduled_at=NOW + timedelta(days=5),
        timezone="America/New_York",
        duration_minutes=45,
        stage="system-design",
        status="upcoming",
        links="https://example.com/job\nhttps://example.com/call",
        notes="Ask about on-call.\n\n– résumé",
    )
    interview.topics.set([kafka, starter.topic])
    bank_copy = QuestionToAsk.objects.get(user=user, starter_key="team-size")
    ChecklistItem.objects.create(
        interview=interview,
        question=bank_copy,
        text=bank_copy.text,
        position=1,
        asked=True,
        answer="Eight people",
    )
    ChecklistItem.objects.create(
        interview=interview, question=own_question, text=own_question.text, position=2
    )
    ChecklistItem.objects.create(interview=interview, text="Typed in, not in the bank", position=3)
    make_interview(user, company="Globex", role="ML engineer", status="rejected")

    mine = InterviewerQuestion.objects.create(
        owner=user,
        area="technical",
        text="Explain consistent hashing.",
        key_points=["Ring", "Vnodes"],
        key_point_synonyms=[["hash ring"], ["virtual nodes", "tokens"]],
        model_answer="Keys and servers sit on one hash ring; virtual nodes spread the load.",
    )
    OwnModelAnswer.objects.create(
        user=user, question=starter.question, text="I spoke to her directly and listened."
    )
    mock = MockSession.objects.create(
        user=user, interview=interview, areas=["behavioral", "technical"], time_limit_seconds=90
    )
    MockSession.objects.filter(pk=mock.pk).update(finished_at=NOW + timedelta(minutes=9))
    MockAnswer.objects.create(
        session=mock,
        question=starter.question,
        position=1,
        text="When I disagreed…",
        started_at=NOW,
        submitted_at=NOW + timedelta(seconds=80),
        covered=[0, 2],
        suggested=[0, 1],
        score=2 / 3,
        scored_at=NOW + timedelta(minutes=2),
    )
    MockAnswer.objects.create(
        session=mock, question=mine, position=2, started_at=NOW, timed_out=True, covered=[]
    )
    MockSession.objects.create(user=user, areas=["system-design"])
    hide_cards([Card.objects.get(starter_key="sd-cdn").pk], user=user, now=NOW)


@pytest.fixture
def full_user(user, starter):
    build_account(user, starter)
    return user


# Comparing accounts, independently of the backup code ------------------------------------


def snapshot(user) -> dict:
    """Every row of the person's, field by field, with keys and ids replaced by
    what the rows are (a topic by slug, a card by topic and front…)."""

    def topic_key(t):
        return ("starter" if t.owner_id is None else "own", t.slug)

    def card_key(c):
        return c.starter_key or (topic_key(c.topic), c.front)

    keys = {
        "topic": topic_key,
        "card": card_key,
        "prompt": lambda p: (card_key(p.card), p.ordinal),
        "session": lambda s: ("session", s.started_at),
        "quiz": lambda q: q.started_at,
        "interview": lambda i: (i.company, i.role, i.scheduled_at),
        "question": lambda q: getattr(q, "starter_key", None) or (q.__class__.__name__, q.text),
    }

    def row(obj, **extra) -> dict:
        values = {}
        for f in obj._meta.concrete_fields:
            # A session's new_from is a card id of this database (where its search
            # for new cards starts), not part of the person's data.
            if f.primary_key or f.name in ("user", "owner", "new_from"):
                continue
            value = getattr(obj, f.name)
            if f.is_relation and value is not None:
                value = keys[f.name](value)
            values[f.name] = value
        values.update(extra)
        return values

    def rows(queryset, **extra_of) -> list:
        result = [row(obj, **{name: fn(obj) for name, fn in extra_of.items()}) for obj in queryset]
        return sorted(result, key=repr)

    def topics_of(obj):
        return sorted(topic_key(t) for t in obj.topics.all())

    return {
        "profile": row(Profile.objects.get(user=user)),
        "scheduler": rows(SchedulerSettings.objects.filter(user=user)),
        "topics": rows(Topic.objects.filter(owner=user)),
        "cards": rows(
            Card.objects.filter(owner=user),
            tags=lambda c: sorted(t.name for t in c.tags.all()),
            prompts=lambda c: sorted(c.prompts.values_list("ordinal", flat=True)),
        ),
        "progress": rows(Progress.objects.filter(user=user)),
        "reviews": rows(ReviewLog.objects.filter(user=user)),
        "sessions": rows(StudySession.objects.filter(user=user), topics=topics_of),
        "quizzes": rows(Quiz.objects.filter(user=user), topics=topics_of),
        "quiz_items": rows(QuizItem.objects.filter(quiz__user=user)),
        "to_ask": rows(QuestionToAsk.objects.filter(user=user)),
        "interviews": rows(Interview.objects.filter(user=user), topics=topics_of),
        "checklist": rows(ChecklistItem.objects.filter(interview__user=user)),
        "asked": rows(InterviewerQuestion.objects.filter(owner=user)),
        "mocks": rows(MockSession.objects.filter(user=user)),
        "answers": rows(MockAnswer.objects.filter(session__user=user)),
        "own_model_answers": rows(OwnModelAnswer.objects.filter(user=user)),
        "hidden_cards": rows(HiddenCard.objects.filter(user=user)),
    }


def total_rows() -> dict[str, int]:
    """Row counts of every table the app and its packages write to."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "cards", "interviews", "taggit", "auth"}
    }


def restore_file(user, content: bytes, *, merge: bool = False):
    return restore_backup(user=user, data=read_backup(io.BytesIO(content)), merge=merge)


# The document ----------------------------------------------------------------------------


def test_document_holds_every_part(full_user, starter):
    document = backup_document(user=full_user, now=NOW)
    assert list(document) == list(backup.TOP_LEVEL)
    assert document["format"] == "prep-backup"
    assert document["version"] == 7
    assert document["exported_at"] == "2026-03-01T09:30:15.123456Z"
    assert document["user"] == {"username": "alice"}
    assert document["settings"] == {
        "new_cards_per_day": 35,
        "timezone": "Europe/Berlin",
        "question_bank_seeded": True,
        "new_card_spread": "by_topic",
        "new_card_source": "mixed",
        "new_card_order": "random",
        "followup_cards_auto": True,
    }
    assert document["scheduler"] == {
        "desired_retention": 0.85,
        "parameters": FITTED,
        "optimized_at": "2026-03-04T09:30:15.123463Z",
        "metrics": {
            "reviews": 80,
            "default": {"log_loss": 0.41, "rmse": 0.07},
            "fitted": {"log_loss": 0.3812345678901234, "rmse": 0.052},
            "kept": True,
        },
        "light_weekdays": [2, 6],
        "light_dates": ["2026-12-24", "2026-12-31"],
        "interview_days_light": False,
    }
    assert [t["name"] for t in document["topics"]] == ["Kafka", "Ünïcode ✓"]
    assert len(document["cards"]) == 5
    assert {c["topic"] for c in document["cards"]} == {"t1", "t2", "starter:system-design"}
    assert {p["card"] for p in document["progress"]} >= {"starter:sd-lb"}
    assert len(document["reviews"]) == ReviewLog.objects.filter(user=full_user).count() == 10
    assert document["mock_sessions"][0]["answers"][0]["question"] == "starter:beh-conflict"
    assert document["mock_sessions"][0]["answers"][0]["score"] == 2 / 3
    assert document["hidden_cards"] == [
        {"card": "starter:sd-cdn", "hidden_at": "2026-03-01T09:30:15.123456Z"}
    ]
    # The starter library itself is not in anyone's backup.
    assert "What is a load balancer?" not in backup_bytes(document).decode()


def test_the_same_data_gives_the_same_bytes(full_user):
    assert backup_bytes(backup_document(user=full_user, now=NOW)) == backup_bytes(
        backup_document(user=full_user, now=NOW)
    )


def test_the_download_streams_the_same_bytes_as_the_whole_document(full_user):
    """The large sections are read as they are written (backup_sections); the file
    is the one the whole document gives, byte for byte."""
    streamed = b"".join(backup.backup_json_chunks(backup.backup_sections(user=full_user, now=NOW)))
    assert streamed == backup_bytes(backup_document(user=full_user, now=NOW))


def test_each_row_of_a_section_is_a_line_of_its_own(full_user):
    lines = backup_bytes(backup_document(user=full_user, now=NOW)).decode().splitlines()
    assert lines[:3] == ["{", ' "format": "prep-backup",', ' "version": 7,']
    reviews = lines.index(' "reviews": [')
    rows = [json.loads(line.strip().rstrip(",")) for line in lines[reviews + 1 : reviews + 11]]
    assert lines[reviews + 11] == " ],"
    in_order = ReviewLog.objects.filter(user=full_user).order_by("pk")
    assert [row["reviewed_at"] for row in rows] == [
        backup._when(when) for when in in_order.values_list("reviewed_at", flat=True)
    ]
    empty = backup_document(user=make_user("nobody"), now=NOW)
    assert ' "reviews": [],' in backup_bytes(empty).decode().splitlines()


def test_floats_are_written_exactly(full_user):
    document = backup_document(user=full_user, now=NOW)
    stored = sorted(Progress.objects.filter(user=full_user).values_list("stability", flat=True))
    parsed = json.loads(backup_bytes(document))
    assert sorted(p["stability"] for p in parsed["progress"]) == stored


def test_another_persons_data_is_not_in_a_backup(full_user, other_user, starter):
    build_account(other_user, starter)
    document = backup_document(user=full_user, now=NOW)
    restored = make_user("copy")
    restore_file(restored, backup_bytes(document))
    assert snapshot(restored) | {"profile": None} == snapshot(full_user) | {"profile": None}


# Restoring into an empty account -------------------------------------------------------


def test_restore_into_a_new_account_reproduces_every_row(full_user):
    content = backup_bytes(backup_document(user=full_user, now=NOW))
    copy_user = make_user("bob")

    report = restore_file(copy_user, content)

    assert snapshot(copy_user) == snapshot(full_user)
    assert report.added["cards"] == 5
    assert "Backup restored" in str(report)
    # Restored sessions search for new cards from the start: always right.
    assert [s.new_from for s in StudySession.objects.filter(user=copy_user)] == [0]
    again = backup_document(user=copy_user, now=NOW)
    again["user"]["username"] = "alice"
    assert backup_bytes(again) == content


def test_restore_replaces_the_untouched_sign_up_question_bank(full_user, starter):
    content = backup_bytes(backup_document(user=full_user, now=NOW))
    newcomer = make_user("newcomer")
    seed_question_bank(user=newcomer)  # what sign-up does
    restore_file(newcomer, content)
    assert snapshot(newcomer) == snapshot(full_user)


def test_restore_works_from_gzip_and_zip(full_user):
    content = backup_bytes(backup_document(user=full_user, now=NOW))
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("prep-backup.json", content)
    for i, variant in enumerate([gzip.compress(content), packed.getvalue()]):
        target = make_user(f"copy{i}")
        restore_file(target, variant)
        assert snapshot(target) == snapshot(full_user)


def test_backup_of_an_empty_account_restores(user):
    content = backup_bytes(backup_document(user=user, now=NOW))
    target = make_user("empty2")
    report = restore_file(target, content)
    assert "it was empty" in str(report)
    assert snapshot(target) == snapshot(user)


# Refusals -------------------------------------------------------------------------------


def test_non_empty_account_is_refused_without_merge(full_user, other_user):
    make_card(make_topic(owner=other_user), owner=other_user)
    content = backup_bytes(backup_document(user=full_user, now=NOW))
    before = total_rows()

    with pytest.raises(BackupRejected, match="not empty.*1 topic, 1 card.*merge"):
        restore_file(other_user, content)

    assert total_rows() == before


def _bad(document: dict, path: str, value=..., *, delete: bool = False) -> dict:
    document = copy.deepcopy(document)
    *parents, last = path.split(".")
    target = document
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        last = int(last)
    if delete:
        del target[last]
    else:
        target[last] = value
    return document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _bad(d, "cards.2.front", delete=True), "cards[2].front: missing"),
        (lambda d: _bad(d, "cards.2.front", 42), "cards[2].front: must be a text, not a number"),
        (lambda d: _bad(d, "cards.1.kind", "essay"), "cards[1].kind: Value 'essay' is not"),
        (lambda d: _bad(d, "cards.1.front", "x" * 10_001), "cards[1].front: is 10,001 characters"),
        (lambda d: _bad(d, "cards.0.front", "a\x00b"), "cards[0].front: contains a null"),
        (lambda d: _bad(d, "cards.0.topic", "t99"), "cards[0].topic: “t99” is not a topic"),
        (lambda d: _bad(d, "cards.0.colour", "red"), "cards[0].colour: is not a field"),
        (lambda d: _bad(d, "cards.0.created_at", "yesterday"), "cards[0].created_at: “yesterday”"),
        (
            lambda d: _bad(d, "cards.0.created_at", "2026-01-01T10:00:00"),
            "cards[0].created_at: “2026-01-01T10:00:00” has no time zone",
        ),
        (lambda d: _bad(d, "progress.0.stability", "1.5"), "progress[0].stability: must be a"),
        (lambda d: _bad(d, "progress.0.state", 7), "progress[0].state: Value 7 is not"),
        (lambda d: _bad(d, "progress.0.ordinal", 5), "progress[0].ordinal: card “c1” has no"),
        (lambda d: _bad(d, "progress.0.reps", -1), "progress[0].reps: Ensure this value"),
        (lambda d: _bad(d, "reviews.3.rating", 9), "reviews[3].rating: Value 9 is not"),
        (lambda d: _bad(d, "reviews.0.session", "s9"), "reviews[0].session: “s9” is not"),
        (
            lambda d: _bad(d, "reviews.1.previous.user_id", 1),
            "reviews[1].previous.user_id: is not a field",
        ),
        (
            lambda d: _bad(d, "mock_sessions.0.answers.0.score", 1.5),
            "mock_sessions[0].answers[0].score: must be between 0 and 1",
        ),
        (
            lambda d: _bad(d, "mock_sessions.0.areas", ["cooking"]),
            "mock_sessions[0].areas[0]: “cooking” is not one of",
        ),
        (
            lambda d: _bad(d, "interviews.0.timezone", "Mars/Olympus"),
            "interviews[0].timezone: “Mars/Olympus” is not a time zone",
        ),
        (
            lambda d: _bad(d, "interviews.0.checklist.1.question", "a999"),
            "interviews[0].checklist[1].question: “a999” is not a question to ask",
        ),
        (lambda d: _bad(d, "settings.new_cards_per_day", 900), "settings.new_cards_per_day:"),
        (
            lambda d: _bad(d, "settings.new_card_order", "shuffled"),
            "settings.new_card_order: Value 'shuffled' is not a valid choice.",
        ),
        (lambda d: _bad(d, "settings.new_card_spread", delete=True), "new_card_spread: missing"),
        (
            lambda d: _bad(d, "scheduler.desired_retention", 0.99),
            "scheduler.desired_retention: Desired retention must be between 0.70 and 0.97",
        ),
        (
            lambda d: _bad(d, "scheduler.light_weekdays", [1, 7]),
            "scheduler.light_weekdays[1]: must be a weekday from 0 (Monday) to 6 (Sunday)",
        ),
        (
            lambda d: _bad(d, "scheduler.light_dates", ["2026-12-24", "24/12/2026"]),
            "scheduler.light_dates[1]: must be a date such as 2026-11-25",
        ),
        (
            lambda d: _bad(d, "scheduler.light_dates", ["9999-12-31"]),
            "scheduler.light_dates[0]",
        ),
        (
            lambda d: _bad(d, "scheduler.desired_retention", "0.9"),
            "scheduler.desired_retention: must be a number, not a text",
        ),
        (
            lambda d: _bad(d, "scheduler.parameters", [0.2, 1.3]),
            "scheduler.parameters: has 2 numbers; FSRS takes 21",
        ),
        (
            lambda d: _bad(d, "scheduler.parameters", {"w": 1}),
            "scheduler.parameters: must be null or a list of 21 numbers, not an object",
        ),
        (
            lambda d: _bad(d, "scheduler.parameters.3", True),
            "scheduler.parameters[3]: must be a number, not true/false",
        ),
        (
            lambda d: _bad(d, "scheduler.parameters.0", float("inf")),
            "scheduler.parameters: are not parameters FSRS takes (each must be finite",
        ),
        (
            lambda d: _bad(d, "scheduler.parameters.0", -5.0),
            "scheduler.parameters: are not parameters FSRS takes",
        ),
        (
            lambda d: _bad(d, "scheduler.optimized_at", "1999-12-31T23:59:59Z"),
            "scheduler.optimized_at: “1999-12-31T23:59:59Z” is not in the years prep can show "
            "(2000 to 2199)",
        ),
        (
            lambda d: _bad(d, "scheduler.metrics.reviews", -1),
            "scheduler.metrics.reviews: must be 0 or more",
        ),
        (
            lambda d: _bad(d, "scheduler.metrics.fitted.rmse", "low"),
            "scheduler.metrics.fitted.rmse: must be a number, not a text",
        ),
        (
            lambda d: _bad(d, "scheduler.metrics.kept", delete=True),
            "scheduler.metrics.kept: missing",
        ),
        (lambda d: _bad(d, "scheduler", [0.9]), "scheduler: must be an object"),
        (lambda d: _bad(d, "scheduler", delete=True), "scheduler: missing"),
        (lambda d: _bad(d, "topics", {}), "topics: must be a list"),
        (lambda d: _bad(d, "quizzes", delete=True), "quizzes: missing"),
        (lambda d: _bad(d, "extra", []), "extra: is not a part of a prep backup"),
        (lambda d: _bad(d, "version", 8), "newer version of prep (format 8); this version reads"),
        (lambda d: _bad(d, "format", "other"), "not a prep backup"),
    ],
)
def test_a_broken_row_is_named_and_nothing_is_written(full_user, change, message):
    document = change(backup_document(user=full_user, now=NOW))
    target = make_user("target")
    before = total_rows()

    with pytest.raises(BackupRejected) as error:
        restore_backup(user=target, data=json.loads(json.dumps(document)), merge=False)

    assert message in str(error.value)
    assert total_rows() == before


def test_newer_format_message_is_exact(user):
    document = backup_document(user=user, now=NOW)
    document["version"] = 8
    with pytest.raises(BackupRejected) as error:
        restore_backup(user=make_user("x"), data=document, merge=False)
    assert str(error.value) == (
        "This backup was made by a newer version of prep (format 8); this version reads format 7."
    )


def test_reference_to_starter_content_missing_here_is_named(full_user):
    document = backup_document(user=full_user, now=NOW)
    Card.objects.filter(starter_key="sd-lb").delete()
    with pytest.raises(BackupRejected, match=r"progress\[\d+\]\.card: the starter card “sd-lb”"):
        restore_backup(user=make_user("x"), data=document, merge=False)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"  \n ", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary, not JSON text"),
        (b'{"format": "prep-backup",\x00}', "binary, not JSON text"),
        (
            b"front,back\nq,a\n",
            "not valid JSON (lexical error: invalid string in json text, near “front,back q,a”)",
        ),
        (b'{"format": "prep-backup", "version": 1', "not valid JSON"),
        (b"[1, 2, 3]", "not a prep backup"),
        (
            b'{"format": "prep-backup", "version": NaN}',
            'invalid char in json text, near “": "prep-backup", "version": NaN}”',
        ),
        (b'{"format": "prep-backup", "format": "x"}', "appears twice"),
        (b"[" * 100_000 + b"]" * 100_000, "not a prep backup"),
        (
            b'{"format": "prep-backup", "topics": ' + b"[" * 100 + b"]" * 100 + b"}",
            "nested too deeply",
        ),
        (b"\x1f\x8b\x08\x00garbage", "cannot be unpacked"),
        (b"PK\x03\x04garbage", "zip file cannot be unpacked"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(user, content, message):
    before = total_rows()
    with pytest.raises(BackupRejected) as error:
        restore_file(user, content)
    assert message in str(error.value)
    assert total_rows() == before


def test_zip_must_hold_one_json_file():
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("a.json", "{}")
        archive.writestr("b.json", "{}")
    with pytest.raises(BackupRejected, match="exactly one .json file"):
        read_backup(io.BytesIO(packed.getvalue()))


def test_size_limit_applies_to_the_file_and_to_what_it_unpacks_to():
    big = b'{"format": "prep-backup", "pad": "' + b"x" * 5000 + b'"}'
    with pytest.raises(BackupRejected, match="larger than the limit of 4,000 bytes"):
        read_backup(io.BytesIO(big), max_bytes=4000)
    bomb = gzip.compress(b" " * 10_000_000)
    assert len(bomb) < 20_000
    with pytest.raises(BackupRejected, match="Unpacked, the backup is larger than the limit"):
        read_backup(io.BytesIO(bomb), max_bytes=100_000, max_unpacked=100_000)


def test_a_failure_while_writing_rolls_everything_back(full_user, monkeypatch):
    content = backup_bytes(backup_document(user=full_user, now=NOW))
    target = make_user("target")
    before = total_rows()

    def fail(self, checked):
        raise IntegrityError("simulated failure on the last part")

    monkeypatch.setattr(MOCK_SESSIONS, "write", fail)
    with pytest.raises(BackupRejected, match="could not be written.*nothing was restored"):
        restore_file(target, content)

    assert total_rows() == before


# Merging ---------------------------------------------------------------------------------


def test_merge_adds_what_is_missing_and_keeps_the_newer(full_user):
    document = backup_document(user=full_user, now=NOW)
    target = make_user("target")
    restore_backup(user=target, data=document, merge=False)
    later = NOW + timedelta(days=400)

    # Newer in the account: a card edited there, and one more grade on a prompt.
    kafka_cards = Card.objects.filter(owner=target, topic__slug="kafka").order_by("pk")
    edited_here = kafka_cards[0]
    Card.objects.filter(pk=edited_here.pk).update(back="Edited in the account", updated_at=later)
    graded = Progress.objects.filter(user=target, card__starter_key="sd-lb").get()
    grade(target, None, graded.prompt, 4, later)
    # Gone from the account: an interview, which the backup still has.
    Interview.objects.filter(user=target, company="Globex").delete()
    # Newer in the backup: another card.
    second = kafka_cards[1]
    entry = next(c for c in document["cards"] if c["front"] == second.front)
    entry["back"], entry["updated_at"] = "Edited in the backup", "2027-06-01T00:00:00.000000Z"
    entry["tags"] = ["from-backup"]
    progress_before = Progress.objects.get(pk=graded.pk)
    reviews_before = ReviewLog.objects.filter(user=target).count()

    with pytest.raises(BackupRejected, match="not empty"):
        restore_backup(user=target, data=document, merge=False)
    report = restore_backup(user=target, data=document, merge=True)

    assert Card.objects.get(pk=edited_here.pk).back == "Edited in the account"
    second.refresh_from_db()
    assert second.back == "Edited in the backup"
    assert [t.name for t in second.tags.all()] == ["from-backup"]
    assert Progress.objects.get(pk=graded.pk).reps == progress_before.reps  # account's newer
    assert ReviewLog.objects.filter(user=target).count() == reviews_before  # none twice
    assert Interview.objects.filter(user=target, company="Globex").count() == 1
    assert Card.objects.filter(owner=target).count() == 5
    assert report.added["interviews"] == 1
    assert report.updated["cards"] == 1
    assert report.kept["cards"] == 4
    assert "Backup merged" in str(report)


def test_merge_takes_newer_progress_and_missing_reviews_from_the_backup(full_user):
    target = make_user("target")
    restore_backup(user=target, data=backup_document(user=full_user, now=NOW), merge=False)
    # The original account studies on; the copy is behind.
    prompt = Progress.objects.get(user=full_user, card__starter_key="sd-lb").prompt
    grade(full_user, None, prompt, 2, NOW + timedelta(days=30))
    newer = backup_document(user=full_user, now=NOW)

    restore_backup(user=target, data=newer, merge=True)

    mine = Progress.objects.get(user=full_user, prompt=prompt)
    theirs = Progress.objects.get(user=target, prompt=prompt)
    fields = ["state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses"]
    assert [getattr(theirs, f) for f in fields] == [getattr(mine, f) for f in fields]
    assert snapshot(target) == snapshot(full_user)


def test_merging_the_same_backup_twice_changes_nothing(full_user):
    document = backup_document(user=full_user, now=NOW)
    target = make_user("target")
    restore_backup(user=target, data=document, merge=False)
    before = snapshot(target)
    report = restore_backup(user=target, data=document, merge=True)
    assert snapshot(target) == before
    assert sum(report.added.values()) == 0
    assert sum(report.updated.values()) == 0


def test_merge_into_an_account_with_other_data_keeps_both(full_user, other_user):
    theirs = make_topic(owner=other_user, name="Their own")
    make_card(theirs, owner=other_user, front="Their card")
    restore_backup(user=other_user, data=backup_document(user=full_user, now=NOW), merge=True)
    assert Card.objects.filter(owner=other_user).count() == 6
    assert Topic.objects.filter(owner=other_user).count() == 3
    # Their settings stay theirs: a merge never overwrites them.
    assert Profile.objects.get(user=other_user).new_cards_per_day == 20


# The page --------------------------------------------------------------------------------


def upload(client, content: bytes, *, merge: bool = False, name: str = "backup.json"):
    data = {"file": SimpleUploadedFile(name, content, content_type="application/json")}
    if merge:
        data["merge"] = "on"
    return client.post(reverse("accounts:backup_restore"), data)


def test_data_page_shows_contents_and_links(client_in, full_user):
    response = client_in.get(reverse("accounts:data"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "5 cards" in page
    for name in ["accounts:backup_download", "accounts:backup_download_gzip", "cards:export_csv"]:
        assert reverse(name) in page
    assert 'enctype="multipart/form-data"' in page
    assert "<script>" not in page
    assert reverse("accounts:data") in client_in.get(reverse("cards:topic_list")).content.decode()


def test_counts_read_in_the_singular_for_one(client, user, topic):
    make_card(topic, user)
    client.force_login(user)
    page = client.get(reverse("accounts:data")).content.decode()
    contents = re.search(r'data-testid="contents">(.*?)</ul>', page, re.S).group(1)
    assert "<li>1 topic</li>" in contents and "<li>1 card</li>" in contents
    assert "<li>0 reviews</li>" in contents and "<li>0 study sessions</li>" in contents
    assert backup.counted(1, "study_sessions") == "1 study session"
    assert backup.counted(2, "quizzes") == "2 quizzes"


def test_download_then_upload_into_a_new_account(client, client_in, full_user):
    response = client_in.get(reverse("accounts:backup_download"))
    assert response["Content-Type"] == "application/json"
    assert "prep-backup-alice-" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    content = b"".join(response.streaming_content)
    packed = client_in.get(reverse("accounts:backup_download_gzip"))
    unpacked = json.loads(gzip.decompress(b"".join(packed.streaming_content)))
    assert unpacked | {"exported_at": None} == json.loads(content) | {"exported_at": None}

    newcomer = make_user("newcomer")
    client.force_login(newcomer)
    response = upload(client, content)

    assert response.status_code == 302
    assert response.url == reverse("accounts:data")
    assert snapshot(newcomer) == snapshot(full_user)
    page = client.get(response.url).content.decode()
    assert "Backup restored" in page


def test_upload_into_a_non_empty_account_is_refused_then_merged(client_in, user, full_user):
    content = backup_bytes(backup_document(user=full_user, now=NOW))
    before = total_rows()
    response = upload(client_in, content)
    assert response.status_code == 400
    assert "Nothing was restored: Your account is not empty" in response.content.decode()
    assert total_rows() == before

    response = upload(client_in, content, merge=True)
    assert response.status_code == 302
    assert total_rows() == before  # everything was already there


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\xff\xd8\xff\xe0 binary", "it is binary, not JSON text"),
        (
            b'{"format": "prep-backup", "version": 8}',
            "made by a newer version of prep (format 8); this version reads format 7",
        ),
    ],
)
def test_bad_upload_says_why_and_writes_nothing(client_in, content, message):
    before = total_rows()
    response = upload(client_in, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert total_rows() == before


def test_upload_over_the_size_limit_is_refused_unread(client_in, settings, monkeypatch):
    settings.PREP_BACKUP_MAX_BYTES = 1000
    monkeypatch.setattr(backup, "read_backup", lambda *a, **k: pytest.fail("file was read"))
    before = total_rows()
    response = upload(client_in, b"{" + b" " * 200_000 + b"}")
    assert response.status_code == 413
    assert "larger than the limit of 1,000 bytes" in response.content.decode()
    assert total_rows() == before


def test_upload_without_a_file_asks_for_one(client_in):
    response = client_in.post(reverse("accounts:backup_restore"), {})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_restore_needs_post_and_a_csrf_token(client_in, user):
    assert client_in.get(reverse("accounts:backup_restore")).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    response = strict.post(
        reverse("accounts:backup_restore"), {"file": SimpleUploadedFile("b.json", b"{}")}
    )
    assert response.status_code == 403


def test_visitors_cannot_restore(client, db):
    response = client.post(reverse("accounts:backup_restore"))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# Commands --------------------------------------------------------------------------------


def test_commands_round_trip(full_user, tmp_path, capsys):
    path = tmp_path / "alice.json.gz"
    call_command("export_user", "alice", "-o", str(path))
    assert gzip.decompress(path.read_bytes()).startswith(b'{\n "format": "prep-backup"')

    call_command("import_user", "carol", str(path), "--create")

    carol = Profile.objects.get(user__username="carol").user
    assert not carol.has_usable_password()
    assert snapshot(carol) == snapshot(full_user)
    assert "Backup restored" in capsys.readouterr().out


def test_export_user_writes_to_standard_output(full_user, capfdbinary):
    call_command("export_user", "alice")
    document = json.loads(capfdbinary.readouterr().out)
    assert document["user"] == {"username": "alice"}


def test_import_user_refusals(full_user, tmp_path):
    path = tmp_path / "alice.json"
    call_command("export_user", "alice", "-o", str(path))
    with pytest.raises(CommandError, match="no user called “dave”; pass --create"):
        call_command("import_user", "dave", str(path))
    with pytest.raises(CommandError, match="Nothing was restored: Your account is not empty"):
        call_command("import_user", "alice", str(path))
    call_command("import_user", "alice", str(path), "--merge")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_user", "alice", str(tmp_path / "missing.json"))
    (tmp_path / "empty.json").write_bytes(b"")
    with pytest.raises(CommandError, match="The file is empty"):
        call_command("import_user", "dave", str(tmp_path / "empty.json"), "--create")
    with pytest.raises(CommandError, match="larger than the limit"):
        call_command("import_user", "dave", str(path), "--create", "--max-bytes", "100")
    assert not Profile.objects.filter(user__username="dave").exists()


def test_export_user_needs_an_existing_user(db):
    with pytest.raises(CommandError, match="no user called “nobody”"):
        call_command("export_user", "nobody")


def in_format(document: dict, version: int) -> dict:
    """The document as an older prep wrote it: format 6 had no hidden starter
    cards, no saved searches and no quiz from a search; format 5 had no card images;
    format 4 had no text format on
    cards (all were Markdown); format 3 had no coaching (key point
    synonyms, suggested key points), no model answers nor cards of missed key
    points; format 2 had no order of new cards and no schedule either; format 1
    had no review days either."""
    document = json.loads(json.dumps(document))
    document["version"] = version
    if version < 7:
        del document["hidden_cards"]
        del document["saved_searches"]
        for quiz in document["quizzes"]:
            del quiz["search_text"]
    if version < 6:
        del document["card_images"]
    if version < 5:
        for interview in document["interviews"]:
            for name in CALENDAR_KEYS:
                del interview[name]
        for card in document["cards"]:
            del card["text_format"]
    if version < 4:
        for name in FOLLOWUP_CARDS:
            del document["settings"][name]
        for question in document["interviewer_questions"]:
            del question["key_point_synonyms"]
            del question["model_answer"]
        del document["own_model_answers"]
        for session in document["mock_sessions"]:
            for answer in session["answers"]:
                del answer["suggested"]
    if version < 3:
        for name in NEW_CARD_ORDER:
            del document["settings"][name]
        del document["scheduler"]
    if version < 2:
        for review in document["reviews"]:
            del review["day"]
    return document


def test_a_version_6_backup_restores_without_saved_searches(full_user):
    document = in_format(backup_document(user=full_user, now=NOW), 6)
    target = make_user("target")

    restore_backup(user=target, data=document, merge=False)

    assert not SavedSearch.objects.filter(user=target).exists()
    assert set(Quiz.objects.filter(user=target).values_list("search_text", flat=True)) == {""}


def test_saved_searches_come_back_and_a_merge_keeps_those_of_the_same_name(full_user):
    document = backup_document(user=full_user, now=NOW)
    target = make_user("target")
    SavedSearch.objects.create(user=target, name="KAFKA DUE", text="kept as it is")

    restore_backup(user=target, data=document, merge=True)

    saved = dict(SavedSearch.objects.filter(user=target).values_list("name", "text"))
    assert saved == {"KAFKA DUE": "kept as it is", "Starter – “quoted”": 'starter "a phrase"'}


def test_a_version_1_backup_without_days_restores_with_days_in_the_persons_zone(full_user):
    document = in_format(backup_document(user=full_user, now=NOW), 1)
    target = make_user("from-version-1")
    Profile.objects.filter(user=target).update(timezone="Asia/Tokyo")
    restore_backup(user=target, data=document, merge=False)
    logs = list(ReviewLog.objects.filter(user=target))
    assert len(logs) == len(document["reviews"]) > 0
    tokyo = Profile.for_user(target).zone
    assert all(log.day == log.reviewed_at.astimezone(tokyo).date() for log in logs)
    assert sum(dashboard.review_days(user=target).values()) == len(logs)


def test_a_review_day_that_is_not_a_date_is_refused_and_nothing_is_written(full_user):
    document = json.loads(json.dumps(backup_document(user=full_user, now=NOW)))
    document["reviews"][0]["day"] = "the 25th"
    target = make_user("bad-day")
    before = total_rows()
    with pytest.raises(BackupRejected) as error:
        restore_backup(user=target, data=document, merge=False)
    assert "reviews[0].day: must be a date such as 2026-11-25" in str(error.value)
    assert total_rows() == before


def test_a_version_2_backup_restores_the_default_order_and_schedule(full_user):
    document = in_format(backup_document(user=full_user, now=NOW), 2)
    assert "scheduler" not in document and "new_card_order" not in document["settings"]
    target = make_user("from-version-2")
    # Chosen before the restore, into an account with nothing else: the file decides.
    Profile.objects.filter(user=target).update(new_card_order="random")
    SchedulerSettings.objects.create(user=target, desired_retention=0.8)

    restore_backup(user=target, data=document, merge=False)

    profile = Profile.objects.get(user=target)
    assert (profile.new_cards_per_day, profile.timezone) == (35, "Europe/Berlin")
    assert [getattr(profile, name) for name in NEW_CARD_ORDER] == [
        "interleaved",
        "own_first",
        "added",
    ]
    assert not SchedulerSettings.objects.filter(user=target).exists()  # FSRS's defaults
    assert list(
        InterviewerQuestion.objects.filter(owner=target).values_list(
            "key_point_synonyms", flat=True
        )
    ) == [[]]
    assert set(
        MockAnswer.objects.filter(session__user=target).values_list("suggested", flat=True)
    ) == {None}
    # Nor had format 2 the coaching of format 4: the original without it is the same.
    InterviewerQuestion.objects.filter(owner=full_user).update(
        key_point_synonyms=[], model_answer=""
    )
    MockAnswer.objects.filter(session__user=full_user).update(suggested=None)
    OwnModelAnswer.objects.filter(user=full_user).delete()
    # Nor the saved searches of format 7.
    Quiz.objects.filter(user=full_user).update(search_text="")
    SavedSearch.objects.filter(user=full_user).delete()
    # Nor the calendar ids of format 5: each interview got a new one.
    for interview in Interview.objects.filter(user=full_user):
        restored = Interview.objects.get(user=target, company=interview.company)
        assert restored.ical_uid != interview.ical_uid
        Interview.objects.filter(pk=restored.pk).update(ical_uid=interview.ical_uid)
    Card.objects.filter(owner=full_user).update(text_format=Card.TextFormat.MARKDOWN)
    # Nor the hidden starter cards of format 7: shown again, as they were.
    unhide_cards(list(HiddenCard.objects.values_list("card_id", flat=True)), user=full_user)
    assert snapshot(target) | {"profile": None, "scheduler": None} == snapshot(full_user) | {
        "profile": None,
        "scheduler": None,
    }


def test_a_version_4_backup_restores_every_card_as_markdown(full_user):
    document = in_format(backup_document(user=full_user, now=NOW), 4)
    target = make_user("from-version-4")
    restore_backup(user=target, data=document, merge=False)
    formats = Card.objects.filter(owner=target).values_list("text_format", flat=True)
    assert set(formats) == {Card.TextFormat.MARKDOWN}
    assert Card.objects.filter(owner=full_user, text_format=Card.TextFormat.HTML).count() == 1


def test_an_html_card_comes_back_html(full_user):
    target = make_user("html-target")
    restore_backup(user=target, data=backup_document(user=full_user, now=NOW), merge=False)
    card = Card.objects.get(owner=target, kind="reversed")
    assert (card.text_format, card.front) == ("html", "<b>Front</b> a*b*c")


def test_a_version_2_backup_may_not_hold_a_schedule(full_user):
    document = backup_document(user=full_user, now=NOW)
    document["version"] = 2
    with pytest.raises(BackupRejected, match="settings.new_card_spread: is not a field"):
        restore_backup(user=make_user("x"), data=document, merge=False)
    document = in_format(document, 2) | {"scheduler": None}
    with pytest.raises(BackupRejected, match=r"scheduler: is not a part .*\(format 2\)"):
        restore_backup(user=make_user("y"), data=document, merge=False)


def test_a_person_who_never_set_a_schedule_restores_without_one(user):
    Profile.objects.filter(user=user).update(new_card_source="mixed")
    document = backup_document(user=user, now=NOW)
    assert document["scheduler"] is None
    target = make_user("target")
    restore_file(target, backup_bytes(document))
    assert not SchedulerSettings.objects.filter(user=target).exists()
    assert Profile.objects.get(user=target).new_card_source == "mixed"


def test_a_merge_keeps_the_accounts_schedule_and_fills_in_a_missing_one(full_user, other_user):
    document = backup_document(user=full_user, now=NOW)
    restore_backup(user=other_user, data=document, merge=True)
    assert snapshot(other_user)["scheduler"] == snapshot(full_user)["scheduler"]

    SchedulerSettings.objects.filter(user=other_user).update(
        desired_retention=0.95, parameters=None, metrics={}
    )
    restore_backup(user=other_user, data=document, merge=True)
    theirs = SchedulerSettings.objects.get(user=other_user)
    assert (theirs.desired_retention, theirs.parameters, theirs.metrics) == (0.95, None, {})
