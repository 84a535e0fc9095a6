"""The card browser counts the cards a search finds up to a bound: past it the
page says "1,000+", pages on without the last page's number, and the bulk bar
offers "All matching (1,000+)"; the last page knows the real number."""

import re

import pytest
from django.urls import reverse

from cards.browse.pages import COUNT_BOUND
from cards.browse.table import PER_PAGE
from tests.factories import make_card, make_collection, make_topic

URL = reverse("cards:card_browser")
MANY = COUNT_BOUND + 7  # past the bound: 21 pages, the last of 7 cards
LAST = -(-MANY // PER_PAGE)


def said(response) -> str:
    """The page's text, tags and runs of blanks taken out."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def many(user):
    make_collection(user, MANY)


def test_past_the_bound_the_count_says_so_and_pages_go_on(client_in, many, user):
    response = client_in.get(URL, {"sort": "created"})
    text = said(response)
    assert "1,000+ cards, 1–50 shown." in text
    assert "All matching (1,000+)" in text
    assert 'data-count="1,000+"' in response.content.decode()
    assert "Page 1 " in text and "Page 1 of" not in text
    assert "?sort=created&amp;cols=front%2Ctopic%2Ctags%2Cdue%2Cinterval%2Creviews&amp;page=2" in (
        response.content.decode()
    )
    assert [row.card.front for row in response.context["table"].rows][:2] == ["Q0", "Q1"]


def test_a_search_past_the_bound_matches_1000_plus(client_in, many, user):
    text = said(client_in.get(URL, {"q": "mine"}))
    assert "1,000+ cards match “mine”, 1–50 shown." in text


def test_the_last_page_knows_the_real_number(client_in, many, user):
    response = client_in.get(URL, {"sort": "created", "page": str(LAST)})
    text = said(response)
    assert f"1,007 cards, {PER_PAGE * (LAST - 1) + 1}–1007 shown." in text
    assert f"Page {LAST} of {LAST}" in text
    assert "All 1,007 matching" in text
    assert [row.card.front for row in response.context["table"].rows] == [
        f"Q{n}" for n in range(PER_PAGE * (LAST - 1), MANY)
    ]
    assert "Next" not in text


@pytest.mark.parametrize("page", ["400", "99999999999999999999"])
def test_a_page_past_the_last_shows_the_last(client_in, many, page):
    response = client_in.get(URL, {"sort": "created", "page": page})
    assert response.status_code == 200
    assert f"Page {LAST} of {LAST}" in said(response)
    assert len(response.context["table"].rows) == MANY - PER_PAGE * (LAST - 1)


def test_up_to_the_bound_the_count_is_exact(client_in, user):
    make_collection(user, COUNT_BOUND)
    text = said(client_in.get(URL))
    assert "1,000 cards, 1–50 shown." in text
    assert f"Page 1 of {COUNT_BOUND // PER_PAGE}" in text
    assert "All 1,000 matching" in text


def test_one_card_matches_and_twelve_match(client_in, user):
    topic = make_topic(owner=user, name="Streams")
    make_card(topic, user, front="Kafka partitions")
    for n in range(11):
        make_card(topic, user, front=f"Redis {n}")
    assert "1 card matches “kafka”." in said(client_in.get(URL, {"q": "kafka"}))
    assert "12 cards match “mine”." in said(client_in.get(URL, {"q": "mine"}))
    assert "12 cards." in said(client_in.get(URL))
    assert "No card matches “nothing-like-this”." in said(
        client_in.get(URL, {"q": "nothing-like-this"})
    )


def test_one_match_is_one_card_not_all_one(client_in, user):
    topic = make_topic(owner=user, name="Solo")
    make_card(topic, user, front="The only one")
    text = said(client_in.get(URL, {"q": "topic:Solo"}))
    assert "1 card matches “topic:Solo”." in text
    assert "The 1 matching card" in text
    assert "All 1 matching" not in text


def test_the_front_column_shows_text_not_markdown(client_in, user):
    topic = make_topic(owner=user, name="Marked")
    make_card(topic, user, front="What does `Counter` **count**?\n\n```python\nCounter(words)\n```")
    text = said(client_in.get(URL, {"q": "topic:Marked"}))
    assert "What does Counter count? Counter(words)" in text
    assert "```" not in text and "**" not in text
