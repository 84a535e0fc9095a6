"""Cards whose text is HTML (from Anki) next to Markdown cards: what the card
page, the study page and the edit form show, through the test client."""

import pytest
from django.urls import reverse

from cards.models import Card
from cards.study import services
from tests.factories import make_card

pytestmark = pytest.mark.django_db

HTML = Card.TextFormat.HTML


def card_page(client, card) -> str:
    return client.get(card.get_absolute_url()).content.decode()


def revealed(client, user, topic) -> str:
    """The study page with the first card's answer shown."""
    session = services.start_session(user=user, topics=[topic])
    response = client.get(session.get_absolute_url() + "?reveal=1")
    assert response.status_code == 200
    return response.content.decode()


def test_an_html_card_is_not_read_as_markdown(client_in, user, topic):
    card = make_card(
        topic, owner=user, front="a*b*c and # of bits", back="<b>bold</b>", text_format=HTML
    )
    page = card_page(client_in, card)
    assert "a*b*c and # of bits" in page
    assert "<em>" not in page and "<h1># of bits" not in page
    assert "<b>bold</b>" in page
    assert '<span class="badge text-bg-light border">HTML (as Anki writes it)</span>' in page


def test_a_markdown_card_is_still_markdown(client_in, user, topic):
    card = make_card(topic, owner=user, front="a *b* c\n\n# Heading", back="`code`")
    page = card_page(client_in, card)
    assert "a <em>b</em> c" in page
    assert "<h1>Heading</h1>" in page
    assert "<code>code</code>" in page
    assert "HTML (as Anki writes it)" not in page


def test_colors_survive_and_nothing_else_of_a_style(client_in, user, topic):
    card = make_card(
        topic,
        owner=user,
        front='<span style="color: rgb(255, 0, 0); position: fixed">red</span>',
        back='<font color="#00f" onclick="x()">blue</font>'
        '<div style="background-color: yellow; background-image: url(x)">marked</div>',
        text_format=HTML,
    )
    page = card_page(client_in, card)
    assert '<span style="color:rgb(255, 0, 0)">red</span>' in page
    assert '<font color="#00f">blue</font>' in page
    assert '<div style="background-color:yellow">marked</div>' in page
    assert "position:" not in page and "position: fixed" not in page
    assert "url(x)" not in page and "x()" not in page


def test_a_script_or_onerror_in_an_html_field_is_stripped(client_in, user, topic):
    card = make_card(
        topic,
        owner=user,
        front='<img src="a.png" onerror="alert(1)">Q<script>alert(2)</script>',
        back='<a href="javascript:alert(3)" onmouseover="alert(4)">A</a>',
        text_format=HTML,
    )
    page = card_page(client_in, card)
    media = reverse("cards:card_media", args=[card.pk, "a.png"])
    assert f'<img src="{media}">Q' in page  # an image the card would keep
    for left_out in ("onerror", "alert(1)", "alert(2)", "javascript:", "onmouseover"):
        assert left_out not in page


@pytest.mark.parametrize(
    ("field", "tex", "display"),
    [
        ("<div>\\(\\sqrt{x}\\)</div>", "\\sqrt{x}", False),
        ("[$]E=mc^2[/$]", "E=mc^2", False),
        ("\\[x^2\\]", "x^2", True),
        ("[$$]a &lt; b<br>+ c[/$$]", "a &lt; b + c", True),
    ],
)
def test_ankis_math_is_typeset(client_in, user, topic, field, tex, display):
    card = make_card(topic, owner=user, front=f"Q {field}", text_format=HTML)
    page = card_page(client_in, card)
    if display:
        assert f'<div class="math math-display">{tex}</div>' in page
    else:
        assert f'<span class="math math-inline">{tex}</span>' in page


@pytest.mark.parametrize("text_format", [Card.TextFormat.MARKDOWN, HTML])
def test_a_revealed_cloze_answer_and_hint_show_their_html(client_in, user, topic, text_format):
    make_card(
        topic,
        owner=user,
        kind="cloze",
        front="Sorting: {{c1::O(n<sup>2</sup>)::n<sup>?</sup>}}<script>x()</script>",
        back="",
        text_format=text_format,
    )
    page = revealed(client_in, user, topic)
    assert '<span class="cloze">O(n<sup>2</sup>)</span>' in page
    assert '<span class="cloze">[n<sup>?</sup>]</span>' in page
    assert "&lt;sup&gt;" not in page
    assert "<script>x()" not in page


def test_the_study_page_shows_an_html_cards_answer_as_html(client_in, user, topic):
    make_card(
        topic, owner=user, front="What is 2<sup>10</sup>?", back="1024<br>a*b*c", text_format=HTML
    )
    page = revealed(client_in, user, topic)
    assert "What is 2<sup>10</sup>?" in page
    assert "1024<br>a*b*c" in page


def test_the_edit_form_shows_and_keeps_the_html_format(client_in, user, topic):
    card = make_card(topic, owner=user, front="<b>Q</b>", back="A", text_format=HTML)
    url = reverse("cards:card_edit", args=[card.pk])
    page = client_in.get(url).content.decode()
    assert "This card is HTML, as Anki writes it, not Markdown." in page
    assert '<option value="html" selected>HTML (as Anki writes it)</option>' in page

    # A form sent without the format (an older page) keeps it too.
    for data in ({"text_format": "html"}, {}):
        response = client_in.post(
            url, {"topic": topic.pk, "kind": "basic", "front": "<i>Q</i>", "back": "B", **data}
        )
        assert response.status_code == 302
        card.refresh_from_db()
        assert (card.text_format, card.front) == (HTML, "<i>Q</i>")


def test_a_new_card_is_markdown_unless_chosen(client_in, user, topic):
    url = reverse("cards:card_create")
    page = client_in.get(url).content.decode()
    assert '<option value="markdown" selected>Markdown</option>' in page
    client_in.post(url, {"topic": topic.pk, "kind": "basic", "front": "Q1", "back": "A"})
    client_in.post(
        url,
        {"topic": topic.pk, "kind": "basic", "front": "Q2", "back": "A", "text_format": "html"},
    )
    formats = dict(Card.objects.filter(owner=user).values_list("front", "text_format"))
    assert formats == {"Q1": "markdown", "Q2": "html"}


def test_a_text_format_that_is_not_one_is_refused(client_in, user, topic):
    response = client_in.post(
        reverse("cards:card_create"),
        {"topic": topic.pk, "kind": "basic", "front": "Q", "back": "A", "text_format": "rtf"},
    )
    assert response.status_code == 200
    assert "Select a valid choice. rtf is not one of the available choices." in (
        response.content.decode()
    )
    assert not Card.objects.filter(owner=user).exists()
