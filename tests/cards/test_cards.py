import pytest
from django.urls import reverse

from cards.models import Card, Progress, Prompt, Topic
from tests.factories import make_card, make_topic

pytestmark = pytest.mark.django_db


def card_data(topic, **overrides):
    data = {
        "topic": topic.pk,
        "kind": "basic",
        "front": "What does a shard key decide?",
        "back": "Which shard a row lives on.",
        "tags": "sharding, databases",
    }
    data.update(overrides)
    return data


# Visitors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/topics/", "/study/", "/search/?q=x", "/cards/new/", "/topics/new/", "/accounts/settings/"],
)
def test_visitors_are_sent_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_landing_page_is_public(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "Create a free account" in response.content.decode()


def test_home_shows_topics_for_a_logged_in_user(client_in, topic):
    response = client_in.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert topic.name in body
    # Someone who has not studied yet (the topic has no cards) gets the guide.
    assert "Your first steps" in body
    assert "Get started" in body


# Topics ----------------------------------------------------------------------------


def test_create_topic_then_it_is_listed(client_in, user):
    response = client_in.post(reverse("cards:topic_create"), {"name": "Kafka", "description": ""})
    topic = Topic.objects.get(owner=user, name="Kafka")
    assert response.status_code == 302
    assert client_in.get(reverse("cards:topic_list")).content.decode().count("Kafka") >= 1
    assert topic.slug == "kafka"


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "This field is required"), ("!!!", "at least one letter"), ("x" * 81, "at most 80")],
)
def test_bad_topic_names_are_explained(client_in, name, message):
    response = client_in.post(reverse("cards:topic_create"), {"name": name})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Topic.objects.exists()


def test_duplicate_topic_name_is_refused(client_in, topic):
    response = client_in.post(reverse("cards:topic_create"), {"name": topic.name.upper()})
    assert "already have a topic" in response.content.decode()
    assert Topic.objects.count() == 1


def test_starter_topics_are_read_only(client_in):
    starter = make_topic(name="System design")
    assert client_in.get(reverse("cards:topic_detail", args=[starter.pk])).status_code == 200
    assert client_in.get(reverse("cards:topic_edit", args=[starter.pk])).status_code == 404
    assert client_in.post(reverse("cards:topic_delete", args=[starter.pk])).status_code == 404
    assert Topic.objects.filter(pk=starter.pk).exists()


def test_another_users_topic_is_a_404(client_in, other_user):
    foreign = make_topic(owner=other_user)
    for name in ("topic_detail", "topic_edit", "topic_delete"):
        assert client_in.get(reverse(f"cards:{name}", args=[foreign.pk])).status_code == 404


def test_delete_topic_removes_its_cards(client_in, user, topic):
    make_card(topic, user)
    response = client_in.post(reverse("cards:topic_delete", args=[topic.pk]))
    assert response.status_code == 302
    assert not Topic.objects.exists()
    assert not Card.objects.exists()


# Cards --------------------------------------------------------------------------------


def test_create_card_with_tags(client_in, user, topic):
    response = client_in.post(reverse("cards:card_create"), card_data(topic))
    assert response.status_code == 302
    card = Card.objects.get(owner=user)
    assert sorted(card.tags.names()) == ["databases", "sharding"]
    assert card.prompts.count() == 1
    page = client_in.get(topic.get_absolute_url()).content.decode()
    assert "What does a shard key decide?" in page
    assert "#sharding" in page


def test_a_card_in_a_starter_topic_is_the_users_own(client_in, user, other_user):
    starter = make_topic(name="Machine learning")
    client_in.post(reverse("cards:card_create"), card_data(starter, front="My own ML card"))
    card = Card.objects.get(front="My own ML card")
    assert card.owner == user
    # another person sees the starter topic but not this card
    client_in.logout()
    client_in.force_login(other_user)
    assert "My own ML card" not in client_in.get(starter.get_absolute_url()).content.decode()
    assert client_in.get(card.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"front": ""}, "This field is required"),
        ({"back": ""}, "Write the answer on the back"),
        ({"kind": "cloze", "front": "No deletion here", "back": ""}, "at least one deletion"),
        ({"front": "x" * 10_001}, "at most 10000 characters"),
        ({"kind": "sideways"}, "Select a valid choice"),
    ],
)
def test_bad_cards_are_explained_and_not_saved(client_in, topic, overrides, message):
    response = client_in.post(reverse("cards:card_create"), card_data(topic, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Card.objects.exists()


def test_a_card_cannot_go_into_another_users_topic(client_in, other_user):
    foreign = make_topic(owner=other_user)
    response = client_in.post(reverse("cards:card_create"), card_data(foreign))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Card.objects.exists()


def test_edit_moves_a_card_and_changes_its_kind(client_in, user, topic):
    card = make_card(topic, user)
    other_topic = make_topic(owner=user, name="Elsewhere")
    response = client_in.post(
        reverse("cards:card_edit", args=[card.pk]),
        card_data(other_topic, kind="reversed", tags="moved"),
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.topic == other_topic
    assert list(card.tags.names()) == ["moved"]
    assert sorted(card.prompts.values_list("ordinal", flat=True)) == [0, 1]


def test_editing_a_cloze_card_keeps_progress_of_deletions_that_remain(client_in, user, topic):
    card = make_card(topic, user, kind="cloze", front="{{c1::a}} {{c2::b}}", back="")
    from django.utils import timezone

    from cards.study import services

    services.grade_prompt(
        user=user,
        session=None,
        prompt=card.prompts.get(ordinal=1),
        rating=3,
        expected_reps=0,
        duration_ms=0,
        now=timezone.now(),
    )
    client_in.post(
        reverse("cards:card_edit", args=[card.pk]),
        card_data(topic, kind="cloze", front="{{c1::a}} only", back=""),
    )
    assert list(Prompt.objects.filter(card=card).values_list("ordinal", flat=True)) == [1]
    assert Progress.objects.filter(card=card).count() == 1


def test_starter_and_foreign_cards_cannot_be_changed(client_in, other_user):
    starter_card = make_card(make_topic(name="Python"))
    foreign_card = make_card(make_topic(owner=other_user), other_user)
    assert client_in.get(starter_card.get_absolute_url()).status_code == 200
    assert client_in.get(foreign_card.get_absolute_url()).status_code == 404
    for card in (starter_card, foreign_card):
        for name in ("card_edit", "card_delete", "card_suspend"):
            assert client_in.post(reverse(f"cards:{name}", args=[card.pk])).status_code == 404
    assert Card.objects.count() == 2
    assert not Card.objects.filter(suspended=True).exists()


def test_suspend_toggles_as_page_and_as_fragment(client_in, user, topic, htmx_headers):
    card = make_card(topic, user)
    url = reverse("cards:card_suspend", args=[card.pk])
    response = client_in.post(url)
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.suspended
    response = client_in.post(url, **htmx_headers)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="suspend-form"')
    assert "Suspend" in body
    card.refresh_from_db()
    assert not card.suspended


def test_suspend_needs_post(client_in, user, topic):
    card = make_card(topic, user)
    assert client_in.get(reverse("cards:card_suspend", args=[card.pk])).status_code == 405


def test_delete_card(client_in, user, topic):
    card = make_card(topic, user)
    response = client_in.get(reverse("cards:card_delete", args=[card.pk]))
    assert "Delete this card?" in response.content.decode()
    client_in.post(reverse("cards:card_delete", args=[card.pk]))
    assert not Card.objects.exists()


# Search ---------------------------------------------------------------------------


def test_search_finds_own_and_starter_cards_but_not_others(client_in, user, other_user, topic):
    make_card(topic, user, front="Kafka partitions and mine")
    make_card(make_topic(name="System design"), front="Kafka consumer groups")
    make_card(make_topic(owner=other_user), other_user, front="Kafka secret")
    body = client_in.get(reverse("cards:search"), {"q": "kafka"}).content.decode()
    assert "Kafka partitions and mine" in body
    assert "Kafka consumer groups" in body
    assert "Kafka secret" not in body
    assert "2 cards match" in body


def test_search_by_tag_and_as_fragment(client_in, user, topic, htmx_headers):
    make_card(topic, user, front="Tagged card", tags=["redis"])
    response = client_in.get(reverse("cards:search"), {"q": "redis"}, **htmx_headers)
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="results"' in body
    assert "Tagged card" in body


def test_search_with_no_match_says_so(client_in):
    body = client_in.get(reverse("cards:search"), {"q": "zebra"}).content.decode()
    assert "No card matches" in body
