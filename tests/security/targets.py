"""What each route that takes an id points at: for every such route, a builder
that makes someone's object of that kind (ROUTES), and the rules of the starter
library's shared rows. tests/security/test_access_control.py walks them."""

import io
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone

from accounts.models import RestoreJob
from cards import imports as importing
from cards.images.services import add_image
from cards.imports.anki_media import store_images
from cards.models import BulkJob, Card, SavedSearch, Topic, UndoRecord
from cards.quiz import services as quiz_services
from cards.study import services
from interviews.mock import audio
from interviews.mock import services as mock_services
from interviews.models import (
    ChecklistItem,
    InterviewerQuestion,
    MockAnswer,
    MockSession,
    OwnModelAnswer,
    QuestionToAsk,
)
from prep_site.devtools.images import png
from tests.factories import make_card, make_interview, make_topic
from tests.interviews.mock import recordings

_numbers = itertools.count(1)

IMAGE = "diagram.png"  # an image kept with a card


def secret(owner) -> str:
    return f"{owner.username}-secret-q7z"


def unique(prefix: str) -> str:
    return f"{prefix} {next(_numbers)}"


# What a route points at ---------------------------------------------------------------


@dataclass
class Target:
    """The URL kwargs of someone's object, and the form its owner would send to
    change it (views ignore the fields they do not use)."""

    kwargs: dict
    data: dict = field(default_factory=dict)
    obj: models.Model | None = None


Builder = Callable[..., Target]


def topic(owner) -> Target:
    mark = secret(owner)
    t = make_topic(owner=owner, name=unique(f"{mark} topic"), description=mark)
    make_card(t, owner, front=f"{mark} front", back=f"{mark} back")
    return Target({"pk": t.pk}, {"name": unique("Renamed"), "description": "changed"}, t)


def card(owner) -> Target:
    mark = secret(owner)
    t = make_topic(owner=owner, name=unique(f"{mark} topic"))
    c = make_card(t, owner, front=f"{mark} front", back=f"{mark} back", tags=["mine"])
    data = {"topic": t.pk, "kind": "basic", "front": "Changed", "back": "Changed", "tags": "x"}
    return Target({"pk": c.pk}, data, c)


def bulk_suspend(owner) -> Target:
    """One of the person's cards, ticked in the card browser to suspend."""
    target = card(owner)
    return Target({}, {"action": "suspend", "ids": [target.obj.pk]}, target.obj)


def bulk_move(owner) -> Target:
    """One of the person's cards, to move to another topic of theirs."""
    target = card(owner)
    topic = make_topic(owner=owner, name=unique(f"{secret(owner)} elsewhere"))
    data = {"action": "move", "ids": [target.obj.pk], "topic": topic.pk}
    return Target({}, data, target.obj)


def bulk_undo(owner) -> Target:
    """The person's last bulk action (a card suspended), to undo."""
    target = card(owner)
    Card.objects.filter(pk=target.obj.pk).update(suspended=True)
    target.obj.refresh_from_db()
    record, _ = UndoRecord.objects.update_or_create(
        user=owner,
        defaults={
            "action": "suspend",
            "changes": {target.obj.pk: None},
            "done_at": target.obj.updated_at,
        },
    )
    return Target({}, {"undo": record.pk}, record)


def card_image(owner) -> Target:
    """An image kept with one of the person's cards."""
    target = card(owner)
    store_images(target.obj, {IMAGE: png()})
    return Target({"pk": target.obj.pk, "name": IMAGE}, {}, target.obj)


def pending_image(owner) -> Target:
    """An image added in the card editor, waiting for its card."""
    image = add_image(user=owner, upload=SimpleUploadedFile("pasted.png", png()))
    return Target({"name": image.name}, {}, image)


def saved_search(owner) -> Target:
    mark = secret(owner)
    saved = SavedSearch.objects.create(user=owner, name=unique(f"{mark} search"), text=mark)
    return Target({"pk": saved.pk}, {"name": unique("Renamed"), "q": ""}, saved)


def study_session(owner) -> Target:
    """A session with one card graded (to undo) and one still new (to grade)."""
    mark = secret(owner)
    t = make_topic(owner=owner, name=unique(f"{mark} topic"))
    graded = make_card(t, owner, front=f"{mark} one", back=mark)
    fresh = make_card(t, owner, front=f"{mark} two", back=mark)
    session = services.start_session(user=owner, topics=[t])
    review = services.grade_prompt(
        user=owner,
        session=session,
        prompt=graded.prompts.get(),
        rating=3,
        expected_reps=0,
        duration_ms=1000,
        now=timezone.now(),
    )
    data = {"prompt": fresh.prompts.get().pk, "rating": 3, "reps": 0, "review": review.pk}
    return Target({"pk": session.pk}, data, session)


def quiz(owner) -> Target:
    mark = secret(owner)
    t = make_topic(owner=owner, name=unique(f"{mark} topic"))
    for _ in range(2):
        make_card(t, owner, front=f"{mark} front", back=mark)
    q = quiz_services.start_quiz(
        user=owner, topics=[t], size=2, mode="random", count_as_reviews=False
    )
    item = q.items.order_by("position").first()
    return Target({"pk": q.pk}, {"item": item.pk, "result": "right", "typed_answer": "x"}, q)


def interview(owner) -> Target:
    """An interview with two checklist items and a bank question not on the list."""
    mark = secret(owner)
    iv = make_interview(owner, company=f"{mark} Corp", notes=mark)
    on_list, off_list = (
        QuestionToAsk.objects.create(user=owner, category="team", text=f"{mark} q{n}")
        for n in (1, 2)
    )
    first = ChecklistItem.objects.create(
        interview=iv, question=on_list, text=on_list.text, position=1, answer=mark
    )
    second = ChecklistItem.objects.create(interview=iv, text=f"{mark} own", position=2)
    data = {
        # the interview form
        "company": "Changed Corp",
        "role": "Changed role",
        "scheduled_at": "2031-01-02 10:00",
        "timezone": "UTC",
        "duration_minutes": 45,
        "stage": "technical",
        "status": "upcoming",
        "links": "",
        "notes": "changed",
        # add from the bank, add a new question, reorder
        "questions": [off_list.pk],
        "text": "A new question?",
        "category": "team",
        "item": [second.pk, first.pk],
    }
    return Target({"pk": iv.pk}, data, iv)


def interview_to_cram(owner) -> Target:
    """An upcoming interview whose topic has a card: a cram of it starts."""
    target = interview(owner)
    topic = make_topic(owner=owner, name=f"{secret(owner)} topic")
    make_card(topic, owner, front=f"{secret(owner)} card")
    target.obj.topics.add(topic)
    return Target(target.kwargs, {"schedule": "leave"}, target.obj)


def checklist_item(owner) -> Target:
    parent = interview(owner)
    item = parent.obj.checklist.order_by("position").first()
    data = {"asked": "on", "answer": "They said yes", "direction": "down"}
    return Target({"pk": parent.obj.pk, "item_pk": item.pk}, data, item)


def question_to_ask(owner) -> Target:
    q = QuestionToAsk.objects.create(user=owner, category="team", text=f"{secret(owner)} q")
    return Target({"question_pk": q.pk}, {"category": "growth", "text": "Changed?"}, q)


def interviewer_question(owner) -> Target:
    mark = secret(owner)
    q = InterviewerQuestion.objects.create(
        owner=owner, area="technical", text=f"{mark} question", key_points=[mark, "two"]
    )
    data = {"text": "Changed?", "area": "technical", "key_points_text": "one\ntwo"}
    return Target({"pk": q.pk}, data, q)


def mock_session(owner, *, submitted: bool = False) -> Target:
    """A mock interview of one question, being answered (or handed in, to score)."""
    mark = secret(owner)
    InterviewerQuestion.objects.create(
        owner=owner, area="behavioral", text=f"{mark} question", key_points=["a", "b"]
    )
    session = mock_services.start_mock(
        user=owner,
        areas=["behavioral"],
        count=1,
        time_limit_seconds=3600,
        rng=random.Random(0),
    ).session
    answer = session.answers.get()
    now = timezone.now()
    mock_services.begin_answer(answer=answer, now=now)
    mock_services.save_answer_text(answer=answer, text=f"{mark} answer", now=now)
    if submitted:
        mock_services.submit_answer(answer=answer, text=None, now=now)
    data = {"answer": answer.pk, "text": "My answer", "covered": ["0"]}
    return Target({"pk": session.pk}, data, session)


def mock_session_handed_in(owner) -> Target:
    return mock_session(owner, submitted=True)


def mock_session_scored(owner) -> Target:
    """An answer scored with one of its two key points missed: a card can be made."""
    target = mock_session(owner, submitted=True)
    answer = target.obj.answers.get()
    mock_services.score_answer(answer=answer, covered=[0], now=timezone.now())
    return target


class Recording:
    """A small WebM recording, whole again for each request (the test client reads
    a file once)."""

    name = "answer.webm"

    def read(self) -> bytes:
        return recordings.webm()


def mock_session_to_record(owner) -> Target:
    """A mock interview being answered, and a recording of the answer to send."""
    target = mock_session(owner)
    target.data = {**target.data, "audio": Recording(), "seconds": "2"}
    return target


def mock_recording(owner) -> Target:
    """The recording of an answer in a mock interview."""
    answer = mock_session(owner).obj.answers.get()
    audio.save_answer_audio(
        answer=answer, upload=SimpleUploadedFile("a.webm", recordings.webm()), seconds=2
    )
    return Target({"pk": answer.pk}, {}, answer)


def import_job(owner) -> Target:
    """A CSV import waiting for confirmation."""
    mark = secret(owner)
    csv = f"front,back,topic\n{mark} front,{mark} back,{mark} topic\n".encode()
    parsed = importing.parse_upload(file=io.BytesIO(csv), filename=f"{mark}.csv")
    job = importing.create_import_job(user=owner, filename=f"{mark}.csv", parsed=parsed)
    return Target({"pk": job.pk}, {"on_duplicate": "skip"}, job)


def bulk_job(owner) -> Target:
    """A bulk action on many cards that ran on a worker, with its message."""
    job = BulkJob.objects.create(
        user=owner,
        action="suspend",
        params={"text": secret(owner), "topic": None, "tags": []},
        status=BulkJob.Status.DONE,
        message=f"Suspended {secret(owner)} cards.",
    )
    return Target({"pk": job.pk}, {}, job)


def restore_job(owner) -> Target:
    """A backup restore that ran in the background and failed, saying why."""
    mark = secret(owner)
    job = RestoreJob.objects.create(
        user=owner,
        filename=f"{mark}.json.gz",
        size=100,
        status=RestoreJob.Status.FAILED,
        failure=f"Nothing was restored: {mark}",
    )
    return Target({"pk": job.pk}, {}, job)


# The starter library: rows with no owner. The owner passed in is someone who has
# made it partly their own (a card of theirs in a starter topic, an answer of
# theirs to a starter question); that must not show to anyone else either.


def starter_topic(owner) -> Target:
    mark = secret(owner)
    t = Topic.objects.create(owner=None, name=unique("Starter topic"))
    make_card(t, None, front="Starter front", back="Starter back")
    make_card(t, owner, front=f"{mark} own card", back=mark)
    return Target({"pk": t.pk}, {"name": unique("Renamed"), "description": "changed"}, t)


def starter_card(owner) -> Target:
    t = Topic.objects.create(owner=None, name=unique("Starter topic"))
    c = make_card(t, None, front="Starter front", back="Starter back")
    services.grade_prompt(
        user=owner,
        session=None,
        prompt=c.prompts.get(),
        rating=1,
        expected_reps=0,
        duration_ms=1000,
        now=timezone.now(),
    )
    data = {"topic": t.pk, "kind": "basic", "front": "Changed", "back": "Changed", "tags": ""}
    return Target({"pk": c.pk}, data, c)


def starter_card_image(owner) -> Target:
    target = starter_card(owner)
    store_images(target.obj, {IMAGE: png()})
    return Target({"pk": target.obj.pk, "name": IMAGE}, {}, target.obj)


def starter_interviewer_question(owner) -> Target:
    """A starter question the owner answered in a mock interview."""
    q = InterviewerQuestion.objects.create(
        owner=None,
        area="system-design",
        text="Design a URL shortener.",
        key_points=["hashing", "storage"],
        starter_key=unique("starter-question"),
    )
    now = timezone.now()
    session = MockSession.objects.create(user=owner, areas=["system-design"], finished_at=now)
    MockAnswer.objects.create(
        session=session,
        question=q,
        position=1,
        text=f"{secret(owner)} answer",
        started_at=now,
        submitted_at=now,
        covered=[0],
        score=0.5,
        scored_at=now,
    )
    data = {"text": "Changed?", "area": "technical", "key_points_text": "one"}
    return Target({"pk": q.pk}, data, q)


def starter_question_to_ask(owner) -> Target:
    q = QuestionToAsk.objects.create(
        user=None, category="team", text="Starter?", starter_key=unique("starter")
    )
    return Target({"question_pk": q.pk}, {"category": "growth", "text": "Changed?"}, q)


@dataclass(frozen=True)
class Rule:
    """How a route with ids is probed. ``owned`` builds the owner's objects; a route
    that also takes shared starter rows says so with ``starter``, and whether
    everyone may read them there (``starter_readable``) or nobody may change them."""

    owned: Builder
    starter: Builder | None = None
    starter_readable: bool = False
    # A POST there keeps the person's own copy beside the starter row (their own
    # model answer to a starter question), never changing the starter row itself.
    starter_own_copy: tuple[type, ...] = ()


READ_STARTER = {"starter_readable": True}

ROUTES: dict[str, Rule] = {
    "cards:topic_detail": Rule(topic, starter_topic, **READ_STARTER),
    "cards:topic_edit": Rule(topic, starter_topic),
    "cards:topic_delete": Rule(topic, starter_topic),
    "cards:topic_export_csv": Rule(topic, starter_topic, **READ_STARTER),
    "cards:topic_export_anki": Rule(topic, starter_topic, **READ_STARTER),
    "cards:card_detail": Rule(card, starter_card, **READ_STARTER),
    "cards:card_edit": Rule(card, starter_card),
    "cards:card_delete": Rule(card, starter_card),
    "cards:card_suspend": Rule(card, starter_card),
    "cards:card_media": Rule(card_image, starter_card_image, **READ_STARTER),
    "cards:pending_image": Rule(pending_image),
    "cards:study_session": Rule(study_session),
    "cards:study_grade": Rule(study_session),
    "cards:study_undo": Rule(study_session),
    "cards:study_end": Rule(study_session),
    "cards:study_summary": Rule(study_session),
    "cards:quiz_detail": Rule(quiz),
    "cards:saved_search_rename": Rule(saved_search),
    "cards:saved_search_delete": Rule(saved_search),
    "cards:quiz_answer": Rule(quiz),
    "cards:quiz_result": Rule(quiz),
    "cards:import_job": Rule(import_job),
    "cards:card_bulk_job": Rule(bulk_job),
    "cards:import_confirm": Rule(import_job),
    "cards:import_cancel": Rule(import_job),
    "accounts:restore_job": Rule(restore_job),
    "interviews:detail": Rule(interview),
    "interviews:edit": Rule(interview),
    "interviews:delete": Rule(interview),
    "interviews:cram": Rule(interview_to_cram),
    "interviews:calendar": Rule(interview),
    "interviews:checklist_add": Rule(interview),
    "interviews:checklist_new": Rule(interview),
    "interviews:checklist_reorder": Rule(interview),
    "interviews:checklist_print": Rule(interview),
    "interviews:checklist_markdown": Rule(interview),
    "interviews:checklist_item": Rule(checklist_item),
    "interviews:checklist_item_delete": Rule(checklist_item),
    "interviews:checklist_item_move": Rule(checklist_item),
    "interviews:question_edit": Rule(question_to_ask, starter_question_to_ask),
    "interviews:question_delete": Rule(question_to_ask, starter_question_to_ask),
    "mock:question_history": Rule(
        interviewer_question, starter_interviewer_question, **READ_STARTER
    ),
    "mock:question_edit": Rule(interviewer_question, starter_interviewer_question),
    "mock:question_delete": Rule(interviewer_question, starter_interviewer_question),
    "mock:model_answer": Rule(
        interviewer_question, starter_interviewer_question, starter_own_copy=(OwnModelAnswer,)
    ),
    "mock:session": Rule(mock_session),
    "mock:save": Rule(mock_session),
    "mock:submit": Rule(mock_session),
    "mock:score": Rule(mock_session_handed_in),
    "mock:finish": Rule(mock_session),
    "mock:followups": Rule(mock_session_scored),
    "mock:audio_upload": Rule(mock_session_to_record),
    "mock:audio": Rule(mock_recording),
}
