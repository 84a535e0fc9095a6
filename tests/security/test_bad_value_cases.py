"""The bad values a review found, one by one, with what the person sees instead of
a 500; test_bad_values.py throws every class of them at every route."""

import io
import json

import pytest
from django.urls import reverse

from accounts.backup import backup_document
from cards.markdown import MAX_CLOZE, cloze_numbers
from cards.models import Card, ReviewLog
from interviews.models import Interview
from prep_site.numbers import read_int
from tests.factories import make_user
from tests.security.outcomes import changed_tables, snapshot

HUGE = "9" * 30


@pytest.mark.db_independent
@pytest.mark.parametrize(
    "value, number",
    [("12", 12), (" 7 ", 7), ("-1", None), ("²", None), ("١٢", None), ("１２", None)]
    + [(HUGE, None), ("9" * 5000, None), ("1\x00", None), ("", None), (None, None)],
)
def test_read_int_takes_ascii_digits_within_range(value, number):
    assert read_int(value, low=0, high=2**63 - 1) == number


@pytest.mark.db_independent
def test_cloze_numbers_stop_at_the_limit():
    assert cloze_numbers(f"{{{{c1::a}}}} {{{{c{MAX_CLOZE}::b}}}} {{{{c{HUGE}::c}}}}") == [1, 500]
    assert cloze_numbers("{{c" + "9" * 5000 + "::x}}") == []


@pytest.mark.django_db
@pytest.mark.parametrize("name, parameter", [("card_create", "topic"), ("study_session", "prompt")])
def test_a_unicode_digit_in_the_address_is_ignored(world, name, parameter):
    kwargs = {"pk": world["session"].pk} if name == "study_session" else {}
    response = world["client"].get(reverse(f"cards:{name}", kwargs=kwargs), {parameter: "²"})
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["save", "submit", "score"])
def test_a_unicode_digit_for_a_mock_answer_is_a_404(world, action):
    before = snapshot()
    response = world["client"].post(
        reverse(f"mock:{action}", args=[world["mock"].pk]), {"answer": "²", "text": "x"}
    )
    assert response.status_code == 404
    assert changed_tables(before, snapshot()) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, data, message",
    [
        ("/quiz/", {"topics": HUGE, "size": "2", "mode": "random"}, "Choose topics from the list"),
        ("/study/", {"topics": HUGE}, "is not a valid value"),
        ("/interviews/new/", {"topics": HUGE, "company": "A"}, "is not a valid value"),
        ("checklist", {"questions": HUGE}, "is not a valid value"),
    ],
)
def test_an_id_past_the_column_is_a_form_error(world, url, data, message):
    if url == "checklist":
        url = reverse("interviews:checklist_add", args=[world["interview"].pk])
    before = snapshot()
    response = world["client"].post(url, data, follow=True)  # the checklist redirects
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert changed_tables(before, snapshot()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("number", [HUGE, "9" * 5000, str(MAX_CLOZE + 1)])
def test_a_cloze_number_past_the_limit_is_refused_naming_it(world, number):
    before = Card.objects.count()
    response = world["client"].post(
        reverse("cards:card_create"),
        {"topic": world["topic"].pk, "kind": "cloze", "front": f"{{{{c{number}::x}}}}"},
    )
    assert response.status_code == 200
    assert f"Cloze numbers go from 1 to {MAX_CLOZE}: c{number[:12]}" in response.content.decode()
    assert Card.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("when", ["9999-12-31 23:59", "0001-01-01 00:00", "2200-01-01 00:00"])
def test_an_interview_outside_the_years_is_refused(world, when):
    before = Interview.objects.count()
    response = world["client"].post(
        reverse("interviews:create"),
        {
            "company": "Acme",
            "role": "SRE",
            "scheduled_at": when,
            "timezone": "America/Los_Angeles",
            "duration_minutes": "60",
            "stage": "recruiter",
            "status": "upcoming",
        },
    )
    assert "Choose a date in the years 2000 to 2199." in response.content.decode()
    assert Interview.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("when", ["9999-12-31T23:59:59.999999Z", "1999-12-31T23:59:59Z"])
def test_a_backup_with_a_date_prep_cannot_show_is_refused_naming_the_row(world, client, when):
    user = world["user"]
    session = world["session"]
    prompt = session.topics.first().cards.first().prompts.first()
    world["client"].post(
        reverse("cards:study_grade", args=[session.pk]),
        {"prompt": prompt.pk, "rating": "3", "reps": "0"},
    )
    assert ReviewLog.objects.filter(user=user).count() == 1
    document = json.loads(json.dumps(backup_document(user=user, now=session.started_at)))
    document["reviews"][0]["reviewed_at"] = when
    newcomer = make_user("newcomer", timezone="Asia/Tokyo")
    client.force_login(newcomer)
    before = snapshot()
    upload = io.BytesIO(json.dumps(document).encode())
    upload.name = "backup.json"
    response = client.post(reverse("accounts:backup_restore"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400
    assert "reviews[0].reviewed_at" in page
    assert "is not in the years prep can show (2000 to 2199)" in page
    assert changed_tables(before, snapshot()) == []
