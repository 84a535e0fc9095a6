"""Mock interview pages through the real test client: full pages, htmx fragments,
plain-form fallbacks, refusals and ownership."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interviews.mock import services
from interviews.models import MockAnswer, MockSession, PracticeArea, Stage, Status
from tests.factories import make_interview
from tests.interviews.mock.pages import body, post_answer, url
from tests.interviews.mock.test_mock_services import (
    BEHAVIORAL,
    SYSTEM_DESIGN,
    TECH,
    answer_at,
    make_question,
    start,
    started,
)

pytestmark = pytest.mark.django_db


# Starting -------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_log_in(client, session):
    for target in (url("start"), url("session", session), url("question_list")):
        response = client.get(target)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_start_page_offers_areas_and_only_own_upcoming_interviews(client_in, user, other_user):
    mine = make_interview(user, company="Acme")
    make_interview(user, company="Pastco", scheduled_at=timezone.now() - timedelta(days=2))
    make_interview(user, company="Doneco", status=Status.DONE)
    make_interview(other_user, company="Mallory Inc")
    response = client_in.get(url("start"))
    assert response.status_code == 200
    page = body(response)
    for label in PracticeArea.labels:
        assert label in page
    assert str(mine) in page
    assert "Pastco" not in page and "Doneco" not in page and "Mallory" not in page
    assert 'value="5"' in page and 'value="120"' in page
    assert f'action="{url("start")}"' in page


def test_starting_with_areas_redirects_to_the_session(client_in, user, questions):
    response = client_in.post(url("start"), {"areas": [TECH], "count": 2, "time_limit_seconds": 60})
    session = MockSession.objects.get(user=user)
    assert response.status_code == 302
    assert response.url == session.get_absolute_url()
    assert session.time_limit_seconds == 60 and session.areas == [TECH]
    assert sorted(session.answers.values_list("position", flat=True)) == [1, 2]
    assert {a.question.area for a in session.answers.all()} == {TECH}


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        (BEHAVIORAL, "You asked for 5 questions but only 1 matches, so this mock interview has 1."),
        (TECH, "You asked for 5 questions but only 2 match, so this mock interview has 2."),
    ],
)
def test_asking_for_more_questions_than_match_says_how_many_there_are(
    client_in, questions, area, expected
):
    response = client_in.post(
        url("start"), {"areas": [area], "count": 5, "time_limit_seconds": 60}, follow=True
    )
    assert expected in body(response)


def test_starting_for_an_interview_takes_its_areas(client_in, user, questions):
    make_question(area=SYSTEM_DESIGN, text="Design a URL shortener.")
    interview = make_interview(user, stage=Stage.SYSTEM_DESIGN)
    response = client_in.post(
        url("start"), {"interview": interview.pk, "count": 3, "time_limit_seconds": 120}
    )
    session = MockSession.objects.get(user=user)
    assert response.status_code == 302
    assert session.interview == interview and session.areas == [SYSTEM_DESIGN]
    follow = client_in.get(response.url)
    assert "Design a URL shortener." in body(follow)
    assert "only 1 match" in body(follow)


def test_the_start_form_can_be_preset_to_an_interview(client_in, user):
    interview = make_interview(user)
    page = body(client_in.get(url("start") + f"?interview={interview.pk}"))
    assert f'<option value="{interview.pk}" selected>' in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"areas": [TECH], "count": 0}, "at least 1 question"),
        ({"areas": [TECH], "count": 21}, "at most 20 questions"),
        ({"areas": [TECH], "count": "x"}, "whole number of questions"),
        ({"areas": [TECH], "count": ""}, "1 to 20 questions"),
        ({"areas": [TECH], "time_limit_seconds": 9}, "at least 10 seconds"),
        ({"areas": [TECH], "time_limit_seconds": 3601}, "at most 3600 seconds"),
        ({"areas": [TECH], "time_limit_seconds": "soon"}, "whole seconds"),
        ({}, "Choose at least one practice area, or an upcoming interview."),
        ({"areas": ["astrology"]}, "Select a valid choice"),
        ({"areas": [SYSTEM_DESIGN]}, "There are no questions in System design yet"),
    ],
)
def test_bad_start_requests_say_why_and_create_nothing(client_in, questions, data, message):
    response = client_in.post(url("start"), {"count": 3, "time_limit_seconds": 120, **data})
    assert response.status_code == 200
    assert message in body(response)
    assert not MockSession.objects.exists()
    assert not MockAnswer.objects.exists()


def test_another_users_interview_cannot_be_chosen(client_in, other_user, questions):
    foreign = make_interview(other_user)
    response = client_in.post(
        url("start"), {"interview": foreign.pk, "count": 2, "time_limit_seconds": 120}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in body(response)
    assert not MockSession.objects.exists()


def test_start_page_lists_past_sessions_with_their_scores(client_in, user, session):
    for position, covered in [(1, [0]), (2, [0, 1, 2])]:
        answer = started(answer_at(session, position))
        services.submit_answer(answer=answer, text="x", now=timezone.now())
        services.score_answer(answer=answer, covered=covered, now=timezone.now())
    unfinished = start(user, areas=[TECH], count=1)
    page = body(client_in.get(url("start")))
    assert "2 / 2" in page and "50%" in page  # (1/4 + 3/4) / 2
    assert f'href="{session.get_absolute_url()}">Summary' in page
    assert f'href="{unfinished.get_absolute_url()}">Resume' in page


# The session page -----------------------------------------------------------------------


def test_session_page_shows_the_first_question_and_starts_its_clock(client_in, session):
    before = timezone.now()
    response = client_in.get(url("session", session))
    assert response.status_code == 200
    page = body(response)
    first = answer_at(session, 1)
    assert first.started_at is not None and first.started_at >= before
    assert first.question.text in page
    assert "<html" in page and "js/mock.js" in page
    assert 'id="mock-question"' in page and 'data-state="answering"' in page
    assert 'data-remaining-ms="' in page and "2:00" in page
    assert f'action="{url("submit", session)}"' in page
    assert f'hx-post="{url("save", session)}"' in page
    assert 'hx-trigger="input changed delay:800ms, blur"' in page
    assert 'Question <strong data-testid="position">1</strong> of 2' in page
    assert "<script>" not in page  # no inline scripts: a strict CSP is coming


def test_session_page_as_an_htmx_fragment(client_in, session, htmx_headers):
    response = client_in.get(url("session", session), **htmx_headers)
    assert response.status_code == 200
    page = body(response)
    assert "<html" not in page
    assert page.lstrip().startswith('<section id="mock-question"')
    assert answer_at(session, 1).question.text in page


def test_a_star_question_shows_the_star_frame(client_in, user, questions):
    star_session = start(user, areas=[BEHAVIORAL], count=1)
    page = body(client_in.get(url("session", star_session)))
    assert 'data-testid="star"' in page
    for word in ("Situation", "Task", "Action", "Result"):
        assert word in page
    assert 'data-testid="star"' not in body(
        client_in.get(url("session", start(user, areas=[TECH], count=1)))
    )


def test_a_reload_resumes_with_the_clock_running_and_the_text_kept(client_in, session):
    client_in.get(url("session", session))
    answer = answer_at(session, 1)
    started_at = answer.started_at - timedelta(seconds=50)
    MockAnswer.objects.filter(pk=answer.pk).update(started_at=started_at)
    post_answer(client_in, "save", session, answer, text="Half of my <answer>")
    page = body(client_in.get(url("session", session)))  # the reload
    answer.refresh_from_db()
    assert answer.started_at == started_at
    assert ">Half of my &lt;answer&gt;</textarea>" in page
    remaining = int(page.split('data-remaining-ms="')[1].split('"')[0])
    assert 65_000 <= remaining <= 70_000
    assert "1:10" in page or "1:09" in page


def test_a_page_opened_after_the_time_ran_out_hands_in_the_saved_text(client_in, session):
    client_in.get(url("session", session))
    answer = answer_at(session, 1)
    post_answer(client_in, "save", session, answer, text="typed before closing the tab")
    MockAnswer.objects.filter(pk=answer.pk).update(
        started_at=timezone.now() - timedelta(minutes=10)
    )
    page = body(client_in.get(url("session", session)))
    answer.refresh_from_db()
    assert answer.submitted_at is not None and answer.timed_out
    assert answer.text == "typed before closing the tab"
    assert 'data-state="scoring"' in page and "time for this question ran out" in page


# Autosave -------------------------------------------------------------------------------


def test_autosave_via_htmx_answers_with_the_status_only(client_in, session, htmx_headers):
    client_in.get(url("session", session))
    answer = answer_at(session, 1)
    response = post_answer(
        client_in, "save", session, answer, text="First thoughts", headers=htmx_headers
    )
    assert response.status_code == 200
    page = body(response)
    assert page.strip().startswith('<span id="mock-save-status"')
    assert "Saved " in page
    assert "<textarea" not in page  # never wipes what is being typed
    assert "mock-saved" in response["HX-Trigger"]
    assert MockAnswer.objects.get(pk=answer.pk).text == "First thoughts"


def test_autosave_as_a_plain_form_redirects_back(client_in, session):
    client_in.get(url("session", session))
    answer = answer_at(session, 1)
    response = post_answer(client_in, "save", session, answer, text="Saved by the button")
    assert response.status_code == 302 and response.url == session.get_absolute_url()
    follow = body(client_in.get(response.url))
    assert "Draft saved at" in follow
    assert ">Saved by the button</textarea>" in follow


def test_the_beacon_sent_as_the_page_closes_saves_quietly(client_in, session):
    client_in.get(url("session", session))
    answer = answer_at(session, 1)
    response = post_answer(client_in, "save", session, answer, text="last words", beacon="1")
    assert response.status_code == 204
    assert MockAnswer.objects.get(pk=answer.pk).text == "last words"


def test_an_oversized_autosave_is_refused_and_keeps_the_text(client_in, session, htmx_headers):
    client_in.get(url("session", session))
    answer = answer_at(session, 1)
    post_answer(client_in, "save", session, answer, text="short and saved")
    huge = "z" * 20_001
    response = post_answer(client_in, "save", session, answer, text=huge, headers=htmx_headers)
    assert response.status_code == 200
    page = body(response)
    assert "20,001 characters long; the limit is 20,000" in page
    assert "<textarea" not in page and "mock-refused" in response["HX-Trigger"]
    assert MockAnswer.objects.get(pk=answer.pk).text == "short and saved"

    # Without JavaScript the page comes back with the text still in the box.
    response = post_answer(client_in, "save", session, answer, text=huge)
    assert response.status_code == 400
    page = body(response)
    assert "20,001 characters long" in page
    assert f">{huge}</textarea>" in page
    assert MockAnswer.objects.get(pk=answer.pk).text == "short and saved"


def test_a_null_character_is_refused_without_losing_anything(client_in, session, htmx_headers):
    client_in.get(url("session", session))
    answer = answer_at(session, 1)
    post_answer(client_in, "save", session, answer, text="saved so far")
    for name in ("save", "submit"):
        response = post_answer(
            client_in, name, session, answer, text="bad \x00 byte", headers=htmx_headers
        )
        assert response.status_code == 200
        assert "null character" in body(response)
        assert "<textarea" not in body(response)
    stored = MockAnswer.objects.get(pk=answer.pk)
    assert (stored.text, stored.submitted_at) == ("saved so far", None)


# Ownership ------------------------------------------------------------------------------


def test_every_mock_url_of_another_users_session_is_a_404(client_in, other_user, questions):
    foreign = start(other_user, areas=[TECH], count=1)
    answer = answer_at(foreign, 1)
    assert client_in.get(url("session", foreign)).status_code == 404
    for name in ("save", "submit", "score", "finish"):
        response = client_in.post(
            url(name, foreign), {"answer": answer.pk, "text": "mine now", "covered": ["0"]}
        )
        assert response.status_code == 404, name
    foreign.refresh_from_db()
    answer.refresh_from_db()
    assert (answer.text, answer.submitted_at, foreign.finished_at) == ("", None, None)


def test_another_users_answer_in_my_session_url_is_a_404(client_in, user, other_user, session):
    foreign = start(other_user, areas=[TECH], count=1)
    theirs = answer_at(foreign, 1)
    for name in ("save", "submit", "score"):
        for answer_id in (theirs.pk, "", "abc"):
            response = client_in.post(
                url(name, session), {"answer": answer_id, "text": "x", "covered": ["0"]}
            )
            assert response.status_code == 404, (name, answer_id)
    theirs.refresh_from_db()
    assert theirs.text == "" and theirs.submitted_at is None


def test_the_views_only_take_the_methods_they_mean(client_in, session):
    assert client_in.get(url("save", session)).status_code == 405
    assert client_in.get(url("submit", session)).status_code == 405
    assert client_in.get(url("score", session)).status_code == 405
    assert client_in.get(url("finish", session)).status_code == 405
    assert client_in.post(url("session", session)).status_code == 405
    assert client_in.post(url("question_list")).status_code == 405


# Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 20])
def test_session_page_and_autosave_take_a_fixed_number_of_queries(
    client_in, user, size, django_assert_max_num_queries, htmx_headers
):
    for n in range(20):
        make_question(area=TECH, text=f"Question number {n}?")
    big = start(user, areas=[TECH], count=size)
    client_in.get(url("session", big))  # the clock starts (one extra write, once)
    # Django's session, the user, the mock session, its answers with their questions.
    with django_assert_max_num_queries(4):
        assert client_in.get(url("session", big)).status_code == 200
    with django_assert_max_num_queries(4):
        assert client_in.get(url("session", big), **htmx_headers).status_code == 200
    answer = answer_at(big, 1)
    # The same four to find the answer, then the lock, the state check and the
    # update, inside a savepoint (two more statements in a test's transaction).
    with django_assert_max_num_queries(9):
        response = post_answer(client_in, "save", big, answer, text="t", headers=htmx_headers)
        assert response.status_code == 200
