"""The home page of someone who has studied nothing: the new cards that wait
and a button that starts them."""

import re

import pytest
from django.urls import reverse

from cards.models import Card, StudySession
from tests.factories import make_card, make_topic

pytestmark = pytest.mark.django_db


def test_a_new_person_is_told_how_many_new_cards_wait_and_can_start_them(
    client_in, user, django_assert_max_num_queries
):
    library = make_topic(name="Python")
    make_card(library, front="Starter one")
    make_card(library, front="Starter reversed", kind=Card.Kind.REVERSED, back="b")
    mine = make_topic(owner=user, name="Mine")
    make_card(mine, user, front="My own")
    make_card(mine, user, front="Suspended", suspended=True)
    make_card(make_topic(owner=None, name="Other"), front="Another starter")
    with django_assert_max_num_queries(15):
        body = client_in.get(reverse("home")).content.decode()
    # Four cards; the reversed one asks both ways, so five questions.
    assert re.search(r"<strong>5</strong> new questions wait for you", body)
    assert ">Study now</a>" not in body, "one button starts them, not two"
    form = re.search(r'<form method="post" action="/study/">(.*?)</form>', body, re.S).group(1)
    topics = re.findall(r'name="topics" value="(\d+)"', form)
    response = client_in.post(reverse("cards:study_start"), {"topics": topics})
    session = StudySession.objects.get(user=user)
    assert response.url == session.get_absolute_url()
    assert "My own" in client_in.get(response.url).content.decode()  # own cards first


def test_someone_who_has_studied_sees_no_such_note(client_in, user):
    topic = make_topic(owner=user, name="Mine")
    card = make_card(topic, user, front="My own")
    make_card(topic, user, front="Another")
    url = client_in.post(reverse("cards:study_start"), {"topics": [topic.pk]}).url
    client_in.post(
        url + "grade/", {"prompt": card.prompts.get().pk, "rating": 3, "reps": 0, "shown_at": ""}
    )
    body = client_in.get(reverse("home")).content.decode()
    assert 'data-testid="new-waiting"' not in body
    assert ">Study now</a>" in body
