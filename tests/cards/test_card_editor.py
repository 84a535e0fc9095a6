"""The card editor: its preview of the card as it will be studied, the warning
of a front already in the topic, and "Save and add another"."""

import re
from contextlib import nullcontext
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from cards.imports.anki_media import store_images
from cards.models import MAX_FACE_LENGTH, Card
from prep_site.devtools.images import png
from tests.factories import make_card, make_topic
from tests.security.outcomes import changed_tables, snapshot

pytestmark = pytest.mark.django_db

PREVIEW = "cards:card_preview"


def fields(topic, **overrides) -> dict:
    data = {"topic": topic.pk, "kind": "basic", "text_format": "markdown", "front": "", "back": ""}
    return {**data, **overrides}


def preview(client, data: dict, *, queries=None) -> str:
    """The preview fragment for the editor's fields, checked to write nothing
    (and, given ``queries``, to run at most that many)."""
    before = snapshot()
    with queries or nullcontext():
        response = client.post(reverse(PREVIEW), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert changed_tables(before, snapshot()) == []
    body = response.content.decode()
    assert "<html" not in body  # a fragment, not a page
    return body


# What the preview shows ---------------------------------------------------------------


def test_the_preview_renders_markdown_code_and_math_as_the_study_page_does(client_in, topic):
    front = "Why is **this** `fast`?"
    back = "```python\nprint(1)\n```\n\n$$\\frac{a}{b}$$ and \\(x^2\\)"
    body = preview(client_in, fields(topic, front=front, back=back))
    assert "<strong>this</strong>" in body
    assert "<code>fast</code>" in body
    assert '<span class="nb">print</span>' in body  # highlighted on the server
    assert '<div class="math math-display">\\frac{a}{b}</div>' in body
    assert '<span class="math math-inline">x^2</span>' in body
    assert body.count('data-testid="preview-prompt"') == 1
    assert "Prompt 1 of" not in body
    assert topic.name in body


def test_the_preview_sanitizes_what_the_study_page_sanitizes(client_in, topic):
    front = '<img src="x.png" onerror="alert(1)"> <script>alert(2)</script> Safe?'
    body = preview(client_in, fields(topic, front=front, back="[link](javascript:alert(3))"))
    assert "onerror" not in body
    assert "<script" not in body
    assert 'href="javascript' not in body
    assert '<img src="x.png">' in body  # a new card's images point nowhere yet
    assert "Safe?" in body


def test_a_cloze_card_shows_one_prompt_per_deletion(client_in, topic):
    front = "{{c1::Paris}} is the capital of {{c2::France::a country}}; {{c3::Rome}} is not."
    body = preview(client_in, fields(topic, kind="cloze", front=front, back="Extra *notes*"))
    assert [f"Prompt {n} of 3" in body for n in (1, 2, 3)] == [True] * 3
    assert body.count('data-testid="preview-prompt"') == 3
    # The first prompt hides Paris and shows the others; its answer reveals it.
    assert '<span class="cloze">[…]</span> is the capital of France; Rome is not.' in body
    assert '<span class="cloze">Paris</span> is the capital of France' in body
    assert 'Paris is the capital of <span class="cloze">[a country]</span>' in body
    assert body.count("<em>notes</em>") == 3  # the back, after each answer


def test_a_reversed_card_shows_both_directions(client_in, topic):
    body = preview(client_in, fields(topic, kind="reversed", front="Ein", back="One"))
    assert "Prompt 1 of 2" in body and "Prompt 2 of 2" in body
    assert body.count(">reversed</span>") == 1


def test_an_html_card_is_read_as_html(client_in, topic):
    body = preview(
        client_in,
        fields(topic, text_format="html", front="2<sup>10</sup> = *?*", back="1024<br>\\(n\\)"),
    )
    assert "2<sup>10</sup> = *?*" in body  # no Markdown
    assert '1024<br><span class="math math-inline">n</span>' in body


def test_an_empty_front_asks_for_one(client_in, topic):
    body = preview(client_in, fields(topic))
    assert "Write the front to see the card as it will be studied." in body
    assert "preview-prompt" not in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"front": "x" * (MAX_FACE_LENGTH + 1)}, "Front: Ensure this value has at most 10000"),
        ({"back": "x" * (MAX_FACE_LENGTH + 1)}, "Back: Ensure this value has at most 10000"),
        ({"kind": "cloze", "front": "No deletion"}, "needs at least one deletion"),
        ({"kind": "cloze", "front": "{{c501::x}}"}, "Cloze numbers go from 1 to 500"),
        ({"kind": "sideways", "front": "Q"}, "Kind: Select a valid choice."),
        ({"topic": "9" * 30, "front": "Q"}, "Topic: Select a valid choice."),
    ],
)
def test_bad_input_is_explained_in_the_preview(client_in, topic, overrides, message):
    body = preview(client_in, {**fields(topic), **overrides})
    assert "The card cannot be saved as it is:" in body
    assert message in body
    assert "preview-prompt" not in body


def test_a_card_being_edited_is_previewed_with_its_changes_and_images(client_in, user, topic):
    card = make_card(topic, user, front="Old front", back="Old back")
    store_images(card, {"dot.png": png()})
    body = preview(
        client_in,
        fields(topic, card=card.pk, front="New front", back='<img src="dot.png">'),
    )
    assert "New front" in body and "Old front" not in body
    assert f'<img src="/cards/{card.pk}/media/dot.png">' in body
    assert client_in.get(f"/cards/{card.pk}/media/dot.png").status_code == 200
    card.refresh_from_db()
    assert (card.front, card.back) == ("Old front", "Old back")


@pytest.mark.parametrize("whose", ["another person's", "the starter library's", "no one's"])
def test_a_card_not_of_ones_own_is_a_404(client_in, other_user, topic, whose):
    owner = {"another person's": other_user, "the starter library's": None}.get(whose)
    if whose == "no one's":
        card_id = "987654"
    else:
        theirs = make_card(make_topic(owner=owner), owner, front="secret-front-q7z")
        card_id = theirs.pk
    response = client_in.post(reverse(PREVIEW), fields(topic, card=card_id, front="Q"))
    assert response.status_code == 404
    assert "secret-front-q7z" not in response.content.decode()


def test_the_preview_takes_only_a_post(client_in):
    assert client_in.get(reverse(PREVIEW)).status_code == 405


# The same front in the topic ------------------------------------------------------------


def test_a_front_already_in_the_topic_is_warned_of_but_saving_still_works(client_in, user, topic):
    twin = make_card(topic, user, front="What is a quorum?")
    body = preview(client_in, fields(topic, front="  what is a QUORUM?\n", back="Most nodes."))
    assert "Another card in Distributed systems has this front:" in body
    assert f'<a href="/cards/{twin.pk}/">What is a quorum?</a>' in body
    assert "<strong>" not in body  # the warning shows the front as text
    assert 'data-testid="preview-prompt"' in body  # and the preview still

    response = client_in.post(
        reverse("cards:card_create"), fields(topic, front="What is a quorum?", back="Most.")
    )
    assert response.status_code == 302
    assert Card.objects.filter(topic=topic, front="What is a quorum?").count() == 2


def test_no_warning_for_the_card_itself_another_topic_or_another_persons_card(
    client_in, user, other_user, topic
):
    own = make_card(topic, user, front="Same front")
    elsewhere = make_topic(owner=user, name="Elsewhere")
    make_card(elsewhere, user, front="In another topic")
    starter = make_topic(name="Starter")
    make_card(starter, other_user, front="Their card in a starter topic")

    def warned(topic, **overrides) -> bool:
        return "has this front" in preview(client_in, fields(topic, back="A", **overrides))

    assert not warned(topic, card=own.pk, front="Same front")
    assert warned(topic, front="Same front")
    assert not warned(topic, front="In another topic")
    assert warned(elsewhere, front="In another topic")
    assert not warned(starter, front="Their card in a starter topic")
    assert not warned(topic, front="Same front, longer")


def test_a_starter_card_in_a_starter_topic_is_a_duplicate_too(client_in):
    starter = make_topic(name="Python")
    make_card(starter, None, front="What is the GIL?")
    body = preview(client_in, fields(starter, front="What is the GIL?", back="A lock."))
    assert "Another card in Python has this front:" in body


def test_another_persons_topic_is_not_used(client_in, other_user):
    theirs = make_topic(owner=other_user, name="secret-topic-q7z")
    make_card(theirs, other_user, front="secret-front-q7z")
    body = preview(client_in, fields(theirs, front="secret-front-q7z", back="A"))
    assert "Topic: Select a valid choice." in body
    assert "secret-topic-q7z" not in body
    assert "has this front" not in body


@pytest.mark.parametrize("cards", [2, 60])
def test_the_preview_runs_a_bounded_number_of_queries(
    client_in, user, topic, django_assert_max_num_queries, cards
):
    for n in range(cards):
        make_card(topic, user, front=f"Question {n}?")
    card = Card.objects.filter(owner=user).first()
    data = fields(topic, kind="cloze", front="{{c1::a}} {{c2::b}} Question 1?", back="x")
    client_in.get("/")  # the session's time zone, stored once
    # The topic, and a card with the same front (the session and the person are cached).
    body = preview(client_in, data, queries=django_assert_max_num_queries(2))
    assert "Prompt 2 of 2" in body and "has this front" not in body
    # And the card edited.
    body = preview(client_in, {**data, "card": card.pk}, queries=django_assert_max_num_queries(3))
    assert "Prompt 2 of 2" in body


# Save and add another ----------------------------------------------------------------------


def test_save_and_add_another_keeps_topic_tags_kind_and_format(client_in, user, topic):
    data = fields(
        topic,
        kind="cloze",
        text_format="html",
        front="{{c1::TCP}} is reliable",
        tags="networking, big o",
        save_and_add="",
    )
    response = client_in.post(reverse("cards:card_create"), data)
    assert response.status_code == 302
    url = urlsplit(response.url)
    assert url.path == reverse("cards:card_create")
    assert parse_qs(url.query) == {
        "topic": [str(topic.pk)],
        "kind": ["cloze"],
        "text_format": ["html"],
        "tags": ['"big o", networking'],
    }
    page = client_in.get(response.url).content.decode()
    assert f'<option value="{topic.pk}" selected>' in page
    assert '<option value="cloze" selected>' in page
    assert '<option value="html" selected>' in page
    assert 'value="&quot;big o&quot;, networking"' in page

    # The next card, sent as the page offers it, gets the same tags.
    client_in.post(
        reverse("cards:card_create"),
        fields(topic, kind="cloze", front="{{c1::UDP}} is not", tags='"big o", networking'),
    )
    card = Card.objects.get(front="{{c1::UDP}} is not")
    assert sorted(card.tags.names()) == ["big o", "networking"]


@pytest.mark.parametrize(
    "query",
    [
        "kind=sideways&text_format=rtf",
        "kind=&text_format=",
        "tags=" + ",".join(f"t{n}" for n in range(21)),
        "tags=" + "x" * 101,
        "tags=" + "a," * 5000,
        "tags=a%00b",
        "topic=abc&tags=%22",
    ],
)
def test_a_bad_value_in_the_new_card_address_is_ignored(client_in, topic, query):
    response = client_in.get(f"{reverse('cards:card_create')}?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="basic" selected>' in page
    assert '<option value="markdown" selected>' in page
    assert re.search(r'<input type="text" name="tags"[^>]*id="id_tags"', page)
    assert 'name="tags" value=' not in page


def test_the_editor_asks_for_a_preview_as_the_person_types(client_in, user, topic):
    page = client_in.get(reverse("cards:card_create")).content.decode()
    assert f'hx-post="{reverse(PREVIEW)}"' in page
    assert 'hx-trigger="input changed delay:400ms"' in page
    assert 'hx-target="#card-preview"' in page
    card = make_card(topic, user)
    page = client_in.get(reverse("cards:card_edit", args=[card.pk])).content.decode()
    assert 'hx-trigger="input changed delay:400ms, load"' in page
    assert f'hx-vals=\'{{"card": "{card.pk}"}}\'' in page
