"""Django's admin keeps the copies the app keeps: a card saved there gets the
prompts its kind and text ask, a card deleted there takes its reviews off
their days, and the history (reviews, progress) is not edited or deleted on
its own there."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cards import integrity
from cards.models import Card, Progress, Rating, ReviewDay, ReviewLog, StudySession
from cards.study import services
from tests.cards.test_data_integrity import admin_form
from tests.factories import PASSWORD, make_card, make_topic


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "r@x.org", PASSWORD))
    return client


def graded(user, topic, card) -> StudySession:
    session = services.start_session(user=user, topics=[topic])
    for prompt in card.prompts.all():
        services.grade_prompt(
            user=user,
            session=session,
            prompt=prompt,
            rating=Rating.GOOD,
            expected_reps=0,
            duration_ms=0,
            now=timezone.now(),
        )
    return session


@pytest.mark.django_db
def test_a_basic_card_made_a_cloze_of_three_in_the_admin_asks_three_prompts(
    admin_client, user, topic
):
    card = make_card(topic, user, front="Raft?")
    url = reverse("admin:cards_card_change", args=[card.pk])
    data = admin_form(admin_client, url, "card_form")
    data.update(kind=["cloze"], front=["{{c1::Raft}}, {{c2::Paxos}} and {{c3::Zab}}"])

    assert admin_client.post(url, data).status_code == 302

    card.refresh_from_db()
    assert card.prompt_count == 3
    assert list(card.prompts.values_list("ordinal", flat=True)) == [1, 2, 3]
    assert integrity.find_all() == []


@pytest.mark.django_db
def test_reviews_and_progress_are_not_deleted_on_their_own_in_the_admin(admin_client, user, topic):
    card = make_card(topic, user, kind="reversed", front="Lease", back="A lock with a time")
    graded(user, topic, card)
    review, progress = ReviewLog.objects.first(), Progress.objects.first()

    for name, pk in (("reviewlog", review.pk), ("progress", progress.pk)):
        delete = reverse(f"admin:cards_{name}_delete", args=[pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        change = reverse(f"admin:cards_{name}_change", args=[pk])
        assert admin_client.post(change, {"rating": 1, "suspended": "on"}).status_code == 403
        response = admin_client.post(
            reverse(f"admin:cards_{name}_changelist"),
            {"action": "delete_selected", "_selected_action": [pk], "post": "yes"},
        )
        assert response.status_code in (200, 302)  # no such action: the list again
    assert ReviewLog.objects.count() == 2 and Progress.objects.count() == 2
    assert (
        admin_client.get(reverse("admin:cards_reviewlog_change", args=[review.pk])).status_code
        == 200
    )


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["delete page", "bulk action"])
def test_a_card_deleted_in_the_admin_takes_its_reviews_off_their_days(
    admin_client, user, topic, how
):
    card = make_card(topic, user, kind="reversed", front="Lease", back="A lock with a time")
    kept = make_card(topic, user, front="Quorum?")
    graded(user, topic, card)
    graded(user, topic, kept)
    assert ReviewDay.objects.get(user=user).reviews == 3

    if how == "delete page":
        response = admin_client.post(
            reverse("admin:cards_card_delete", args=[card.pk]), {"post": "yes"}
        )
    else:
        response = admin_client.post(
            reverse("admin:cards_card_changelist"),
            {"action": "delete_selected", "_selected_action": [card.pk], "post": "yes"},
        )

    assert response.status_code == 302
    assert not Card.objects.filter(pk=card.pk).exists()
    assert ReviewDay.objects.get(user=user).reviews == 1
    assert integrity.find_all() == []


@pytest.mark.django_db
def test_a_session_given_another_topic_in_the_admin_looks_for_its_new_cards(
    admin_client, user, topic
):
    other = make_topic(owner=user, name="Databases")
    waiting = make_card(other, user, front="Never studied")
    studied = make_card(topic, user, front="Studied")
    session = graded(user, topic, studied)
    services.keep_new_from(session, None)  # past every card: all of topic's are studied
    assert StudySession.objects.get(pk=session.pk).new_from == studied.pk + 1

    url = reverse("admin:cards_studysession_change", args=[session.pk])
    data = admin_form(admin_client, url, "studysession_form")
    data["topics"] = [str(topic.pk), str(other.pk)]
    assert admin_client.post(url, data).status_code == 302

    assert StudySession.objects.get(pk=session.pk).new_from == waiting.pk
    assert integrity.find_all() == []
