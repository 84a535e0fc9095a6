"""Every count a person can grow has a limit (README, "Limits"): at the limit the
page says which, in words, and nothing is written. Through the test client, on
the real database, with the rows made in bulk up to the limit."""

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from cards.models import (
    MAX_CARDS_PER_PERSON,
    MAX_TAGS_PER_CARD,
    MAX_TOPICS_PER_PERSON,
    Card,
    ImportJob,
    Topic,
)
from interviews.models import (
    MAX_BANK_QUESTIONS,
    MAX_CHECKLIST_ITEMS,
    MAX_INTERVIEWER_QUESTIONS,
    MAX_INTERVIEWS_PER_PERSON,
    ChecklistItem,
    Interview,
    InterviewerQuestion,
    QuestionToAsk,
)
from tests.cards.imports.test_views import confirm_url, uploaded_job
from tests.factories import make_interview

pytestmark = pytest.mark.django_db


def said(response) -> str:
    return response.content.decode()


def fill_cards(user, topic, count: int) -> None:
    Card.objects.bulk_create(
        Card(owner=user, topic=topic, front=f"Card {n}?", back="A") for n in range(count)
    )


def card_data(topic, **fields) -> dict:
    return {"topic": topic.pk, "kind": "basic", "front": "Q?", "back": "A", **fields}


# Cards ---------------------------------------------------------------------------------


def test_a_card_has_at_most_20_tags(client_in, topic):
    tags = ", ".join(f"tag{n}" for n in range(MAX_TAGS_PER_CARD + 1))
    response = client_in.post("/cards/new/", card_data(topic, tags=tags))
    assert response.status_code == 200
    assert "A card has at most 20 tags; this one has 21." in said(response)
    assert not Card.objects.exists() and not Tag.objects.exists()


def test_twenty_thousand_tags_are_refused_at_once(client_in, topic):
    """The review's case: 20,000 tags used to take 36 s and hold the write lock."""
    tags = ",".join(f"t{n}" for n in range(20_000))
    response = client_in.post("/cards/new/", card_data(topic, tags=tags))
    assert "A card has at most 20 tags; this one has 20,000." in said(response)
    assert not Card.objects.exists() and not Tag.objects.exists()


def test_twenty_tags_of_a_hundred_characters_are_fine(client_in, user, topic):
    tags = ", ".join(f"{n:03d}" + "t" * 97 for n in range(MAX_TAGS_PER_CARD))
    response = client_in.post("/cards/new/", card_data(topic, tags=tags))
    assert response.status_code == 302
    assert Card.objects.get(owner=user).tags.count() == MAX_TAGS_PER_CARD


def test_editing_a_card_to_21_tags_changes_nothing(client_in, user, topic):
    client_in.post("/cards/new/", card_data(topic, tags="one, two"))
    card = Card.objects.get(owner=user)
    tags = ", ".join(f"tag{n}" for n in range(MAX_TAGS_PER_CARD + 1))
    response = client_in.post(f"/cards/{card.pk}/edit/", card_data(topic, front="New?", tags=tags))
    assert "at most 20 tags" in said(response)
    card.refresh_from_db()
    assert card.front == "Q?" and sorted(card.tags.names()) == ["one", "two"]


def test_a_person_keeps_at_most_20000_cards(client_in, user, topic):
    fill_cards(user, topic, MAX_CARDS_PER_PERSON)
    response = client_in.post("/cards/new/", card_data(topic, front="One more?"))
    assert response.status_code == 200
    assert "You have 20,000 cards, and one person can keep at most 20,000." in said(response)
    assert Card.objects.filter(owner=user).count() == MAX_CARDS_PER_PERSON


def test_a_person_keeps_at_most_500_topics(client_in, user):
    Topic.objects.bulk_create(
        Topic(owner=user, name=f"Topic {n}", slug=f"topic-{n}")
        for n in range(MAX_TOPICS_PER_PERSON)
    )
    response = client_in.post("/topics/new/", {"name": "One more", "description": ""})
    assert response.status_code == 200
    assert "one person can keep at most 500" in said(response)
    assert Topic.objects.filter(owner=user).count() == MAX_TOPICS_PER_PERSON


# Imports -------------------------------------------------------------------------------


def test_an_import_row_with_21_tags_is_left_out_with_its_reason(client_in, user):
    tags = " ".join(f"tag{n}" for n in range(MAX_TAGS_PER_CARD + 1))
    job = uploaded_job(client_in, f"front,back,topic,tags\nQ?,A,Kafka,{tags}\nR?,B,Kafka,ok\n")
    assert [row[1] for row in job.rows] == ["R?"]
    assert job.errors == [[2, "the row has 21 tags; a card has at most 20"]]
    page = said(client_in.get(job.get_absolute_url()))
    assert "the row has 21 tags; a card has at most 20" in page


def test_an_import_that_would_cross_the_card_limit_is_refused(client_in, user, topic):
    fill_cards(user, topic, MAX_CARDS_PER_PERSON - 1)
    job = uploaded_job(client_in, "front,back,topic\nA?,a,New\nB?,b,New\nC?,c,New\n")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_in.post(confirm_url(job), {"on_duplicate": "skip"}, follow=True)
    assert (
        "This would add 3 cards to your 19,999; one person can keep at most 20,000, so 1 more "
        "fit. Nothing was imported." in said(response)
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW
    assert Card.objects.filter(owner=user).count() == MAX_CARDS_PER_PERSON - 1
    assert not Topic.objects.filter(name="New").exists()


def test_an_import_that_fits_at_confirm_but_not_when_written_goes_back_to_its_preview(
    client_in, user, topic
):
    fill_cards(user, topic, MAX_CARDS_PER_PERSON - 2)
    job = uploaded_job(client_in, "front,back,topic\nA?,a,New\nB?,b,New\n")
    with TestCase.captureOnCommitCallbacks(execute=False) as waiting:
        client_in.post(confirm_url(job), {"on_duplicate": "skip"})
    client_in.post("/cards/new/", card_data(topic, front="Meanwhile?"))  # before the worker
    for task in waiting:
        task()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW
    assert "so 1 more fit" in job.failure
    assert "so 1 more fit" in said(client_in.get(job.get_absolute_url()))
    assert Card.objects.filter(owner=user).count() == MAX_CARDS_PER_PERSON - 1


# Interviews ----------------------------------------------------------------------------


def test_a_person_keeps_at_most_1000_interviews(client_in, user):
    Interview.objects.bulk_create(
        Interview(user=user, company=f"Co {n}", role="Eng", scheduled_at=timezone.now())
        for n in range(MAX_INTERVIEWS_PER_PERSON)
    )
    data = {
        "company": "One more",
        "role": "Eng",
        "scheduled_at": "2027-01-05 10:00",
        "timezone": "UTC",
        "duration_minutes": 60,
        "stage": "technical",
        "status": "upcoming",
    }
    response = client_in.post("/interviews/new/", data)
    assert response.status_code == 200
    assert "You have 1,000 interviews, and one person can keep at most 1,000." in said(response)
    assert Interview.objects.filter(user=user).count() == MAX_INTERVIEWS_PER_PERSON


@pytest.fixture
def full_checklist(user):
    interview = make_interview(user)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(interview=interview, text=f"Q {n}?", position=n)
        for n in range(1, MAX_CHECKLIST_ITEMS + 1)
    )
    return interview


def test_a_checklist_holds_at_most_100_questions(client_in, user, full_checklist):
    url = reverse("interviews:checklist_new", args=[full_checklist.pk])
    data = {"text": "One more?", "category": "team", "save_to_bank": "on"}
    response = client_in.post(url, data)
    assert response.status_code == 400
    assert "A checklist holds at most 100 questions; this one has 100, so 0 more fit." in said(
        response
    )
    assert full_checklist.checklist.count() == MAX_CHECKLIST_ITEMS
    assert not QuestionToAsk.objects.filter(user=user).exists()


def test_adding_from_the_bank_past_100_adds_nothing(client_in, user, full_checklist):
    full_checklist.checklist.filter(position__gt=98).delete()
    bank = QuestionToAsk.objects.bulk_create(
        QuestionToAsk(user=user, category="team", text=f"Bank {n}?") for n in range(3)
    )
    url = reverse("interviews:checklist_add", args=[full_checklist.pk])
    response = client_in.post(url, {"questions": [q.pk for q in bank]}, HTTP_HX_REQUEST="true")
    assert "this one has 98, so 2 more fit. Nothing was added." in said(response)
    assert full_checklist.checklist.count() == 98


def test_a_question_bank_holds_at_most_1000_questions(client_in, user):
    QuestionToAsk.objects.bulk_create(
        QuestionToAsk(user=user, category="team", text=f"Q {n}?") for n in range(MAX_BANK_QUESTIONS)
    )
    response = client_in.post(
        reverse("interviews:question_bank"), {"category": "team", "text": "One more?"}
    )
    assert response.status_code == 400
    assert "one person can keep at most 1,000" in said(response)
    assert QuestionToAsk.objects.filter(user=user).count() == MAX_BANK_QUESTIONS


def test_a_person_keeps_at_most_1000_mock_questions(client_in, user):
    InterviewerQuestion.objects.bulk_create(
        InterviewerQuestion(owner=user, area="technical", text=f"Q {n}?", key_points=["a"])
        for n in range(MAX_INTERVIEWER_QUESTIONS)
    )
    response = client_in.post(
        reverse("mock:question_create"),
        {"text": "One more?", "area": "technical", "key_points_text": "a point"},
    )
    assert response.status_code == 200
    assert "You have 1,000 mock interview questions, and one person can keep at most" in said(
        response
    )
    assert InterviewerQuestion.objects.filter(owner=user).count() == MAX_INTERVIEWER_QUESTIONS
