"""Small factories for the tests: real rows in the real database."""

import itertools
from datetime import UTC, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from accounts.models import Profile
from cards import services
from cards.models import Card, Progress, Topic
from cards.study.services import grade_prompt
from interviews.models import Interview
from prep_site import planner

_sequence = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def settled_now():
    """The last minute of yesterday (UTC): a made-up history that ends here is
    the same whatever the hour the tests run, so a seed gives the same reviews."""
    today = timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(minutes=1)


def make_user(username: str | None = None, **profile) -> "get_user_model()":
    User = get_user_model()
    user = User.objects.create_user(
        username=username or f"user{next(_sequence)}", password=PASSWORD
    )
    Profile.objects.create(user=user, **profile)
    return user


def make_staff(username: str | None = None) -> "get_user_model()":
    """A person who may open the staff pages (the admin, /design/)."""
    user = make_user(username)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def make_topic(owner=None, name: str | None = None, **fields) -> Topic:
    name = name or f"Topic {next(_sequence)}"
    return Topic.objects.create(owner=owner, name=name, **fields)


def make_card(
    topic: Topic,
    owner=None,
    *,
    front: str | None = None,
    back: str = "An answer",
    kind: str = Card.Kind.BASIC,
    tags: list[str] | None = None,
    **fields,
) -> Card:
    card = Card(
        topic=topic,
        owner=owner,
        kind=kind,
        front=front or f"Question {next(_sequence)}?",
        back=back,
        **fields,
    )
    return services.save_card(card=card, tags=tags or [])


def grade_card(user, card: Card, rating: int, at) -> Progress:
    """Grade the card's one prompt through the study service, as a person would
    in a session; the person's progress on it after."""
    prompt = card.prompts.get()
    grade_prompt(
        user=user,
        session=None,
        prompt=prompt,
        rating=rating,
        expected_reps=0,
        duration_ms=2000,
        now=at,
    )
    return Progress.objects.get(user=user, prompt=prompt)


def make_interview(user, **fields) -> Interview:
    fields.setdefault("company", f"Company {next(_sequence)}")
    fields.setdefault("role", "Data engineer")
    fields.setdefault("scheduled_at", timezone.now() + timedelta(days=7))
    return Interview.objects.create(user=user, **fields)


def make_collection(user, size: int, *, studied: float = 0.5, due_every: int = 10) -> Topic:
    """A topic of ``size`` cards made in bulk: the first ``studied`` share of them
    already reviewed (varied FSRS state), one in ``due_every`` of those due now."""
    from cards.models import Progress, Prompt, State

    topic = make_topic(owner=user, name=f"Collection of {size}")
    Card.objects.bulk_create(
        Card(owner=user, topic=topic, front=f"Q{i}", back=f"A{i}") for i in range(size)
    )
    Prompt.objects.bulk_create(
        Prompt(card=card, ordinal=0) for card in Card.objects.filter(topic=topic)
    )
    now = timezone.now()
    prompts = Prompt.objects.filter(card__topic=topic).order_by("pk")[: int(size * studied)]
    Progress.objects.bulk_create(
        Progress(
            user=user,
            prompt=prompt,
            card_id=prompt.card_id,
            topic=topic,
            state=State.REVIEW,
            stability=1.0 + i % 40,
            difficulty=5.0,
            reps=1 + i % 3,
            lapses=i % 4,
            last_review=now - timedelta(days=5),
            due=now - timedelta(hours=1) if i % due_every == 0 else now + timedelta(days=3),
        )
        for i, prompt in enumerate(prompts)
    )
    # As an import of that many cards does: PostgreSQL's planner learns the
    # tables' new sizes at once (prep_site/planner.py).
    if connection.vendor == "postgresql":
        planner.analyze()
    return topic


def make_mock_attempt(user, question, *, at=None, text="", covered=None, score=None):
    """A finished one-question mock interview in which ``question`` was answered at
    ``at`` (now by default) and scored: from the ``covered`` key points, or
    ``score`` as given; unscored when neither is."""
    from interviews.models import MockAnswer, MockSession

    when = at or timezone.now()
    if covered is not None and score is None:
        score = len(covered) / len(question.key_points)
    session = MockSession.objects.create(user=user, areas=[question.area], finished_at=when)
    return MockAnswer.objects.create(
        session=session,
        question=question,
        position=1,
        text=text,
        started_at=when,
        submitted_at=when,
        covered=list(covered or []),
        score=score,
        scored_at=when if score is not None else None,
    )
