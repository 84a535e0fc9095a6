"""The key points an answer missed, made into flashcards: with one click on the
summary or the question's history, or on scoring when the setting asks for it."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from cards.models import MAX_CARDS_PER_PERSON, Card, Prompt, Topic
from interviews.mock import followups, model_answers, services
from interviews.models import InterviewerQuestion, MockAnswer
from tests.factories import make_topic, make_user
from tests.interviews.mock.test_mock_services import (
    FOUR_POINTS,
    RACERS,
    TECH,
    answer_at,
    make_question,
    start,
    started,
)

pytestmark = pytest.mark.django_db

QUESTION = "How does a hash map grow?"


def scored_answer(user, covered=(0,), text="It doubles its buckets."):
    """A one-question mock interview, answered and scored with ``covered`` ticked."""
    make_question(key_points=FOUR_POINTS, text=QUESTION)
    session = start(user, areas=[TECH], count=1)
    answer = started(answer_at(session))
    services.submit_answer(answer=answer, text=text, now=timezone.now())
    services.score_answer(answer=answer, covered=list(covered), now=timezone.now())
    return answer


def make_cards(client, answer, **extra):
    return client.post(
        reverse("mock:followups", args=[answer.session_id]),
        {"answer": answer.pk, **extra},
        follow=True,
    )


def followup_cards(user):
    return list(Card.objects.filter(owner=user, topic__slug=followups.TOPIC_SLUG).order_by("pk"))


def test_one_click_on_the_summary_makes_a_card_of_each_missed_point(client_in, user):
    answer = scored_answer(user, covered=[0])
    summary = client_in.get(reverse("mock:session", args=[answer.session_id])).content.decode()
    assert "Make cards of the 3 points I missed" in summary

    response = make_cards(client_in, answer)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("mock:session", args=[answer.session_id])
    assert "Made 3 cards of the key points you missed" in page
    assert "“Mock interview follow-ups”" in page
    cards = followup_cards(user)
    assert [card.front for card in cards] == [
        f"{QUESTION} — what about: {point}?" for point in FOUR_POINTS[1:]
    ]
    assert [card.back for card in cards] == [
        f"Key point to cover: {point}" for point in FOUR_POINTS[1:]
    ]
    topic = Topic.objects.get(owner=user, slug=followups.TOPIC_SLUG)
    assert topic.name == "Mock interview follow-ups"
    assert all(list(card.tags.names()) == ["mock-followup"] for card in cards)
    # Each card asks one prompt, so FSRS brings it back like any other new card.
    assert Prompt.objects.filter(card__in=cards).count() == 3


def test_the_same_cards_are_never_made_twice(client_in, user):
    answer = scored_answer(user, covered=[0, 1])
    make_cards(client_in, answer)
    again = make_cards(client_in, answer).content.decode()
    assert "The 2 key points you missed already have cards" in again
    assert "no card was made twice" in again
    assert len(followup_cards(user)) == 2


def test_a_later_attempt_adds_only_the_new_points_and_says_what_it_skipped(client_in, user):
    first = scored_answer(user, covered=[0, 1])
    make_cards(client_in, first)
    session = start(user, areas=[TECH], count=1)
    later = started(answer_at(session))
    services.submit_answer(answer=later, text="Buckets.", now=timezone.now())
    services.score_answer(answer=later, covered=[0], now=timezone.now())

    page = make_cards(client_in, later).content.decode()

    assert "Made one card of the key points you missed" in page
    assert "2 cards were already there, so skipped." in page
    assert len(followup_cards(user)) == 3
    assert Topic.objects.filter(owner=user, slug=followups.TOPIC_SLUG).count() == 1


def test_a_double_submitted_click_makes_nothing_twice(client, user):
    answer = scored_answer(user, covered=[])
    client.force_login(user)
    url = reverse("mock:followups", args=[answer.session_id])
    statuses = [client.post(url, {"answer": answer.pk}).status_code for _ in range(2)]
    assert statuses == [302, 302]
    assert len(followup_cards(user)) == 4


def test_the_card_limit_refuses_them_all_with_a_clear_message(client_in, user):
    answer = scored_answer(user, covered=[0])
    topic = make_topic(owner=user, name="Full")
    Card.objects.bulk_create(
        Card(owner=user, topic=topic, front=f"card {n}") for n in range(MAX_CARDS_PER_PERSON - 1)
    )
    topics_before = Topic.objects.filter(owner=user).count()

    page = make_cards(client_in, answer).content.decode()

    assert "This would add 3 cards to your 19,999; one person can keep at most 20,000" in page
    assert "so 1 more fit. No card was made." in page
    assert followup_cards(user) == []
    # Nothing half-made: not even the topic.
    assert Topic.objects.filter(owner=user).count() == topics_before


def test_an_answer_not_yet_scored_makes_no_cards(client_in, user):
    make_question(key_points=FOUR_POINTS)
    session = start(user, areas=[TECH], count=1)
    answer = started(answer_at(session))
    page = make_cards(client_in, answer).content.decode()
    assert "Score the answer first" in page
    assert not Topic.objects.filter(owner=user, slug=followups.TOPIC_SLUG).exists()


def test_an_answer_that_covered_everything_has_nothing_to_make(client_in, user):
    answer = scored_answer(user, covered=[0, 1, 2, 3])
    summary = client_in.get(reverse("mock:session", args=[answer.session_id])).content.decode()
    assert "points I missed" not in summary and "point I missed" not in summary
    page = make_cards(client_in, answer).content.decode()
    assert "You covered every key point" in page
    assert followup_cards(user) == []


def test_another_persons_answer_is_a_404_and_makes_nothing(client_in, user, other_user):
    theirs = scored_answer(other_user, covered=[])
    mine = start(user, areas=[TECH], count=1)
    # Her answer, sent to his own session, and to hers.
    for session_id in (mine.pk, theirs.session_id):
        response = client_in.post(
            reverse("mock:followups", args=[session_id]), {"answer": theirs.pk}
        )
        assert response.status_code == 404
    assert not Card.objects.exists()


def test_from_the_history_page_the_click_comes_back_there(client_in, user):
    answer = scored_answer(user, covered=[0, 1, 2])
    history_url = reverse("mock:question_history", args=[answer.question_id])
    assert "Make a card of the point I missed" in client_in.get(history_url).content.decode()
    response = make_cards(client_in, answer, back="history")
    assert response.redirect_chain[-1][0] == history_url
    assert "Made one card of the key points you missed" in response.content.decode()


def test_the_setting_makes_the_cards_on_scoring(client_in, user):
    settings_page = client_in.get(reverse("accounts:settings")).content.decode()
    assert "Make cards of missed key points automatically" in settings_page
    assert Profile.for_user(user).followup_cards_auto is False  # off by default
    form = {"new_cards_per_day": "20", "timezone": "UTC", "followup_cards_auto": "on"}
    client_in.post(reverse("accounts:settings"), form)
    assert Profile.for_user(user).followup_cards_auto is True

    make_question(key_points=FOUR_POINTS, text=QUESTION)
    session = start(user, areas=[TECH], count=1)
    answer = started(answer_at(session))
    services.submit_answer(answer=answer, text="Some answer", now=timezone.now())
    response = client_in.post(
        reverse("mock:score", args=[session.pk]),
        {"answer": answer.pk, "covered": ["0", "2"]},
        follow=True,
    )

    assert "Made 2 cards of the key points you missed" in response.content.decode()
    assert [card.front for card in followup_cards(user)] == [
        f"{QUESTION} — what about: {FOUR_POINTS[1]}?",
        f"{QUESTION} — what about: {FOUR_POINTS[3]}?",
    ]


def test_without_the_setting_scoring_makes_no_cards(client_in, user):
    make_question(key_points=FOUR_POINTS)
    session = start(user, areas=[TECH], count=1)
    answer = started(answer_at(session))
    services.submit_answer(answer=answer, text="Some answer", now=timezone.now())
    client_in.post(reverse("mock:score", args=[session.pk]), {"answer": answer.pk, "covered": []})
    assert is_scored(answer)
    assert not Card.objects.filter(owner=user).exists()


def is_scored(answer) -> bool:
    answer.refresh_from_db()
    return answer.scored_at is not None


def test_on_scoring_a_full_card_limit_still_records_the_score(client_in, user):
    Profile.objects.filter(user=user).update(followup_cards_auto=True)
    topic = make_topic(owner=user, name="Full")
    Card.objects.bulk_create(
        Card(owner=user, topic=topic, front=f"card {n}") for n in range(MAX_CARDS_PER_PERSON)
    )
    make_question(key_points=FOUR_POINTS)
    session = start(user, areas=[TECH], count=1)
    answer = started(answer_at(session))
    services.submit_answer(answer=answer, text="Some answer", now=timezone.now())
    response = client_in.post(
        reverse("mock:score", args=[session.pk]),
        {"answer": answer.pk, "covered": ["0"]},
        follow=True,
    )
    assert "one person can keep at most 20,000" in response.content.decode()
    assert is_scored(answer)
    assert not Topic.objects.filter(owner=user, slug=followups.TOPIC_SLUG).exists()


def test_the_back_takes_the_model_answer_sentence_about_the_key_point():
    model_answer = (
        "A hash map keeps an array of buckets. When the load factor passes a "
        "threshold, it allocates a bigger array and rehashes every entry. "
        "Lookups stay constant time on average."
    )
    assert followups.best_sentences(model_answer, "Rehashes every entry") == (
        "When the load factor passes a threshold, it allocates a bigger array and "
        "rehashes every entry."
    )
    assert followups.best_sentences(model_answer, "Mentions quantum tunnelling") == ""
    assert followups.best_sentences("", "Rehashes every entry") == ""


def test_the_back_quotes_the_model_answer_the_person_sees(client_in, user):
    """On a starter question, the person's own model answer, not the starter one."""
    answer = scored_answer(user, covered=[0, 2, 3])  # missed: "Gives an example"
    InterviewerQuestion.objects.filter(pk=answer.question_id).update(
        model_answer="The starter answer gives an example of a resize."
    )
    model_answers.write_own(
        user=user,
        question=answer.question,
        text="My own answer. For example, a map of 8 buckets grows to 16.",
    )
    make_cards(client_in, answer)
    (card,) = followup_cards(user)
    assert card.back == (
        "Key point to cover: Gives an example\n\n"
        "From the model answer: For example, a map of 8 buckets grows to 16."
    )


@pytest.mark.django_db(transaction=True)
def test_racing_clicks_make_each_card_once():
    """Four requests at once for the same answer, before the topic exists: one
    topic, one card a missed key point."""
    user = make_user()
    answer = scored_answer(user, covered=[])
    barrier = threading.Barrier(RACERS)

    def click(_n: int) -> int:
        try:
            barrier.wait(timeout=10)
            mine = MockAnswer.objects.select_related("question", "session").get(pk=answer.pk)
            return followups.make_followup_cards(user=user, answer=mine).made
        finally:
            connection.close()

    with ThreadPoolExecutor(RACERS) as pool:
        made = sorted(pool.map(click, range(RACERS)))

    assert sum(made) == 4
    assert len(followup_cards(user)) == 4
    assert Topic.objects.filter(owner=user, slug=followups.TOPIC_SLUG).count() == 1
