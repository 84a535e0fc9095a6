"""Card exports (cards/exports/): CSV and Anki text."""

import csv
import io
import re

import pytest
from django.urls import reverse
from taggit.utils import parse_tags

from cards.exports.formats import (
    ANKI_HEADER_LINES,
    exportable_cards,
    neutralize_formula,
    unneutralize_formula,
    with_tags,
)
from cards.models import Card
from tests.factories import make_card, make_topic

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def csv_records(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response), newline="")))


def anki_parts(response) -> tuple[list[str], list[list[str]]]:
    """Header lines, then the records read the way Anki does: tab-separated,
    double-quoted fields, lines starting with # skipped."""
    text = body(response)
    lines = text.split("\n")
    headers = [line for line in lines if line.startswith("#")]
    data = "\n".join(line for line in lines[len(headers) :])
    return headers, list(csv.reader(io.StringIO(data, newline=""), delimiter="\t"))


# Anonymous and ownership -------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["cards:export_csv", "cards:export_anki", "accounts:data", "accounts:backup_download"]
)
def test_visitors_are_sent_to_log_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


@pytest.mark.parametrize("name", ["cards:topic_export_csv", "cards:topic_export_anki"])
def test_another_persons_topic_is_not_found(client_in, other_user, name):
    theirs = make_topic(owner=other_user, name="Theirs")
    make_card(theirs, owner=other_user, front="Secret question")
    response = client_in.get(reverse(name, args=[theirs.pk]))
    assert response.status_code == 404


def test_export_of_everything_holds_only_own_cards(client_in, user, other_user, topic):
    make_card(topic, owner=user, front="Mine")
    starter = make_topic(owner=None, name="Starter")
    make_card(starter, owner=None, front="From the library", starter_key="lib-1")
    make_card(starter, owner=user, front="Mine in the library topic")
    make_card(make_topic(owner=other_user), owner=other_user, front="Someone else's")

    fronts = [r["front"] for r in csv_records(client_in.get(reverse("cards:export_csv")))]

    assert sorted(fronts) == ["Mine", "Mine in the library topic"]


def test_export_of_a_starter_topic_holds_its_cards_and_own_ones_in_it(client_in, user, other_user):
    starter = make_topic(owner=None, name="Starter")
    make_card(starter, owner=None, front="From the library", starter_key="lib-1")
    make_card(starter, owner=user, front="Mine")
    make_card(starter, owner=other_user, front="Someone else's")

    response = client_in.get(reverse("cards:topic_export_csv", args=[starter.pk]))

    assert response.status_code == 200
    assert sorted(r["front"] for r in csv_records(response)) == ["From the library", "Mine"]


def test_topic_page_links_to_its_exports(client_in, topic):
    page = client_in.get(topic.get_absolute_url()).content.decode()
    assert reverse("cards:topic_export_csv", args=[topic.pk]) in page
    assert reverse("cards:topic_export_anki", args=[topic.pk]) in page


# CSV ---------------------------------------------------------------------------------


def test_csv_round_trips_tabs_newlines_quotes_and_unicode(client_in, user, topic):
    front = 'Line one\nline "two",\twith a tab; ünïcødé ✓ 🙂'
    back = "```python\nprint('x')\n```\r\nand $$x^2$$"
    make_card(topic, owner=user, front=front, back=back, tags=["kafka", "machine learning"])

    response = client_in.get(reverse("cards:topic_export_csv", args=[topic.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="prep-distributed-systems.csv"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    [record] = csv_records(response)
    assert record == {
        "front": front,
        "back": back,
        "topic": "Distributed systems",
        "tags": '"machine learning", kafka',
        "kind": "basic",
    }
    # The tags cell reads back with the card form's own parser.
    assert parse_tags(record["tags"]) == ["kafka", "machine learning"]


def test_csv_header_and_kinds(client_in, user, topic):
    make_card(topic, owner=user, front="A", kind=Card.Kind.REVERSED, back="B")
    make_card(topic, owner=user, front="{{c1::Paris}} is in France", kind=Card.Kind.CLOZE)
    text = body(client_in.get(reverse("cards:export_csv")))
    assert text.splitlines()[0] == "front,back,topic,tags,kind"
    kinds = [r["kind"] for r in csv.DictReader(io.StringIO(text, newline=""))]
    assert kinds == ["reversed", "cloze"]


@pytest.mark.parametrize(
    "dangerous",
    [
        '=HYPERLINK("http://evil.example","click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1,2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_csv_neutralizes_formula_injection_in_every_cell(client_in, user, dangerous):
    topic = make_topic(owner=user, name="@topic")
    make_card(topic, owner=user, front=dangerous, back=dangerous, tags=["=cmd"])

    [record] = csv_records(client_in.get(reverse("cards:export_csv")))

    assert record["front"] == "'" + dangerous
    assert record["back"] == "'" + dangerous
    assert record["topic"] == "'@topic"
    assert record["tags"] == "'=cmd"
    for cell in record.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_harmless_cells_are_left_alone():
    for text in ["What is 2 + 2?", "a=b", "", "#heading", " =leading space", "'tis", "''"]:
        assert neutralize_formula(text) == text


def test_apostrophes_before_a_formula_get_one_more_so_the_text_comes_back():
    for text, written in [("'=1", "''=1"), ("''-x", "'''-x"), ("-x", "'-x")]:
        assert neutralize_formula(text) == written
        assert unneutralize_formula(written) == text
    for text in ["'tis", "''", "=plain"]:
        assert unneutralize_formula(text) == text


# Anki --------------------------------------------------------------------------------


def test_anki_file_has_the_documented_header_lines(client_in, user, topic):
    make_card(topic, owner=user)
    response = client_in.get(reverse("cards:topic_export_anki", args=[topic.pk]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert 'filename="prep-distributed-systems-anki.txt"' in response["Content-Disposition"]
    headers, _records = anki_parts(response)
    assert headers == ANKI_HEADER_LINES
    assert headers[:5] == [
        "#separator:tab",
        "#html:true",
        "#notetype column:1",
        "#deck column:2",
        "#tags column:5",
    ]


def test_anki_fields_are_escaped_html_with_line_breaks(client_in, user, topic):
    make_card(
        topic,
        owner=user,
        front='# A heading?\nUse <div> & "quotes"\twith a tab',
        back="line 1\r\nline 2",
        tags=["machine learning", "kafka"],
    )
    _headers, [record] = anki_parts(client_in.get(reverse("cards:export_anki")))
    assert record[:5] == [
        "Basic",
        "Distributed systems",
        '# A heading?<br>Use &lt;div&gt; &amp; "quotes"\twith a tab',
        "line 1<br>line 2",
        "kafka machine_learning",
    ]
    assert re.fullmatch("prep-md-[0-9a-f]{16}", record[5])


def test_anki_fields_of_an_html_card_are_written_as_they_are(client_in, user, topic):
    front = "<b>Bold</b> &lt;div&gt;<br>\\(x^2\\)"
    card = make_card(topic, owner=user, front=front, back="a\nb", text_format="html")
    _headers, [record] = anki_parts(client_in.get(reverse("cards:export_anki")))
    assert record[2:4] == [front, "a\nb"]
    assert re.fullmatch("prep-html-[0-9a-f]{16}", record[5])
    # The same card always has the same id in Anki; another card another.
    other = make_card(topic, owner=user, front="Other")
    _headers, records = anki_parts(client_in.get(reverse("cards:export_anki")))
    assert records[0][5] == record[5] and records[1][5] != record[5]
    assert card.pk < other.pk


def test_anki_rows_are_quoted_so_none_reads_as_a_comment(client_in, user, topic):
    make_card(topic, owner=user, front="#not a comment")
    text = body(client_in.get(reverse("cards:export_anki")))
    data_lines = text.splitlines()[len(ANKI_HEADER_LINES) :]
    assert len(data_lines) == 1
    assert data_lines[0].startswith(
        '"Basic"\t"Distributed systems"\t"#not a comment"\t"An answer"\t""\t"prep-md-'
    )


def test_anki_note_types_match_card_kinds(client_in, user, topic):
    make_card(topic, owner=user, front="A", kind=Card.Kind.BASIC)
    make_card(topic, owner=user, front="B", kind=Card.Kind.REVERSED)
    make_card(topic, owner=user, front="{{c1::C}} and {{c2::D}}", back="extra", kind="cloze")
    _headers, records = anki_parts(client_in.get(reverse("cards:export_anki")))
    assert [(r[0], r[2], r[3]) for r in records] == [
        ("Basic", "A", "An answer"),
        ("Basic (and reversed card)", "B", "An answer"),
        ("Cloze", "{{c1::C}} and {{c2::D}}", "extra"),
    ]


@pytest.mark.parametrize(
    ("dangerous", "written"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1,2)", "'@SUM(1,2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "<br>=1+1"),  # a line break is written as <br>, which runs nothing
    ],
)
def test_anki_neutralizes_formula_injection_in_every_field(client_in, user, dangerous, written):
    """A spreadsheet opens the tab-separated file as readily as a CSV: each field
    gets the CSV export's leading apostrophe."""
    topic = make_topic(owner=user, name="@topic")
    make_card(topic, owner=user, front=dangerous, back=dangerous, tags=["=cmd"])

    _headers, [record] = anki_parts(client_in.get(reverse("cards:export_anki")))

    assert record[:5] == ["Basic", "'@topic", written, written, "'=cmd"]
    for field in record:
        assert not field.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_anki_leaves_harmless_fields_alone(client_in, user, topic):
    make_card(topic, owner=user, front="What is 2 + 2?", back=" =leading space")
    _headers, [record] = anki_parts(client_in.get(reverse("cards:export_anki")))
    assert record[2:4] == ["What is 2 + 2?", " =leading space"]


def test_exports_are_empty_but_valid_without_cards(client_in):
    assert body(client_in.get(reverse("cards:export_csv"))) == "front,back,topic,tags,kind\r\n"
    headers, records = anki_parts(client_in.get(reverse("cards:export_anki")))
    assert headers == ANKI_HEADER_LINES
    assert records == []


def test_export_views_refuse_post(client_in):
    assert client_in.post(reverse("cards:export_csv")).status_code == 405


def test_cards_read_in_chunks_keep_their_own_tags(user, topic, other_user):
    """Tags are read once per chunk of cards: a card at either edge of a chunk, and
    one with no tags, get exactly their own (not another person's card's tags)."""
    tagged = {
        make_card(topic, owner=user, front=f"Q{n}", tags=[f"t{n}", "shared"]).pk: {
            f"t{n}",
            "shared",
        }
        for n in range(5)
    }
    bare = make_card(topic, owner=user, front="Q5")
    make_card(make_topic(owner=other_user), owner=other_user, tags=["foreign"])
    cards = list(with_tags(exportable_cards(user=user), chunk_size=2))
    assert [card.pk for card in cards] == [*tagged, bare.pk]
    assert {card.pk: {tag.name for tag in card.tag_list} for card in cards} == {
        **tagged,
        bare.pk: set(),
    }
