"""Anki's plain text with ``#html:true`` makes HTML cards, and prep's own Anki
export comes back as the cards it was written from: uploaded, previewed and
confirmed through the test client."""

import pytest
from django.test import TestCase
from django.urls import reverse

from cards.models import Card
from tests.cards.imports.test_views import card_fields, confirm_url, imported_job, uploaded_job
from tests.factories import make_card, make_topic, make_user

pytestmark = pytest.mark.django_db


def imported(client, content: str, name: str = "notes.txt") -> None:
    imported_job(client, content, name, new_topic="Anki")


def test_anki_text_with_html_true_makes_html_cards(client_in, user):
    imported(
        client_in,
        "#separator:tab\n"
        "#html:true\n"
        "#tags column:3\n"
        "What is a*b*c?<br>Line two\tx &lt; y &amp;&amp; <b>z</b>\tmath\n",
    )
    card = Card.objects.get(owner=user)
    assert card.text_format == Card.TextFormat.HTML
    assert card.front == "What is a*b*c?<br>Line two"
    page = client_in.get(card.get_absolute_url()).content.decode()
    assert "What is a*b*c?<br>Line two" in page
    assert "x &lt; y &amp;&amp; <b>z</b>" in page
    assert "&lt;br&gt;" not in page and "&amp;lt;" not in page and "<em>" not in page


def test_anki_text_without_html_stays_markdown(client_in, user):
    imported(client_in, "#separator:tab\n#html:false\nWhat is *this*?\tAn answer\n")
    card = Card.objects.get(owner=user)
    assert card.text_format == Card.TextFormat.MARKDOWN
    assert "What is <em>this</em>?" in client_in.get(card.get_absolute_url()).content.decode()


def test_preps_anki_export_imports_back_unchanged(client, user):
    kafka = make_topic(owner=user, name="Kafka")
    maths = make_topic(owner=user, name="@Maths")  # written with an apostrophe before it
    make_card(
        kafka,
        owner=user,
        front='# A heading?\nUse <div> & "quotes" &lt; here\twith a tab',
        back="- a list\n- of two <br> items",
        tags=["kafka", "streaming"],
    )
    make_card(
        maths,
        owner=user,
        kind="reversed",
        front="<b>Big O</b> of a*b*c<br>&lt;div&gt; \\(n^2\\)",
        back='=<span style="color: rgb(255, 0, 0)">red</span>\n<div>two</div>',
        text_format=Card.TextFormat.HTML,
        tags=["=cmd"],
    )
    make_card(
        maths,
        owner=user,
        kind="cloze",
        front="Sorting is {{c1::O(n<sup>2</sup>)::n<sup>?</sup>}} at worst",
        back="",
        text_format=Card.TextFormat.HTML,
    )
    make_card(kafka, owner=user, kind="cloze", front="{{c1::Offsets}} per *partition*", back="")
    client.force_login(user)
    export = b"".join(client.get(reverse("cards:export_anki")).streaming_content).decode()

    other = make_user("bob")
    client.force_login(other)
    imported(client, export, name="prep-cards-anki.txt")

    mine = Card.objects.filter(owner=user).select_related("topic")
    theirs = Card.objects.filter(owner=other).select_related("topic")
    assert len(theirs) == 4
    assert card_fields(theirs) == card_fields(mine)


def test_updating_a_duplicate_from_anki_html_makes_it_html(client_in, user):
    topic = make_topic(owner=user, name="Anki")
    card = make_card(topic, owner=user, front="What is a SYN?", back="Old *answer*")
    job = uploaded_job(
        client_in,
        "#separator:tab\n#html:true\nWhat is a SYN?\tThe <b>first</b> packet\n",
        name="notes.txt",
        topic=topic.pk,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        client_in.post(confirm_url(job), {"on_duplicate": "update"})
    card.refresh_from_db()
    assert (card.back, card.text_format) == ("The <b>first</b> packet", Card.TextFormat.HTML)
    assert "The <b>first</b> packet" in client_in.get(card.get_absolute_url()).content.decode()
