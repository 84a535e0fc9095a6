"""A study session over only the person's own cards, or over some tags: new and
due cards alike come from that part of the topics only."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cards.models import Progress, StudySession
from cards.study import services
from tests.cards.study.test_new_order import walk
from tests.factories import make_card, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(user):
    """A starter topic with two library cards, and two cards of the person's in it,
    tagged differently."""
    shared = make_topic(name="Python")
    make_card(shared, front="Starter 1", tags=["basics"])
    make_card(shared, front="Starter 2", tags=["async"])
    make_card(shared, user, front="Own 1", tags=["async"])
    make_card(shared, user, front="Own 2", tags=["basics", "gil"])
    return shared


def start(client, topic, **choices):
    response = client.post(reverse("cards:study_start"), {"topics": [topic.pk], **choices})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.url


def tag_id(client, name: str) -> str:
    from taggit.models import Tag

    return str(Tag.objects.get(name=name).pk)


def test_the_form_offers_only_my_cards_and_the_tags_of_cards_i_see(client_in, topic, other_user):
    make_card(make_topic(owner=other_user, name="Theirs"), other_user, tags=["secret"])
    page = client_in.get(reverse("cards:study_start")).content.decode()
    assert "Only my own cards" in page
    for name in ["async", "basics", "gil"]:
        assert f">{name}</label>" in page
    assert "secret" not in page


def test_only_my_cards_leaves_the_starter_library_out(client_in, topic):
    url = start(client_in, topic, own_only="on")
    assert sorted(walk(client_in, url, 10)) == ["Own 1", "Own 2"]


def test_a_tag_narrows_new_cards_to_those_carrying_it(client_in, topic):
    url = start(client_in, topic, tags=[tag_id(client_in, "async")])
    assert sorted(walk(client_in, url, 10)) == ["Own 1", "Starter 2"]


def test_tags_and_only_mine_together(client_in, topic):
    url = start(client_in, topic, own_only="on", tags=[tag_id(client_in, "basics")])
    assert walk(client_in, url, 10) == ["Own 2"]


def test_due_cards_outside_the_tags_wait_for_another_session(client_in, user, topic):
    # Every card studied once, all due again now.
    everything = start(client_in, topic)
    assert len(walk(client_in, everything, 10)) == 4
    Progress.objects.filter(user=user).update(due=timezone.now() - timedelta(minutes=1))
    url = start(client_in, topic, tags=[tag_id(client_in, "gil")])
    session = StudySession.objects.get(pk=url.rstrip("/").rsplit("/", 1)[1])
    page = client_in.get(url).content.decode()
    assert "Own 2" in page
    nxt = services.next_prompt_for(
        session=session, now=timezone.now(), zone=timezone.get_current_timezone(), new_per_day=20
    )
    assert nxt.due_count == 1


def test_a_tag_nobody_has_is_refused_and_starts_nothing(client_in, topic):
    before = StudySession.objects.count()
    for value in ["999999", "x"]:
        response = client_in.post(
            reverse("cards:study_start"), {"topics": [topic.pk], "tags": [value]}
        )
        assert response.status_code == 200
        assert "choose from the list" in response.content.decode()
    assert StudySession.objects.count() == before


def test_another_persons_tag_is_refused(client_in, topic, other_user):
    make_card(make_topic(owner=other_user, name="Theirs"), other_user, tags=["secret"])
    response = client_in.post(
        reverse("cards:study_start"), {"topics": [topic.pk], "tags": [tag_id(client_in, "secret")]}
    )
    assert "No card of yours has the tag" in response.content.decode()
    assert not StudySession.objects.exists()


def tags_panel(page: str) -> str:
    """The opening tag of the folded tag choices."""
    match = re.search(r"<details[^>]*data-testid=\"study-tags\"[^>]*>", page)
    assert match, "the tag choices are missing"
    return match.group(0)


def test_the_tags_stay_folded_until_one_is_chosen(client_in, topic):
    # A long tag list would push "Start studying" far down a phone's screen.
    page = client_in.get(reverse("cards:study_start")).content.decode()
    assert " open" not in tags_panel(page)
    assert "(every card now)" in page


def test_a_refused_tag_opens_the_tags_with_the_reason(client_in, topic):
    response = client_in.post(reverse("cards:study_start"), {"topics": [topic.pk], "tags": ["x"]})
    page = response.content.decode()
    assert " open" in tags_panel(page)
    assert "“x” is not a tag" in page


def test_chosen_tags_stay_open_and_counted_when_the_form_comes_back(client_in, topic):
    # No topic ticked: the form returns, the two ticked tags still ticked and shown.
    response = client_in.post(
        reverse("cards:study_start"),
        {"tags": [tag_id(client_in, "async"), tag_id(client_in, "gil")]},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert " open" in tags_panel(page)
    assert "2 chosen" in page
    assert page.count("checked") == 2
