"""Handing in and scoring mock answers through the real test client: htmx and
plain forms, late, oversized and doubled requests, and ending a session early
without losing what was typed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from interviews.mock import services
from interviews.models import MockAnswer
from tests.interviews.mock.pages import body, post_answer, url
from tests.interviews.mock.test_mock_services import FOUR_POINTS, answer_at

pytestmark = pytest.mark.django_db


# Submitting and scoring -----------------------------------------------------------------


def test_submit_via_htmx_shows_the_key_points_to_tick(client_in, session, htmx_headers):
    client_in.get(url("session", session))
    answer = answer_at(session, 1)
    response = post_answer(
        client_in, "submit", session, answer, text="My full answer", headers=htmx_headers
    )
    assert response.status_code == 200
    page = body(response)
    assert "<html" not in page and 'data-state="scoring"' in page
    assert "My full answer" in page and 'id="mock-answer"' not in page
    for point in FOUR_POINTS:
        assert point in page
    assert page.count('name="covered"') == 4
    assert f'action="{url("score", session)}"' in page
    stored = MockAnswer.objects.get(pk=answer.pk)
    assert (stored.text, stored.timed_out) == ("My full answer", False)


def test_submit_as_a_plain_form_redirects_to_the_scoring_step(client_in, session):
    client_in.get(url("session", session))
    answer = answer_at(session, 1)
    response = post_answer(client_in, "submit", session, answer, text="Plain")
    assert response.status_code == 302
    assert 'data-state="scoring"' in body(client_in.get(response.url))


def test_a_late_submit_is_accepted_and_marked_timed_out(client_in, session, htmx_headers):
    client_in.get(url("session", session))
    answer = answer_at(session, 1)
    MockAnswer.objects.filter(pk=answer.pk).update(
        started_at=timezone.now() - timedelta(seconds=121)
    )
    response = post_answer(
        client_in, "submit", session, answer, text="Finished late", headers=htmx_headers
    )
    assert "Time ran out" in body(response)
    stored = MockAnswer.objects.get(pk=answer.pk)
    assert (stored.text, stored.timed_out) == ("Finished late", True)


def test_an_oversized_submit_keeps_the_box_and_writes_nothing(client_in, session, htmx_headers):
    client_in.get(url("session", session))
    answer = answer_at(session, 1)
    response = post_answer(
        client_in, "submit", session, answer, text="q" * 25_000, headers=htmx_headers
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#mock-save-status"
    assert response["HX-Reswap"] == "outerHTML"
    assert "25,000 characters long" in body(response)
    stored = MockAnswer.objects.get(pk=answer.pk)
    assert (stored.text, stored.submitted_at) == ("", None)


def test_a_double_submit_is_recorded_once(client_in, session, htmx_headers):
    client_in.get(url("session", session))
    answer = answer_at(session, 1)
    first = post_answer(client_in, "submit", session, answer, text="one", headers=htmx_headers)
    submitted_at = MockAnswer.objects.get(pk=answer.pk).submitted_at
    second = post_answer(client_in, "submit", session, answer, text="two", headers=htmx_headers)
    assert first.status_code == second.status_code == 200
    assert "already submitted; it was recorded once" in body(second)
    assert 'data-state="scoring"' in body(second)
    stored = MockAnswer.objects.get(pk=answer.pk)
    assert (stored.text, stored.submitted_at) == ("one", submitted_at)
    # a late autosave from the same tab changes nothing either
    late = post_answer(client_in, "save", session, answer, text="three", headers=htmx_headers)
    assert "already submitted" in body(late)
    assert MockAnswer.objects.get(pk=answer.pk).text == "one"


def test_scoring_records_the_score_and_shows_the_next_question(client_in, session, htmx_headers):
    client_in.get(url("session", session))
    first = answer_at(session, 1)
    post_answer(client_in, "submit", session, first, text="one")
    response = post_answer(
        client_in, "score", session, first, covered=["0", "2", "3"], headers=htmx_headers
    )
    assert response.status_code == 200
    page = body(response)
    second = answer_at(session, 2)
    assert second.question.text in page and 'data-state="answering"' in page
    assert second.started_at is not None  # its clock started when it was shown
    first.refresh_from_db()
    assert (first.covered, first.score) == ([0, 2, 3], 0.75)


def test_scoring_the_last_question_shows_the_summary(client_in, session):
    client_in.get(url("session", session))
    for position, covered in [(1, ["0", "1"]), (2, ["0", "1", "2", "3"])]:
        answer = answer_at(session, position)
        post_answer(client_in, "submit", session, answer, text=f"answer {position}")
        response = post_answer(client_in, "score", session, answer, covered=covered)
        assert response.status_code == 302
        client_in.get(response.url)
    session.refresh_from_db()
    assert session.finished_at is not None
    page = body(client_in.get(url("session", session)))
    assert 'data-state="summary"' in page
    assert 'data-testid="session-score">75%' in page  # (50% + 100%) / 2
    assert "50%" in page and "100%" in page
    assert "2 of 4 key points" in page
    for position in (1, 2):
        assert answer_at(session, position).question.get_absolute_url() in page


def test_a_double_score_is_recorded_once(client_in, session, htmx_headers):
    client_in.get(url("session", session))
    first = answer_at(session, 1)
    post_answer(client_in, "submit", session, first, text="one")
    post_answer(client_in, "score", session, first, covered=["0"], headers=htmx_headers)
    second = post_answer(
        client_in, "score", session, first, covered=["0", "1", "2"], headers=htmx_headers
    )
    assert "already scored; the score was recorded once" in body(second)
    first.refresh_from_db()
    assert (first.covered, first.score) == ([0], 0.25)


@pytest.mark.parametrize("covered", [["9"], ["-1"], ["two"]])
def test_scoring_key_points_that_do_not_exist_is_refused(client_in, session, covered):
    client_in.get(url("session", session))
    first = answer_at(session, 1)
    post_answer(client_in, "submit", session, first, text="one")
    response = post_answer(client_in, "score", session, first, covered=covered, follow=True)
    assert "not part of this question" in body(response)
    assert MockAnswer.objects.get(pk=first.pk).scored_at is None


def test_scoring_before_submitting_is_refused(client_in, session, htmx_headers):
    client_in.get(url("session", session))
    first = answer_at(session, 1)
    response = post_answer(client_in, "score", session, first, covered=["0"], headers=htmx_headers)
    assert "Submit the answer before scoring it" in body(response)
    assert MockAnswer.objects.get(pk=first.pk).scored_at is None


def test_a_finished_session_refuses_answers_with_a_message(client_in, session, htmx_headers):
    client_in.get(url("session", session))
    first = answer_at(session, 1)
    post_answer(client_in, "save", session, first, text="kept")
    response = client_in.post(url("finish", session))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.finished_at is not None
    for name, data in [
        ("save", {"text": "new"}),
        ("submit", {"text": "new"}),
        ("score", {"covered": ["0"]}),
    ]:
        refused = post_answer(client_in, name, session, first, headers=htmx_headers, **data)
        assert refused.status_code == 200
        assert "already finished; nothing was changed" in body(refused)
        plain = post_answer(client_in, name, session, first, follow=True, **data)
        assert "already finished; nothing was changed" in body(plain)
    stored = MockAnswer.objects.get(pk=first.pk)
    # Ending handed the saved draft in; nothing after the end changed it.
    assert (stored.text, stored.score) == ("kept", None)
    assert stored.submitted_at == session.finished_at
    page = body(client_in.get(url("session", session)))
    assert 'data-state="summary"' in page and "answered, not scored" in page
    assert 'data-testid="summary-answer">kept<' in page


def test_ending_via_htmx_shows_the_summary(client_in, session, htmx_headers):
    response = client_in.post(url("finish", session), **htmx_headers)
    assert response.status_code == 200
    assert 'data-state="summary"' in body(response) and "<html" not in body(response)


def test_ending_keeps_the_text_in_the_box_never_saved_before(client_in, session, htmx_headers):
    client_in.get(url("session", session))
    first = answer_at(session, 1)
    post_answer(client_in, "save", session, first, text="An older draft")
    # The end form carries the answer box (hx-include), read at the click.
    response = post_answer(
        client_in,
        "finish",
        session,
        first,
        text="Grows by doubling\r\nand rehashing",
        headers=htmx_headers,
    )
    page = body(response)
    assert 'data-state="summary"' in page
    assert "Grows by doubling\nand rehashing" in page
    assert "answered, not scored" in page and "not answered<" not in page
    stored = MockAnswer.objects.get(pk=first.pk)
    assert stored.text == "Grows by doubling\nand rehashing"
    assert stored.submitted_at is not None and stored.score is None
    # The question never reached stays unanswered.
    assert answer_at(session, 2).submitted_at is None
    assert "not answered" in page


def test_ending_never_rewrites_an_answer_already_handed_in(client_in, session, htmx_headers):
    client_in.get(url("session", session))
    first = answer_at(session, 1)
    post_answer(client_in, "submit", session, first, text="The handed-in answer")
    post_answer(
        client_in, "finish", session, first, text="An old page's text", headers=htmx_headers
    )
    assert MockAnswer.objects.get(pk=first.pk).text == "The handed-in answer"


def test_ending_with_too_long_a_text_ends_nothing_and_says_why(client_in, session, htmx_headers):
    client_in.get(url("session", session))
    first = answer_at(session, 1)
    too_long = "x" * (services.MAX_ANSWER_CHARS + 1)
    response = post_answer(client_in, "finish", session, first, text=too_long, headers=htmx_headers)
    assert f"the limit is {services.MAX_ANSWER_CHARS:,}" in body(response)
    session.refresh_from_db()
    stored = MockAnswer.objects.get(pk=first.pk)
    assert (session.finished_at, stored.text, stored.submitted_at) == (None, "", None)
