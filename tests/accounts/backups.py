"""Accounts to back up and restore in the tests, and ways to compare them that
do not go through the backup code (used by every test_backup*.py)."""

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.backup import read_backup, restore_backup
from accounts.backup.profile import FOLLOWUP_CARDS, NEW_CARD_ORDER
from accounts.models import Profile
from cards.browse.hide import hide_cards
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
from cards.schedule import optimizer
from cards.study import services
from interviews.backup import CALENDAR_KEYS
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
from tests.factories import make_card, make_interview, make_topic

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


def upload(client, content: bytes, *, merge: bool = False, name: str = "backup.json"):
    data = {"file": SimpleUploadedFile(name, content, content_type="application/json")}
    if merge:
        data["merge"] = "on"
    return client.post(reverse("accounts:backup_restore"), data)


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
