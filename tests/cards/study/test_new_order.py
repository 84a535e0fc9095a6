"""The order of new cards in a study session, as the person's settings ask, the
burying of a studied card's siblings, and the counts of the session's header."""

import re
from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from cards.models import Card, StudySession
from cards.study import services
from tests.cards.study.pages import header_counts
from tests.factories import make_card, make_topic

pytestmark = pytest.mark.django_db

FRONT = re.compile(r"(?:Starter|Own|Python|Design|Behavioral|Cloze|Rev)[\w ]*?\d+")


def settings(user, **values):
    Profile.objects.filter(user=user).update(**values) or Profile.objects.create(
        user=user, **values
    )


def start(client, *topics) -> str:
    response = client.post(reverse("cards:study_start"), {"topics": [t.pk for t in topics]})
    assert response.status_code == 302
    return response.url


def shown(body: str) -> str:
    match = re.search(r'data-testid="question"[^>]*>(.*?)</div>', body, re.S)
    assert match, "no card is shown"
    return FRONT.search(match.group(1)).group(0)


def walk(client, url: str, count: int) -> list[str]:
    """The fronts of the next ``count`` new cards, each graded Good as it
    comes, through the htmx page as a person's browser asks it."""
    fronts = []
    body = client.get(url).content.decode()
    for _ in range(count):
        if "data-rating" not in body and 'name="rating"' not in body:
            break
        fronts.append(shown(body))
        prompt = re.search(r'name="prompt" value="(\d+)"', body).group(1)
        reps = re.search(r'name="reps" value="(\d+)"', body).group(1)
        body = client.post(
            url + "grade/",
            {"prompt": prompt, "rating": 4, "reps": reps, "shown_at": ""},
            HTTP_HX_REQUEST="true",
        ).content.decode()
    return fronts


@pytest.fixture
def library():
    """A starter library made before the person's cards, as it is."""
    design = make_topic(name="System design")
    python = make_topic(name="Python")
    for n in range(3):
        make_card(design, front=f"Design {n}")
    for n in range(3):
        make_card(python, front=f"Python {n}")
    return design, python


def test_own_cards_come_first_and_topics_take_turns(client_in, user, library):
    design, python = library
    mine = make_topic(owner=user, name="Behavioral")
    make_card(mine, user, front="Behavioral 0")
    make_card(python, user, front="Own python 0")
    url = start(client_in, design, python, mine)
    assert walk(client_in, url, 8) == [
        "Behavioral 0",  # own cards first, one topic then the next
        "Own python 0",
        # Then the library's, topics in turn: the one that gave fewest today first.
        "Design 0",
        "Python 0",
        "Design 1",
        "Python 1",
        "Design 2",
        "Python 2",
    ]


def test_topic_by_topic_and_mixed(client_in, user, library):
    design, python = library
    make_card(python, user, front="Own python 0")
    settings(user, new_card_spread="by_topic", new_card_source="mixed")
    url = start(client_in, design, python)
    assert walk(client_in, url, 7) == [
        "Own python 0",  # Python comes before System design; own and library take turns
        "Python 0",
        "Python 1",
        "Python 2",
        "Design 0",
        "Design 1",
        "Design 2",
    ]


def test_random_order_is_the_same_on_a_reload_and_differs_from_the_order_added(client_in, user):
    topic = make_topic(owner=user, name="Own")
    for n in range(30):
        make_card(topic, user, front=f"Own {n}")
    settings(user, new_card_order="random", new_cards_per_day=50)
    url = start(client_in, topic)
    first = shown(client_in.get(url).content.decode())
    assert shown(client_in.get(url).content.decode()) == first  # a reload keeps it
    fronts = walk(client_in, url, 30)
    assert sorted(fronts) == sorted(f"Own {n}" for n in range(30))
    assert fronts != [f"Own {n}" for n in range(30)]


def test_siblings_of_a_card_studied_today_wait_for_tomorrow(client_in, user):
    topic = make_topic(owner=user, name="Own")
    make_card(topic, user, front="Rev 0", kind=Card.Kind.REVERSED, back="Rev back 0")
    make_card(topic, user, front="Cloze 0 {{c1::one}} {{c2::two}}", kind=Card.Kind.CLOZE, back="")
    url = start(client_in, topic)
    fronts = walk(client_in, url, 5)
    # One prompt of each card today, the reverse and the second cloze not at all.
    assert len(fronts) == 2
    assert fronts == ["Rev 0", "Cloze 0"]
    # The next day they come.
    session = StudySession.objects.get(user=user)
    tomorrow = timezone.now() + timedelta(days=1)
    nxt = services.next_prompt_for(session=session, now=tomorrow, zone=UTC, new_per_day=20)
    assert (nxt.prompt.card.front[:5], nxt.prompt.ordinal) in {("Rev 0", 1), ("Cloze", 2)}


@pytest.mark.parametrize("htmx", [True, False])
def test_the_counts_are_right_after_an_undo(client_in, user, htmx):
    topic = make_topic(owner=user, name="Own")
    for n in range(16):
        make_card(topic, user, front=f"Own {n}")
    settings(user, new_cards_per_day=15)
    url = start(client_in, topic)
    walk(client_in, url, 1)
    body = client_in.get(url).content.decode()
    assert header_counts(body) == (0, 14)
    review = re.search(r'name="review" value="(\d+)"', body).group(1)
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {"follow": True}
    body = client_in.post(url + "undo/", {"review": review}, **extra).content.decode()
    assert "Grade undone" in body or htmx
    assert header_counts(body) == (0, 15)
    assert shown(body) == "Own 0"
