"""The two people the query-count tests compare: the same shape of data (two
topics, a study session with two grades, two quizzes, two import jobs, two
interviews with a checklist, a question bank, two mock interviews) over
collections of SMALL and LARGE cards, with REVIEWS_PER_CARD reviews of each
studied card."""

import io
import random
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import RestoreJob
from cards import imports as importing
from cards import review_days
from cards.browse import from_search
from cards.images.services import add_image
from cards.imports.anki_media import store_images
from cards.models import (
    BulkJob,
    Card,
    ImportJob,
    Progress,
    ReviewDay,
    ReviewLog,
    SavedSearch,
    State,
)
from cards.quiz import services as quiz_services
from cards.study import services
from interviews.checklists import services as interview_services
from interviews.mock import services as mock_services
from interviews.models import (
    InterviewerQuestion,
    QuestionToAsk,
)
from prep_site.devtools.images import png
from tests.factories import make_card, make_collection, make_interview, make_topic, make_user
from tests.interviews.mock import recordings

SMALL, LARGE = 20, 2000  # cards in each person's collection
REVIEWS_PER_CARD = 4  # review log rows of each studied card (half the collection)


@dataclass
class Person:
    """One person's objects, named as PAGES refers to them."""

    cards: int
    user: object = None
    collection: object = None  # the topic of `cards` cards, half of them studied
    side: object = None  # a small topic of cards made one by one, with tags (a leech)
    card: object = None  # a studied card of the collection, with its reviews
    pending_image: object = None  # an image added in the editor, waiting for its card
    study: object = None  # a study session over both topics, two cards graded
    graded_prompt: object = None  # one of those two
    quiz: object = None  # a quiz of the collection, one card marked
    quiz_done: object = None  # a finished quiz
    import_preview: object = None  # an import waiting for confirmation
    import_done: object = None  # an import that has run
    bulk_job: object = None  # a bulk action on many cards that ran on a worker
    interview: object = None  # upcoming, with both topics and a checklist of three
    item: object = None  # the checklist's first item
    bank_question: object = None  # a question to ask, in the person's bank
    mock_question: object = None  # an interviewer question of the person's own
    mock: object = None  # a mock interview being answered
    mock_done: object = None  # a mock interview scored to the end
    recorded: object = None  # an answer of it, with its recording
    restore: object = None  # a backup restore that ran in the background
    saved_search: object = None  # a search of the card browser kept under a name
    search_study: object = None  # a study session over the cards a search found


def write_reviews(user, topic, *, per_card: int) -> None:
    """``per_card`` past reviews of every studied prompt of ``topic``, written in
    bulk over the last year, then the day counts rebuilt as a bulk load does."""
    now = timezone.now()
    progress = Progress.objects.filter(user=user, topic=topic).order_by("pk")
    logs = []
    for n, row in enumerate(progress.values_list("prompt_id", "card_id")):
        prompt_id, card_id = row
        for number in range(1, per_card + 1):
            at = now - timedelta(days=(n * 7 + number * 31) % 360 + 1, hours=n % 24)
            logs.append(
                ReviewLog(
                    user=user,
                    card_id=card_id,
                    prompt_id=prompt_id,
                    rating=1 + (n + number) % 4,
                    reviewed_at=at,
                    day=at.date(),  # the person's zone is UTC
                    duration_ms=2000,
                    review_number=number,
                    state_before=None if number == 1 else State.REVIEW,
                    state_after=State.REVIEW,
                    due_after=at + timedelta(days=3),
                )
            )
    ReviewLog.objects.bulk_create(logs, batch_size=1000)
    review_days.recount(ReviewDay, ReviewLog, user_id=user.pk)


def import_job(user, csv: str, name: str) -> ImportJob:
    parsed = importing.parse_upload(file=io.BytesIO(csv.encode()), filename=name)
    return importing.create_import_job(user=user, filename=name, parsed=parsed)


def mock_interview(user, *, to_the_end: bool):
    session = mock_services.start_mock(
        user=user, areas=["technical"], count=2, time_limit_seconds=3600, rng=random.Random(0)
    ).session
    if to_the_end:
        now = timezone.now()
        for answer in session.answers.select_related("question").order_by("position"):
            mock_services.begin_answer(answer=answer, now=now)
            mock_services.submit_answer(answer=answer, text="My answer", now=now)
            mock_services.score_answer(answer=answer, covered=[0], now=now)
        session.refresh_from_db()
    return session


def build_imports(p: Person) -> None:
    """One import waiting (a row duplicates a card of the collection), one done."""
    user, now = p.user, timezone.now()
    p.import_preview = import_job(
        user,
        f"front,back,topic\nQ1,A1,{p.collection.name}\nNew question?,New answer,Side topic\n",
        "waiting.csv",
    )
    p.import_done = import_job(user, "front,back,topic\nImported?,Yes,Side topic\n", "done.csv")
    ImportJob.objects.filter(pk=p.import_done.pk).update(
        status=ImportJob.Status.RUNNING, on_duplicate="skip", started_at=now
    )
    p.import_done = importing.run_import(job_id=p.import_done.pk)
    assert p.import_done.status == ImportJob.Status.DONE
    p.bulk_job = BulkJob.objects.create(
        user=user,
        action="suspend",
        params={"text": "", "topic": None, "tags": []},
        status=BulkJob.Status.RUNNING,
        total=3,
        stage="Reading and changing 5,000 cards",
    )


def build(label: str, cards: int, *, imports: bool = True) -> Person:
    """A person with one of everything; ``imports``: with their imports (an
    import is refused past MAX_CARDS_PER_PERSON, which a collection built in
    bulk may pass)."""
    now = timezone.now()
    p = Person(cards=cards)
    p.user = user = make_user(f"{label}-collection")

    # Cards, their progress and reviews.
    p.collection = make_collection(user, cards, studied=0.5, due_every=10)
    write_reviews(user, p.collection, per_card=REVIEWS_PER_CARD)
    p.card = Card.objects.filter(topic=p.collection).order_by("pk").first()
    store_images(p.card, {image_name(p): png()})
    p.pending_image = add_image(user=user, upload=ContentFile(png(), name="pasted.png"))
    p.side = make_topic(owner=user, name="Side topic")
    side_cards = [
        make_card(p.side, user, front=f"Side question {n}?", tags=["side", f"tag{n}"])
        for n in range(3)
    ]
    side_cards[2].tags.add("leech")  # listed on the progress page
    p.study = services.start_session(user=user, topics=[p.collection, p.side])
    for card in side_cards[:2]:
        services.grade_prompt(
            user=user,
            session=p.study,
            prompt=card.prompts.get(),
            rating=3,
            expected_reps=0,
            duration_ms=1500,
            now=now,
        )
    p.graded_prompt = side_cards[0].prompts.get()
    searched = "is:due OR is:new"
    p.saved_search = SavedSearch.objects.create(user=user, name="Due or new", text=searched)
    p.search_study = from_search.study_search(user=user, text=searched, now=now)

    # Quizzes.
    p.quiz = quiz_services.start_quiz(
        user=user, topics=[p.collection], size=5, mode="weakest", count_as_reviews=False
    )
    first = p.quiz.items.order_by("position").first()
    quiz_services.mark_item(user=user, quiz=p.quiz, item_id=first.pk, correct=True, now=now)
    p.quiz_done = quiz_services.start_quiz(
        user=user, topics=[p.side], size=3, mode="random", count_as_reviews=False
    )
    for n, item in enumerate(p.quiz_done.items.order_by("position")):
        quiz_services.mark_item(
            user=user, quiz=p.quiz_done, item_id=item.pk, correct=n != 1, now=now
        )
    p.quiz_done.refresh_from_db()

    # Imports: one waiting (a row duplicates a card of the collection), one done.
    if imports:
        build_imports(p)

    # Interviews, the question bank and a checklist.
    p.interview = make_interview(user, stage="technical")
    p.interview.topics.set([p.collection, p.side])
    make_interview(user, scheduled_at=now - timedelta(days=20), status="done")
    bank = [
        QuestionToAsk.objects.create(user=user, category=category, text=f"About the {category}?")
        for category in ("team", "role", "growth", "tech")
    ]
    p.bank_question = bank[0]
    interview_services.checklist_add_from_bank(
        interview=p.interview, question_ids=[q.pk for q in bank[:2]]
    )
    interview_services.checklist_add_new(
        interview=p.interview, text="What is on call like?", category="tech", save_to_bank=False
    )
    p.item = p.interview.checklist.order_by("position").first()

    # Mock interviews.
    for n in range(3):
        question = InterviewerQuestion.objects.create(
            owner=user, area="technical", text=f"Explain thing {n}.", key_points=["one", "two"]
        )
    p.mock_question = question
    p.mock_done = mock_interview(user, to_the_end=True)
    p.recorded = p.mock_done.answers.order_by("position").first()
    p.recorded.audio.save("answer.webm", ContentFile(recordings.webm()))
    p.mock = mock_interview(user, to_the_end=False)
    p.restore = RestoreJob.objects.create(
        user=user, filename="backup.json.gz", size=1000, status=RestoreJob.Status.DONE
    )
    return p


def image_name(person: Person) -> str:
    return "diagram.png"
