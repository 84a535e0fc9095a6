"""Leeches: a card forgotten LEECH_LAPSES times is tagged and suspended at that
grade, the study page says so, the progress page lists it, undo takes it back."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cards.leeches import LEECH_LAPSES
from cards.models import Card, Progress, State
from cards.study import services
from tests.factories import make_card, make_topic

pytestmark = pytest.mark.django_db

MESSAGE = (
    "This card was forgotten 8 times: it is now tagged leech and suspended. "
    "Rewrite it or split it, then unsuspend it."
)


def in_review(user, prompt, *, lapses: int, state=State.REVIEW) -> Progress:
    """The person's progress on the prompt: in review (learnt again after each
    earlier lapse) and due now, with ``lapses`` lapses so far."""
    now = timezone.now()
    progress, _ = Progress.objects.update_or_create(
        user=user,
        prompt=prompt,
        defaults={
            "card": prompt.card,
            "state": state,
            "step": None if state == State.REVIEW else 0,
            "stability": 5.0,
            "difficulty": 6.0,
            "due": now - timedelta(hours=1),
            "last_review": now - timedelta(days=5),
            "reps": 10 + lapses,
            "lapses": lapses,
        },
    )
    return progress


def shown_in_review(client, user, topic, *, lapses: int):
    """A session whose first card is in review with ``lapses`` lapses and shown
    (its page visited once), with a new card to come next."""
    card = make_card(topic, user)
    make_card(topic, user)  # the next card, a new one
    session = services.start_session(user=user, topics=[topic])
    client.get(session.get_absolute_url())
    return session, in_review(user, card.prompts.get(), lapses=lapses)


def again(client, session, progress, **headers):
    return client.post(
        reverse("cards:study_grade", args=[session.pk]),
        {"prompt": progress.prompt_id, "rating": 1, "reps": progress.reps, "shown_at": ""},
        follow=True,
        **headers,
    )


def page(response) -> str:
    return html.unescape(response.content.decode())


def leech_names(card: Card) -> list[str]:
    return list(card.tags.names())


def test_the_threshold_is_eight():
    assert LEECH_LAPSES == 8


def test_seven_lapses_are_not_a_leech(client_in, user, topic):
    card = make_card(topic, user, front="Explain Raft")
    session = services.start_session(user=user, topics=[topic])
    response = again(client_in, session, in_review(user, card.prompts.get(), lapses=6))
    assert response.status_code == 200
    card.refresh_from_db()
    assert Progress.objects.get(user=user, prompt__card=card).lapses == 7
    assert not card.suspended and leech_names(card) == []
    assert "forgotten" not in page(response)
    progress_page = page(client_in.get(reverse("cards:progress")))
    assert "No leeches" in progress_page and "Explain Raft" not in progress_page


def test_the_eighth_lapse_tags_suspends_says_so_and_lists_the_card(client_in, user, topic):
    card = make_card(topic, user, front="Explain Raft", tags=["consensus"])
    session = services.start_session(user=user, topics=[topic])
    prompt = card.prompts.get()
    again(client_in, session, in_review(user, prompt, lapses=6))
    # Learnt again since: the next Again is the eighth lapse.
    response = again(client_in, session, in_review(user, prompt, lapses=7))
    card.refresh_from_db()
    assert card.suspended
    assert sorted(leech_names(card)) == ["consensus", "leech"]
    assert Progress.objects.get(user=user, prompt=prompt).suspended  # out of the queue
    body = page(response)
    assert MESSAGE in body
    assert reverse("cards:card_edit", args=[card.pk]) in body
    progress_page = page(client_in.get(reverse("cards:progress")))
    assert "No leeches" not in progress_page
    assert "Explain Raft" in progress_page and "forgotten 8 times" in progress_page
    assert reverse("cards:card_edit", args=[card.pk]) in progress_page


def test_the_message_comes_with_the_htmx_fragment_too(
    client_in, user, topic, htmx_headers, django_assert_max_num_queries
):
    session, progress = shown_in_review(client_in, user, topic, lapses=7)
    # Once in a card's life: the grade (21) and the tag (made here, as it is the
    # person's first leech), the tagging and the suspension spread to the progress.
    # + 2: the coming days' due counts and interview days, for the next card's
    # balanced intervals.
    with django_assert_max_num_queries(40):
        response = again(client_in, session, progress, **htmx_headers)
    assert response.status_code == 200
    assert MESSAGE in page(response)


def test_lapses_of_all_the_cards_prompts_count(client_in, user, topic):
    card = make_card(topic, user, kind=Card.Kind.REVERSED, front="TCP", back="UDP")
    session = services.start_session(user=user, topics=[topic])
    forward, backward = card.prompts.order_by("ordinal")
    in_review(user, backward, lapses=3)
    again(client_in, session, in_review(user, forward, lapses=4))
    card.refresh_from_db()
    assert card.suspended and "leech" in leech_names(card)


def test_an_again_while_relearning_is_no_lapse(client_in, user, topic):
    card = make_card(topic, user)
    session = services.start_session(user=user, topics=[topic])
    progress = in_review(user, card.prompts.get(), lapses=7, state=State.RELEARNING)
    response = again(client_in, session, progress)
    card.refresh_from_db()
    assert Progress.objects.get(pk=progress.pk).lapses == 7
    assert not card.suspended and leech_names(card) == []
    assert "forgotten" not in page(response)


def test_undoing_the_eighth_lapse_unsuspends_and_untags(client_in, user, topic):
    card = make_card(topic, user, front="Explain Raft", tags=["consensus"])
    session = services.start_session(user=user, topics=[topic])
    prompt = card.prompts.get()
    again(client_in, session, in_review(user, prompt, lapses=7))
    review_id = services.latest_review_id(session)
    response = client_in.post(
        reverse("cards:study_undo", args=[session.pk]), {"review": review_id}, follow=True
    )
    assert response.status_code == 200
    assert "Grade undone" in page(response)
    assert "Explain Raft" in page(response)  # the card is shown again
    card.refresh_from_db()
    assert not card.suspended and leech_names(card) == ["consensus"]
    progress = Progress.objects.get(user=user, prompt=prompt)
    assert (progress.lapses, progress.state, progress.suspended) == (7, State.REVIEW, False)
    assert "No leeches" in page(client_in.get(reverse("cards:progress")))


def test_a_starter_card_is_left_as_it_is_for_everyone(client_in, user, other_user):
    starter = make_topic(name="Shared starter")
    card = make_card(starter, front="What is a B-tree?")
    session = services.start_session(user=user, topics=[starter])
    in_review(other_user, card.prompts.get(), lapses=2)
    response = again(client_in, session, in_review(user, card.prompts.get(), lapses=7))
    card.refresh_from_db()
    assert not card.suspended and leech_names(card) == []
    assert not Progress.objects.get(user=other_user).suspended
    body = page(response)
    assert "This card was forgotten 8 times. It is a starter card, shared by everyone" in body
    assert reverse("cards:card_create") in body
    progress_page = page(client_in.get(reverse("cards:progress")))
    assert "What is a B-tree?" in progress_page and "starter card" in progress_page
    assert card.get_absolute_url() in progress_page
    # The other person has two lapses of it: no leech of theirs.
    client_in.force_login(other_user)
    assert "No leeches" in page(client_in.get(reverse("cards:progress")))


def test_a_card_tagged_leech_by_hand_is_listed(client_in, user, topic):
    make_card(topic, user, front="Imported leech", tags=["Leech"])
    assert "Imported leech" in page(client_in.get(reverse("cards:progress")))


def test_another_persons_leeches_are_not_listed(client_in, other_user):
    theirs = make_topic(owner=other_user)
    make_card(theirs, other_user, front="Mallory's leech", tags=["leech"])
    assert "Mallory's leech" not in page(client_in.get(reverse("cards:progress")))


@pytest.mark.parametrize("leeches", [1, 60])
def test_the_leech_list_runs_a_bounded_number_of_queries(
    client_in, user, topic, leeches, django_assert_max_num_queries
):
    for n in range(leeches):
        card = make_card(topic, user, front=f"Leech {n}", tags=["leech"])
        in_review(user, card.prompts.get(), lapses=LEECH_LAPSES)
    client_in.get(reverse("cards:progress"))
    with django_assert_max_num_queries(22):
        response = client_in.get(reverse("cards:progress"))
    body = page(response)
    assert "Leech 0" in body
    if leeches > 50:
        assert "And 10 more" in body


def test_an_again_on_review_costs_one_query_more_than_other_grades(
    client_in, user, topic, django_assert_max_num_queries, htmx_headers
):
    """The grade route's cap (22, tests/cards/study/test_study.py) holds for a
    Good; a lapse adds the count of the card's lapses, and nothing else. (The
    22 takes in the coming days' due counts and interview days: a Good balances
    the grade, an Again the next card's Good and Easy on its buttons.)"""
    session, progress = shown_in_review(client_in, user, topic, lapses=2)
    with django_assert_max_num_queries(23):
        response = again(client_in, session, progress, **htmx_headers)
    assert response.status_code == 200
    assert Progress.objects.get(pk=progress.pk).lapses == 3
