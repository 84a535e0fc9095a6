"""Quizlet's export through the upload page: the separators Quizlet offers and
custom ones, text taken exactly (no CSV quoting), multi-line definitions, the
preview, and the form's messages."""

import pytest
from django.test import TestCase

from cards.models import Card, ImportJob
from tests.cards.imports.test_views import (
    UPLOAD_URL,
    body,
    confirm_url,
    job_url,
    upload,
    uploaded_job,
)

pytestmark = pytest.mark.django_db


def quizlet(**separators) -> dict:
    return {"file_format": "quizlet", **separators}


def test_tab_and_new_line_rows_keep_quotes_and_every_line(client_in, user, topic):
    content = (
        '"X" — who?\tA quote and its author\n'
        'She said "yes\tAn unclosed quote swallows nothing\n'
        "Three steps\tFirst, plan\n"
        "Second, build\n"
        "\n"
        "Third, ship\n"
        "CAP theorem\tconsistency, availability, partition tolerance: pick two\n"
    )
    job = uploaded_job(client_in, content, name="quizlet.txt", topic=topic.pk, **quizlet())
    assert job.source == ImportJob.Source.QUIZLET
    assert job.error_count == 0
    assert job.rows == [
        [1, '"X" — who?', "A quote and its author", topic.name, []],
        [2, 'She said "yes', "An unclosed quote swallows nothing", topic.name, []],
        [3, "Three steps", "First, plan\nSecond, build\n\nThird, ship", topic.name, []],
        [
            7,
            "CAP theorem",
            "consistency, availability, partition tolerance: pick two",
            topic.name,
            [],
        ],
    ]
    page = body(client_in.get(job_url(job)))
    assert "Quizlet export" in page and "<strong>4</strong> new cards" in page
    assert "&quot;X&quot; — who?" in page

    with TestCase.captureOnCommitCallbacks(execute=True):
        client_in.post(confirm_url(job), {"on_duplicate": "skip"})
    three = Card.objects.get(owner=user, front="Three steps")
    assert three.back == "First, plan\nSecond, build\n\nThird, ship"
    assert three.topic == topic and three.kind == Card.Kind.BASIC


def test_custom_separators_keep_line_breaks_inside_a_definition(client_in, topic):
    content = (
        "x-ray - a photo through you|"
        "Steps - one\r\ntwo - and a half\r\nthree|\n"
        '"quoted" - kept|no separator here|'
        "Last - one\n"
    )
    job = uploaded_job(
        client_in,
        content,
        name="set.txt",
        topic=topic.pk,
        **quizlet(
            term_separator="custom", term_custom=" - ", row_separator="custom", row_custom="|"
        ),
    )
    assert [row[:3] for row in job.rows] == [
        [1, "x-ray", "a photo through you"],
        [1, "Steps", "one\ntwo - and a half\nthree"],
        [4, '"quoted"', "kept"],
        [4, "Last", "one"],
    ]
    assert job.errors == [[4, "there is no “ - ” between a term and its definition"]]


def test_comma_and_semicolon(client_in, topic):
    content = "hola,hello;adiós,goodbye, farewell;multi,line\none;"
    job = uploaded_job(
        client_in,
        content,
        name="q.txt",
        topic=topic.pk,
        **quizlet(term_separator="comma", row_separator="semicolon"),
    )
    assert [row[1:3] for row in job.rows] == [
        ["hola", "hello"],
        ["adiós", "goodbye, farewell"],
        ["multi", "line\none"],
    ]


def test_the_wrong_separator_is_refused_with_what_to_choose(client_in, topic):
    job = uploaded_job(client_in, "a,b\nc,d\n", name="q.txt", topic=topic.pk, **quizlet())
    assert job.status == ImportJob.Status.FAILED
    assert job.failure.startswith("No row of the file has a tab between the term and the")
    page = body(client_in.get(job_url(job)))
    assert "Choose the separator between term and definition" in page

    job = uploaded_job(
        client_in,
        "a\tb\n" * 6000,
        name="q2.txt",
        topic=topic.pk,
        **quizlet(row_separator="semicolon"),
    )
    assert job.status == ImportJob.Status.FAILED
    assert job.failure.startswith("Line 1: there is no semicolon between rows in the 21,000 ")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"term_separator": "custom"}, "Type the custom separator you chose in Quizlet."),
        (
            {"row_separator": "custom", "row_custom": "\t"},
            "The separator between rows must differ from the one between term and definition.",
        ),
        ({"topic": ""}, "A Quizlet export names no topic: choose a default topic or name a new"),
    ],
)
def test_the_form_says_what_is_missing(client_in, topic, data, message):
    response = upload(client_in, "q.txt", "a\tb\n", **{"topic": topic.pk, **quizlet(**data)})
    assert response.status_code == 200
    assert message in body(response)
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("name", ["deck.apkg", "collection.colpkg"])
def test_an_anki_file_is_not_read_as_quizlet(client_in, topic, name):
    response = upload(client_in, name, "a\tb\n", topic=topic.pk, **quizlet())
    assert response.status_code == 200
    assert "An Anki deck or collection is not a Quizlet export." in body(response)
    assert not ImportJob.objects.exists()


def test_the_upload_page_offers_quizlet(client_in):
    page = body(client_in.get(UPLOAD_URL))
    assert "Quizlet export" in page and 'name="row_custom"' in page
