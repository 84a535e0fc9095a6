"""A mock interview the way a person does one: choose an area, answer against the
clock with the text saved as it is typed, reload halfway, submit with Ctrl+Enter,
tick the key points covered, let the clock run out on the next question, and
read the summary. Then the pages at phone width."""

import re

from playwright.sync_api import Page, expect

from interviews.mock import services as mock_services
from interviews.models import InterviewerQuestion, MockAnswer, MockSession, PracticeArea
from interviews.starter import load_starter_questions
from tests.browser.helpers import PHONE, assert_fits_a_phone, log_in
from tests.factories import make_user

FIRST_ANSWER = (
    "Situation: the nightly ETL job failed the morning of a board meeting.\n"
    "Task: get the numbers out by 9.\nAction: I reran the failed partition by hand."
)
SECOND_ANSWER = "I would start with the data I had and"
SESSION_URL = re.compile(r"/mock/(\d+)/$")


def state(page: Page):
    return page.locator("#mock-question")


def settled(page: Page) -> None:
    """htmx has finished swapping the question area in."""
    expect(page.locator("#mock-question.htmx-added, #mock-question .htmx-added")).to_have_count(0)
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)


def countdown_seconds(page: Page) -> int:
    minutes, seconds = page.get_by_test_id("countdown").inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


def test_mock_interview_with_autosave_reload_ctrl_enter_timeout_and_summary(page: Page):
    load_starter_questions()
    user = make_user("mona")
    log_in(page, "mona")

    # The start page, through the navbar.
    page.get_by_role("navigation").get_by_role("link", name="Mock").click()
    expect(page.get_by_role("heading", name="Mock interview", exact=True)).to_be_visible()
    page.get_by_label("Behavioral").check()
    page.get_by_label("Questions").fill("2")
    page.get_by_label("Seconds per question").fill("10")
    page.get_by_role("button", name="Start the mock interview").click()

    expect(page).to_have_url(SESSION_URL)
    page.wait_for_load_state("load")
    session = MockSession.objects.get(user=user)
    assert session.get_absolute_url() in page.url
    assert (session.areas, session.time_limit_seconds) == ([PracticeArea.BEHAVIORAL], 10)
    first = session.answers.select_related("question").get(position=1)
    expect(page.get_by_test_id("question")).to_have_text(first.question.text)
    expect(page.get_by_test_id("star")).to_be_visible()  # behavioral: the STAR frame
    expect(page.get_by_test_id("countdown")).to_have_text(re.compile(r"^0:(10|0\d)$"))

    # Typing is saved as it goes.
    box = page.get_by_label("Your answer")
    box.fill(FIRST_ANSWER)
    expect(page.get_by_test_id("save-status")).to_have_text(re.compile(r"^Saved \d\d:\d\d:\d\d$"))
    first.refresh_from_db()
    assert first.text == FIRST_ANSWER and first.submitted_at is None
    started_at = first.started_at
    assert started_at is not None

    # A reload mid-question: the text is still there and the clock goes on.
    page.reload()
    page.wait_for_load_state("load")
    expect(box).to_have_value(FIRST_ANSWER)
    assert countdown_seconds(page) < 10
    remaining_ms = int(page.get_by_test_id("countdown").get_attribute("data-remaining-ms"))
    assert remaining_ms < 10_000
    first.refresh_from_db()
    assert first.started_at == started_at

    # Ctrl+Enter hands it in; the key points come up without a page load.
    page.evaluate("window.__marker = 1")
    box.focus()
    page.keyboard.press("Control+Enter")
    expect(state(page)).to_have_attribute("data-state", "scoring")
    settled(page)
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    expect(page.get_by_test_id("answer")).to_have_text(FIRST_ANSWER)
    first.refresh_from_db()
    assert first.submitted_at is not None and not first.timed_out
    assert first.text == FIRST_ANSWER
    points = page.locator("#mock-score-form input[name=covered]")
    expect(points).to_have_count(len(first.question.key_points))
    # The suggestion comes ticked (as recorded); the person's ticks are final.
    for n in range(len(first.question.key_points)):
        expect(points.nth(n)).to_be_checked(checked=n in (first.suggested or []))
        points.nth(n).set_checked(n in (0, 2))
    page.get_by_role("button", name="Score and go on").click()

    # The second question, on a fresh clock; this time the clock runs out.
    second = session.answers.select_related("question").get(position=2)
    expect(page.get_by_test_id("question")).to_have_text(second.question.text)
    expect(state(page)).to_have_attribute("data-state", "answering")
    settled(page)
    first.refresh_from_db()
    assert first.covered == [0, 2]
    assert first.score == 2 / len(first.question.key_points)
    box = page.get_by_label("Your answer")
    box.fill(SECOND_ANSWER)
    expect(page.get_by_test_id("save-status")).to_have_text(re.compile(r"^Saved "))
    expect(state(page)).to_have_attribute("data-state", "scoring", timeout=15_000)
    settled(page)
    expect(page.get_by_test_id("timed-out")).to_have_text("Time ran out")
    expect(page.get_by_text("Time ran out: your answer was saved as it was.")).to_be_visible()
    expect(page.get_by_test_id("answer")).to_have_text(SECOND_ANSWER)
    second.refresh_from_db()
    assert second.timed_out and second.text == SECOND_ANSWER
    assert second.submitted_at >= second.started_at
    points = page.locator("#mock-score-form input[name=covered]")
    for n in range(len(second.question.key_points)):
        points.nth(n).set_checked(n == 1)
    page.get_by_role("button", name="Score and see the summary").click()

    # The summary: both scores, the mean, links to each question's history.
    expect(state(page)).to_have_attribute("data-state", "summary")
    second.refresh_from_db()
    session.refresh_from_db()
    assert second.covered == [1] and second.score == 1 / len(second.question.key_points)
    assert session.finished_at is not None
    scores = page.get_by_test_id("question-score")
    expect(scores).to_have_count(2)
    expect(scores.nth(0)).to_have_text(f"{round(first.score * 100)}%")
    expect(scores.nth(1)).to_have_text(f"{round(second.score * 100)}%")
    mean = (first.score + second.score) / 2
    expect(page.get_by_test_id("session-score")).to_have_text(f"{round(mean * 100)}%")
    assert page.evaluate("window.__marker") == 1

    # Each question's history shows this answer and its score.
    page.get_by_role("link", name="history").nth(1).click()
    expect(page).to_have_url(re.compile(rf"/mock/questions/{second.question_id}/$"))
    expect(page.get_by_test_id("history-score")).to_have_text(f"{round(second.score * 100)}%")
    expect(page.get_by_test_id("history-answer")).to_contain_text(SECOND_ANSWER)

    # And the start page lists the session with its score.
    page.goto("/mock/")
    history = page.get_by_test_id("mock-history")
    expect(history).to_contain_text("2 / 2")
    expect(history).to_contain_text(f"{round(mean * 100)}%")
    assert MockAnswer.objects.filter(session__user=user).count() == 2


def test_mock_pages_at_phone_width_and_an_own_question(page: Page):
    load_starter_questions()
    user = make_user("pia")
    page.set_viewport_size(PHONE)
    log_in(page, "pia")

    page.goto("/mock/questions/new/")
    page.get_by_label("Question").fill(
        "Sharding drill: how would you split a " + "very " * 30 + "big table?"
    )
    page.get_by_label("Area").select_option(PracticeArea.SYSTEM_DESIGN)
    page.get_by_label("Key points").fill("Picks a shard key\nHandles hot keys\nPlans resharding")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_text("Question added")).to_be_visible()
    own = InterviewerQuestion.objects.get(owner=user)
    assert own.key_points == ["Picks a shard key", "Handles hot keys", "Plans resharding"]
    expect(page.get_by_role("link", name=re.compile("Sharding drill"))).to_be_visible()
    assert_fits_a_phone(page, "the question bank")

    # The area filter swaps the list in place and keeps the address.
    page.get_by_role("link", name="Behavioral", exact=True).click()
    expect(page).to_have_url(re.compile(r"/mock/questions/\?area=behavioral$"))
    expect(page.get_by_role("link", name=re.compile("Sharding drill"))).to_have_count(0)

    page.goto("/mock/")
    page.get_by_label("System design").check()
    page.get_by_label("Questions").fill("20")
    page.get_by_role("button", name="Start the mock interview").click()
    expect(page).to_have_url(SESSION_URL)
    session = MockSession.objects.get(user=user)
    available = mock_services.questions_for(user).filter(area=PracticeArea.SYSTEM_DESIGN).count()
    assert session.answers.count() == available < 20
    expect(page.get_by_text(f"only {available} match")).to_be_visible()
    expect(page.get_by_label("Your answer")).to_be_visible()
    expect(page.get_by_test_id("countdown")).to_be_visible()
    assert_fits_a_phone(page, "the mock interview page")

    page.get_by_role("button", name="End the interview here").click()
    expect(state(page)).to_have_attribute("data-state", "summary")
    assert_fits_a_phone(page, "the summary")
    page.goto(own.get_absolute_url())
    assert_fits_a_phone(page, "a question's history")


def test_oversized_text_double_clicks_and_leaving_mid_sentence(page: Page):
    user = make_user("otto")
    for n in range(2):
        InterviewerQuestion.objects.create(
            owner=user,
            area=PracticeArea.TECHNICAL,
            text=f"Technical question {n}?",
            key_points=["First point", "Second point"],
        )
    session = mock_services.start_mock(
        user=user, areas=[PracticeArea.TECHNICAL], count=2, time_limit_seconds=600
    ).session
    posts: list[str] = []
    page.on(
        "request",
        lambda request: (
            posts.append(request.url.rsplit("/", 2)[-2]) if request.method == "POST" else None
        ),
    )
    log_in(page, "otto")
    page.goto(session.get_absolute_url())
    page.wait_for_load_state("load")
    first = session.answers.get(position=1)
    box = page.get_by_label("Your answer")
    status = page.get_by_test_id("save-status")

    # Too long: refused with a clear message, and the box keeps every character.
    huge = "word " * 4001  # 20,005 characters
    box.fill(huge)
    expect(status).to_contain_text("20,005 characters long; the limit is 20,000")
    assert len(box.input_value()) == len(huge)
    box.focus()
    page.keyboard.press("Control+Enter")
    expect(status).to_contain_text("Nothing was saved")
    expect(state(page)).to_have_attribute("data-state", "answering")
    assert box.input_value() == huge
    first.refresh_from_db()
    assert (first.text, first.submitted_at) == ("", None)

    # Shortened, then handed in with a double click: recorded once, no complaint shown.
    box.fill("Short enough.")
    expect(status).to_have_text(re.compile(r"^Saved "))
    posts.clear()
    page.get_by_test_id("submit-answer").dblclick()
    expect(state(page)).to_have_attribute("data-state", "scoring")
    settled(page)
    page.wait_for_timeout(300)
    assert posts.count("submit") == 1, posts
    expect(page.get_by_text("already submitted")).to_have_count(0)
    first.refresh_from_db()
    assert first.text == "Short enough." and first.submitted_at is not None

    # Scoring with a double click: once.
    page.get_by_label("Second point").check()
    page.get_by_role("button", name="Score and go on").dblclick()
    expect(state(page)).to_have_attribute("data-state", "answering")
    settled(page)
    page.wait_for_timeout(300)
    assert posts.count("score") == 1, posts
    expect(page.get_by_text("already scored")).to_have_count(0)
    first.refresh_from_db()
    assert first.covered == [1] and first.score == 0.5

    # Typing and leaving at once, before the autosave's pause: the page sends it on its way out.
    second = session.answers.get(position=2)
    page.get_by_label("Your answer").press_sequentially("Left in a hurry")
    page.goto("/mock/")
    expect(page.get_by_test_id("mock-history")).to_be_visible()
    for _ in range(50):
        second.refresh_from_db()
        if second.text == "Left in a hurry":
            break
        page.wait_for_timeout(100)
    assert second.text == "Left in a hurry"
    assert second.submitted_at is None
    page.goto(session.get_absolute_url())
    expect(page.get_by_label("Your answer")).to_have_value("Left in a hurry")
    # Every request of that page answered before the test's database is flushed:
    # one still in the server's hands held a lock the flush deadlocked on.
    page.wait_for_load_state("networkidle")


def test_ending_early_keeps_the_answer_being_typed(page: Page):
    """Typed, then ended at once: before the autosave's pause is over."""
    load_starter_questions()
    user = make_user("eli")
    log_in(page, "eli")
    page.goto("/mock/")
    page.get_by_label("Behavioral").check()
    page.get_by_label("Questions").fill("2")
    page.get_by_role("button", name="Start the mock interview").click()
    expect(page).to_have_url(SESSION_URL)
    page.get_by_label("Your answer").press_sequentially("I led the migration and")
    page.get_by_role("button", name="End the interview here").click()
    expect(state(page)).to_have_attribute("data-state", "summary")
    expect(page.get_by_test_id("summary-answer")).to_have_text("I led the migration and")
    expect(page.get_by_test_id("summary-row").first).to_contain_text("answered, not scored")
    answer = MockAnswer.objects.get(session__user=user, position=1)
    assert answer.text == "I led the migration and"
    assert answer.submitted_at is not None
