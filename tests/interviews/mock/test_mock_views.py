"""Mock interview pages through the real test client: full pages, htmx fragments,
plain-form fallbacks, refusals and ownership."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interviews.mock import services
from interviews.models import (
    InterviewerQuestion,
    MockAnswer,
    MockSession,
    PracticeArea,
    Stage,
    Status,
)
from tests.factories import make_interview
from tests.interviews.mock.test_mock_services import (
    BEHAVIORAL,
    FOUR_POINTS,
    SYSTEM_DESIGN,
    TECH,
    answer_at,
    make_question,
    start,
    started,
)

pytestmark = pytest.mark.django_db


def url(name, session_or_pk=None):
    if session_or_pk is None:
        return reverse(f"mock:{name}")
    return reverse(f"mock:{name}", args=[getattr(session_or_pk, "pk", session_or_pk)])


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def questions():
    """Two technical questions (four key points each) and a behavioral STAR one."""
    return [
        make_question(area=TECH, text="How does a hash map grow?"),
        make_question(area=TECH, text="What is a race condition?"),
        make_question(area=BEHAVIORAL, text="Tell me about a failure.", star=True),
    ]


@pytest.fixture
def session(user, questions):
    return start(user, areas=[TECH], count=2, time_limit=120)


def post_answer(client, name, session, answer, **data):
    extra = data.pop("headers", {})
    follow = data.pop("follow", False)
    return client.post(url(name, session), {"answer": answer.pk, **data}, follow=follow, **extra)


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


# The question bank ----------------------------------------------------------------------


def test_question_list_shows_starter_and_own_questions_only(client_in, user, other_user):
    starter = make_question(text="Starter: explain indexes.")
    own = make_question(user, text="Mine: explain WAL.")
    make_question(other_user, text="Mallory's private question.")
    page = body(client_in.get(url("question_list")))
    assert starter.text in page and own.text in page
    assert "Mallory" not in page
    assert reverse("mock:question_edit", args=[own.pk]) in page
    assert reverse("mock:question_edit", args=[starter.pk]) not in page


def test_question_list_filters_by_area_as_page_and_fragment(client_in, htmx_headers):
    make_question(area=TECH, text="Tech one?")
    make_question(area=BEHAVIORAL, text="Behavioral one?")
    page = body(client_in.get(url("question_list") + "?area=behavioral"))
    assert "Behavioral one?" in page and "Tech one?" not in page
    fragment = body(client_in.get(url("question_list") + "?area=technical", **htmx_headers))
    assert "<html" not in fragment and fragment.lstrip().startswith('<div id="mock-question-list"')
    assert "Tech one?" in fragment and "Behavioral one?" not in fragment
    assert 'href="/mock/questions/?area=technical"' in fragment  # every hx-get has an href
    # an unknown area shows them all
    everything = body(client_in.get(url("question_list") + "?area=nope"))
    assert "Tech one?" in everything and "Behavioral one?" in everything


def test_creating_a_question(client_in, user):
    response = client_in.post(
        url("question_create"),
        {
            "text": "  Why Kafka over RabbitMQ?  ",
            "area": TECH,
            "key_points_text": "Ordering per partition\n\n  Replay from offsets \r\nThroughput\n",
            "star": "",
        },
    )
    assert response.status_code == 302
    question = InterviewerQuestion.objects.get(owner=user)
    assert question.text == "Why Kafka over RabbitMQ?"
    assert question.key_points == ["Ordering per partition", "Replay from offsets", "Throughput"]
    assert question.area == TECH and not question.star
    assert "Why Kafka over RabbitMQ?" in body(client_in.get(response.url))


@pytest.mark.parametrize(
    "data, message",
    [
        ({"text": "   "}, "Write the question."),
        ({"key_points_text": "\n  \n"}, "Write at least one key point"),
        (
            {"key_points_text": "\n".join(f"Point {n}" for n in range(13))},
            "at most 12 key points; you wrote 13",
        ),
        ({"key_points_text": "x" * 301}, "at most 300 characters"),
        ({"area": "astrology"}, "Select a valid choice"),
    ],
)
def test_question_form_validation(client_in, data, message):
    fields = {"text": "A question?", "area": TECH, "key_points_text": "One point", **data}
    response = client_in.post(url("question_create"), fields)
    assert response.status_code == 200
    assert message in body(response)
    assert not InterviewerQuestion.objects.exists()


def test_twelve_key_points_are_fine(client_in, user):
    points = "\n".join(f"Point {n}" for n in range(12))
    response = client_in.post(
        url("question_create"), {"text": "Q?", "area": TECH, "key_points_text": points}
    )
    assert response.status_code == 302
    assert len(InterviewerQuestion.objects.get(owner=user).key_points) == 12


def test_editing_and_deleting_own_questions(client_in, user):
    question = make_question(user, key_points=["Old point"])
    edit_url = reverse("mock:question_edit", args=[question.pk])
    page = body(client_in.get(edit_url))
    assert "Old point</textarea>" in page
    response = client_in.post(
        edit_url,
        {"text": "Edited?", "area": BEHAVIORAL, "key_points_text": "New\nNewer", "star": "on"},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.text, question.area, question.key_points, question.star) == (
        "Edited?",
        BEHAVIORAL,
        ["New", "Newer"],
        True,
    )
    delete_url = reverse("mock:question_delete", args=[question.pk])
    assert "Delete this question?" in body(client_in.get(delete_url))
    assert client_in.post(delete_url).status_code == 302
    assert not InterviewerQuestion.objects.filter(pk=question.pk).exists()


def test_starter_and_other_peoples_questions_are_read_only(client_in, other_user):
    starter = make_question(text="Starter")
    theirs = make_question(other_user, text="Theirs")
    for question in (starter, theirs):
        for name in ("question_edit", "question_delete"):
            target = reverse(f"mock:{name}", args=[question.pk])
            assert client_in.get(target).status_code == 404
            assert client_in.post(target, {"text": "hijacked", "area": TECH}).status_code == 404
    starter.refresh_from_db()
    assert starter.text == "Starter" and InterviewerQuestion.objects.count() == 2
    # the history of a starter question is open; someone else's question is not
    assert client_in.get(starter.get_absolute_url()).status_code == 200
    assert client_in.get(theirs.get_absolute_url()).status_code == 404


def test_history_shows_every_past_answer_and_score_newest_first(client_in, user, other_user):
    question = make_question(key_points=FOUR_POINTS, text="Explain consistent hashing.")
    for covered in ([0], [0, 1, 2]):
        one = start(user, areas=[TECH], count=1)
        answer = started(answer_at(one))
        services.submit_answer(answer=answer, text=f"covered {len(covered)}", now=timezone.now())
        services.score_answer(answer=answer, covered=covered, now=timezone.now())
    theirs = start(other_user, areas=[TECH], count=1)
    services.submit_answer(
        answer=started(answer_at(theirs)), text="Mallory's answer", now=timezone.now()
    )
    response = client_in.get(question.get_absolute_url())
    assert response.status_code == 200
    page = body(response)
    assert page.index("covered 3") < page.index("covered 1")  # newest first
    assert page.count('data-testid="history-answer"') == 2
    assert ">75%<" in page and ">25%<" in page
    assert "Mallory" not in page
    assert "<polyline" in page
    # The chart's table for screen readers, oldest first.
    assert page.index("<td>25%</td><td>1 of 4</td>") < page.index("<td>75%</td><td>3 of 4</td>")
    for point in FOUR_POINTS:
        assert point in page
