"""Cramming for an interview (interviews/cram.py): a quiz over its topics, the
prompts least likely to be recalled at the interview's time first, that moves
due dates or leaves the schedule alone as the person chooses."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cards import scheduling
from cards.models import Progress, Quiz, QuizItem, Rating, ReviewLog
from interviews.models import Status
from tests.factories import grade_card as grade
from tests.factories import make_card, make_interview, make_topic
from tests.markup import choices, unstyled_choices

pytestmark = pytest.mark.django_db


def cram_url(interview) -> str:
    return reverse("interviews:cram", args=[interview.pk])


def cram(client, interview, schedule="leave", **extra):
    return client.post(cram_url(interview), {"schedule": schedule}, **extra)


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def interview(user):
    """An interview in a week over one topic: a card never studied (written
    first), then cards graded Easy, Good and Again."""
    now = timezone.now()
    topic = make_topic(owner=user, name="Spark")
    never = make_card(topic, user, front="Never seen")
    easy = make_card(topic, user, front="Held firmly")
    good = make_card(topic, user, front="Held")
    again = make_card(topic, user, front="Forgotten")
    grade(user, easy, Rating.EASY, now - timedelta(days=1))
    grade(user, good, Rating.GOOD, now - timedelta(days=1))
    grade(user, again, Rating.AGAIN, now - timedelta(days=3))
    found = make_interview(user, scheduled_at=now + timedelta(days=7))
    found.topics.set([topic])
    found.cards = {"never": never, "easy": easy, "good": good, "again": again}
    return found


def fronts(quiz: Quiz) -> list[str]:
    return [item.card.front for item in QuizItem.objects.filter(quiz=quiz).select_related("card")]


def test_the_page_offers_a_cram_for_an_upcoming_interview(client_in, interview):
    response = client_in.get(interview.get_absolute_url())
    cram = re.search(r'data-testid="cram-form">.*?</form>', response.content.decode(), re.S)[0]
    assert len(choices(cram)) == 2 and not unstyled_choices(cram)
    text = page_text(response)
    assert "Cram for this interview" in text
    assert "Move due dates: each answer counts as a review" in text
    assert "Leave my schedule alone: answers are practice only" in text


def test_the_cram_asks_the_lowest_predicted_recall_first(client_in, user, interview):
    response = cram(client_in, interview)

    quiz = Quiz.objects.get(user=user)
    assert response.status_code == 302 and response.url == quiz.get_absolute_url()
    assert quiz.mode == Quiz.Mode.CRAM and quiz.size == 4
    assert fronts(quiz) == ["Forgotten", "Held", "Held firmly", "Never seen"]
    # The order is the predicted recall at the interview's time, lowest first.
    rows = [
        Progress.objects.filter(user=user, card=interview.cards[name]).values_list(
            "prompt_id", "stability", "last_review"
        )[0]
        for name in ("again", "good", "easy")
    ]
    recalls = scheduling.recall_at(rows, at=interview.scheduled_at)
    assert recalls == sorted(recalls) and len(set(recalls)) == 3
    # The quiz page asks the weakest card first and says what the cram does.
    page = page_text(client_in.get(response.url))
    assert "Forgotten" in page and "Never seen" not in page
    assert "4 prompts, the ones you are least likely to recall on the day first" in page
    assert "It leaves your schedule alone." in page


def test_leaving_the_schedule_alone_changes_no_progress(client_in, user, interview):
    before = list(Progress.objects.filter(user=user).order_by("pk").values())
    reviews = ReviewLog.objects.filter(user=user).count()
    cram(client_in, interview, "leave")
    quiz = Quiz.objects.get(user=user)
    assert not quiz.count_as_reviews
    for item in quiz.items.all():
        client_in.post(
            reverse("cards:quiz_answer", args=[quiz.pk]),
            {"item": item.pk, "result": "right", "typed_answer": "", "shown_at": ""},
        )

    assert quiz.items.filter(correct=True).count() == 4
    assert list(Progress.objects.filter(user=user).order_by("pk").values()) == before
    assert ReviewLog.objects.filter(user=user).count() == reviews


def test_moving_due_dates_grades_each_answer(client_in, user, interview):
    forgotten = Progress.objects.get(user=user, card=interview.cards["again"])
    reviews = ReviewLog.objects.filter(user=user).count()
    response = cram(client_in, interview, "move")
    quiz = Quiz.objects.get(user=user)
    assert quiz.count_as_reviews
    assert "It moves your due dates." in page_text(client_in.get(response.url))
    first = quiz.items.get(position=1)
    client_in.post(
        reverse("cards:quiz_answer", args=[quiz.pk]),
        {"item": first.pk, "result": "right", "typed_answer": "", "shown_at": ""},
    )

    after = Progress.objects.get(pk=forgotten.pk)
    assert after.reps == forgotten.reps + 1
    assert after.due > forgotten.due
    assert ReviewLog.objects.filter(user=user).count() == reviews + 1


def test_a_cram_holds_at_most_a_hundred_prompts(client_in, user, interview):
    topic = interview.topics.get()
    for n in range(110):
        make_card(topic, user, front=f"Extra {n}")
    cram(client_in, interview)
    quiz = Quiz.objects.get(user=user)
    assert quiz.size == 100 == quiz.items.count()
    assert fronts(quiz)[:4] == ["Forgotten", "Held", "Held firmly", "Never seen"]


def test_a_double_submit_makes_a_second_untouched_cram(client_in, user, interview):
    cram(client_in, interview)
    cram(client_in, interview)
    first, second = Quiz.objects.filter(user=user).order_by("pk")
    assert fronts(first) == fronts(second)
    assert not first.items.filter(correct__isnull=False).exists()


def refused(client, interview, user, expected: str, *, schedule="leave"):
    before = Progress.objects.filter(user=user).count()
    response = cram(client, interview, schedule, follow=True)
    assert response.status_code == 200
    assert expected in page_text(response)
    assert not Quiz.objects.filter(user=user).exists()
    assert Progress.objects.filter(user=user).count() == before


def test_a_past_interview_is_refused(client_in, user, interview):
    interview.scheduled_at = timezone.now() - timedelta(hours=1)
    interview.save()
    refused(
        client_in, interview, user, "This interview is past: there is nothing left to cram for."
    )


def test_an_interview_no_longer_upcoming_is_refused(client_in, user, interview):
    interview.status = Status.PASSED
    interview.save()
    refused(
        client_in, interview, user, "This interview is past: there is nothing left to cram for."
    )


def test_an_interview_without_topics_is_refused(client_in, user, interview):
    interview.topics.clear()
    refused(client_in, interview, user, "This interview has no topics: edit it to choose")


def test_topics_without_cards_are_refused(client_in, user):
    interview = make_interview(user)
    interview.topics.set([make_topic(owner=user, name="Empty")])
    refused(client_in, interview, user, "The topics of this interview have no cards to study")


def test_a_missing_choice_is_refused(client_in, user, interview):
    refused(
        client_in,
        interview,
        user,
        "Choose whether the cram moves your due dates or leaves them alone.",
        schedule="sometimes",
    )


def test_another_persons_interview_is_not_found(client, other_user, interview):
    client.force_login(other_user)
    assert cram(client, interview).status_code == 404
    assert not Quiz.objects.exists()


def test_a_get_is_refused(client_in, interview):
    assert client_in.get(cram_url(interview)).status_code == 405


def test_starting_a_cram_runs_a_fixed_number_of_queries(
    client_in, user, interview, django_assert_max_num_queries
):
    topic = interview.topics.get()
    for n in range(30):
        make_card(topic, user, front=f"Extra {n}")
    # The session, person and profile; the interview, its topics, the rows (one
    # query whatever the number of prompts), the scheduler; the quiz, its topics
    # and its items in a savepoint; the message saved in the session (3).
    with django_assert_max_num_queries(15):
        response = cram(client_in, interview)
    assert response.status_code == 302


def test_the_quiz_form_does_not_start_a_cram(client_in, user, interview):
    response = client_in.post(
        reverse("cards:quiz_start"),
        {"topics": [interview.topics.get().pk], "size": 10, "mode": "cram"},
    )
    assert response.status_code == 200
    assert not Quiz.objects.exists()
