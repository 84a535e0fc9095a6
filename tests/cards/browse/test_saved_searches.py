"""Saved searches of the card browser, and studying or quizzing the cards a
search finds, through the test client."""

import pytest
from django.urls import reverse

from cards.browse import from_search
from cards.models import Quiz, SavedSearch, StudySession
from tests.factories import make_card, make_topic

BROWSER = reverse("cards:card_browser")
SAVE = reverse("cards:saved_search_create")
MENU = reverse("cards:saved_search_menu")
STUDY = reverse("cards:search_study")
QUIZ = reverse("cards:search_quiz")


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def shelf(user, other_user):
    """Alice's Kafka and Redis cards, a suspended Kafka card, a starter Kafka
    card and Mallory's Kafka card."""
    starter = make_topic(name="Starter design")
    mine = make_topic(owner=user, name="Streams")
    theirs = make_topic(owner=other_user, name="Private")
    return {
        "starter": make_card(starter, front="Kafka in the starter library"),
        "one": make_card(mine, user, front="Kafka partitions"),
        "two": make_card(mine, user, front="Kafka consumer groups"),
        "redis": make_card(mine, user, front="Redis eviction"),
        "parked": make_card(mine, user, front="Kafka parked", suspended=True),
        "secret": make_card(theirs, other_user, front="Kafka secret of Mallory"),
    }


# Saving, renaming, deleting ------------------------------------------------------------


def test_a_saved_search_shows_on_the_browser_and_in_the_navigation_menu(client_in, user):
    response = client_in.post(SAVE, {"name": "Kafka due", "q": "kafka is:due"}, follow=True)

    assert "Saved the search as “Kafka due”." in page(response)
    saved = SavedSearch.objects.get(user=user)
    assert (saved.name, saved.text) == ("Kafka due", "kafka is:due")
    link = f'href="{BROWSER}?q=kafka+is%3Adue"'
    assert link in page(client_in.get(BROWSER))
    menu = page(client_in.get(MENU, headers={"HX-Request": "true"}))
    assert link in menu and "Kafka due" in menu


def test_the_menu_says_when_there_is_no_saved_search(client_in):
    assert "No saved searches yet" in page(client_in.get(MENU))


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "", "q": "kafka"}, "Give the search a name."),
        ({"name": "   ", "q": "kafka"}, "Give the search a name."),
        ({"name": "x" * 61, "q": "kafka"}, "A search&#x27;s name has at most 60 characters."),
        ({"name": "Kafka", "q": ""}, "Search for something first"),
        ({"name": "Kafka", "q": "is:nonsense"}, "That search cannot be saved:"),
        ({"name": "Kafka", "q": '"unclosed'}, "The quote at position 1 is never closed"),
        ({"name": "Kafka", "q": "x" * 501}, "A search has at most 500 characters."),
    ],
)
def test_a_bad_name_or_search_is_refused_in_words(client_in, user, form, message):
    response = client_in.post(SAVE, form, follow=True)

    assert message in page(response)
    assert not SavedSearch.objects.exists()


def test_a_name_is_used_once_per_person_in_any_case(client_in, user, other_user):
    SavedSearch.objects.create(user=user, name="Kafka due", text="kafka")
    SavedSearch.objects.create(user=other_user, name="Redis", text="redis")

    refused = client_in.post(SAVE, {"name": "KAFKA DUE", "q": "kafka is:due"}, follow=True)
    taken = client_in.post(SAVE, {"name": "Redis", "q": "redis"}, follow=True)

    assert "You have a saved search named “KAFKA DUE” already." in page(refused)
    assert "Saved the search as “Redis”." in page(taken)
    assert SavedSearch.objects.filter(user=user).count() == 2


def test_rename_and_delete(client_in, user):
    kept = SavedSearch.objects.create(user=user, name="Kafka due", text="kafka is:due")
    other = SavedSearch.objects.create(user=user, name="Redis", text="redis")
    rename = reverse("cards:saved_search_rename", args=[kept.pk])

    clash = client_in.post(rename, {"name": "redis"}, follow=True)
    assert "You have a saved search named “redis” already." in page(clash)
    empty = client_in.post(rename, {"name": ""}, follow=True)
    assert "Give the search a name." in page(empty)
    renamed = client_in.post(rename, {"name": "Kafka to review"}, follow=True)
    assert "Renamed the search to “Kafka to review”." in page(renamed)
    kept.refresh_from_db()
    assert kept.name == "Kafka to review"

    deleted = client_in.post(
        reverse("cards:saved_search_delete", args=[other.pk]), {"q": "redis"}, follow=True
    )
    assert "Deleted the saved search “Redis”" in page(deleted)
    assert list(SavedSearch.objects.values_list("name", flat=True)) == ["Kafka to review"]


def test_another_persons_saved_search_is_not_found(client_in, other_user):
    theirs = SavedSearch.objects.create(user=other_user, name="Secret", text="secret")

    for name in ("cards:saved_search_rename", "cards:saved_search_delete"):
        response = client_in.post(reverse(name, args=[theirs.pk]), {"name": "Mine now"})
        assert response.status_code == 404
    assert "Secret" not in page(client_in.get(MENU))
    theirs.refresh_from_db()
    assert theirs.name == "Secret"


def test_a_deleted_saved_search_is_not_found(client_in, user):
    gone = SavedSearch.objects.create(user=user, name="Gone", text="gone")
    url = reverse("cards:saved_search_delete", args=[gone.pk])
    client_in.post(url)

    assert client_in.post(url).status_code == 404


def test_saving_reads_few_queries(client_in, user, django_assert_max_num_queries):
    client_in.get(BROWSER)  # keeps the time zone in the session
    for n in range(5):
        SavedSearch.objects.create(user=user, name=f"Search {n}", text=f"word{n}")
    with django_assert_max_num_queries(8):
        client_in.post(SAVE, {"name": "Kafka", "q": "kafka"})
    with django_assert_max_num_queries(3):
        client_in.get(MENU)


# Studying and quizzing a search ---------------------------------------------------------


def study_all(client, session: StudySession) -> list[str]:
    """Grade every card the session shows Easy, one by one; their fronts."""
    url = reverse("cards:study_session", args=[session.pk])
    shown = []
    for _ in range(20):
        nxt = client.get(url, {"prefetch": "0"}).context["next"]
        if nxt.prompt is None:
            return shown
        shown.append(nxt.prompt.card.front)
        response = client.post(
            reverse("cards:study_grade", args=[session.pk]),
            {
                "prompt": nxt.prompt.pk,
                "rating": 4,
                "reps": nxt.progress.reps if nxt.progress else 0,
            },
        )
        assert response.status_code in (200, 302)
    raise AssertionError(f"the session never ended: {shown}")


def test_study_these_shows_only_the_cards_the_search_finds(client_in, user, shelf):
    response = client_in.post(STUDY, {"q": "kafka"}, follow=True)

    session = StudySession.objects.get(user=user)
    assert session.search_text == "kafka"
    assert "Studying the cards from the search" in page(response)
    assert "kafka" in page(response)
    shown = study_all(client_in, session)
    assert sorted(shown) == [
        "Kafka consumer groups",
        "Kafka in the starter library",
        "Kafka partitions",
    ]


def test_a_session_over_more_cards_than_it_keeps_says_so(client_in, user, shelf, monkeypatch):
    monkeypatch.setattr(from_search, "SEARCH_CARDS", 2)

    response = client_in.post(STUDY, {"q": "kafka"}, follow=True)

    assert "the first 2 of the 3 it found" in page(response)
    session = StudySession.objects.get(user=user)
    # The browser's order: the newest first.
    newest = [shelf["two"].pk, shelf["one"].pk]
    assert session.search_card_ids == newest
    assert len(study_all(client_in, session)) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [("is:nonsense", "is:nonsense"), ("zebra", "No card to study matches “zebra”.")],
)
def test_study_or_quiz_of_a_bad_or_empty_search_starts_nothing(client_in, shelf, text, message):
    for url in (STUDY, QUIZ):
        response = client_in.post(url, {"q": text}, follow=True)
        assert response.redirect_chain[-1][0].startswith(BROWSER)
        assert message in page(response)
    assert not StudySession.objects.exists()
    assert not Quiz.objects.exists()


def test_quiz_these_asks_only_the_cards_the_search_finds(client_in, user, shelf):
    response = client_in.post(QUIZ, {"q": "kafka"}, follow=True)

    quiz = Quiz.objects.get(user=user)
    assert "A quiz of the cards from the search" in page(response)
    fronts = sorted(quiz.items.values_list("card__front", flat=True))
    assert fronts == ["Kafka consumer groups", "Kafka in the starter library", "Kafka partitions"]


def test_the_browser_offers_study_quiz_and_save_only_when_cards_match(client_in, shelf):
    found = page(client_in.get(BROWSER, {"q": "kafka"}))
    nothing = page(client_in.get(BROWSER, {"q": "zebra"}))

    for button in ("Study these", "Quiz these", "Save search"):
        assert button in found
        assert button not in nothing


def test_a_study_step_from_a_search_reads_as_many_queries_as_any(
    client_in, user, shelf, django_assert_max_num_queries
):
    client_in.post(STUDY, {"q": "kafka"})
    session = StudySession.objects.get(user=user)
    url = reverse("cards:study_session", args=[session.pk])
    client_in.get(url)
    with django_assert_max_num_queries(18):
        client_in.get(url)
    with django_assert_max_num_queries(12):
        client_in.post(STUDY, {"q": "kafka"})
