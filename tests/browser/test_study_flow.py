"""The walk a new person takes: sign up, pick a topic, study with the keyboard,
undo a grade, end the session and read the summary."""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from accounts.models import Profile
from cards.models import Progress, ReviewLog, State, StudySession, Topic
from cards.starter import load_starter_cards
from cards.study import services
from tests.browser.helpers import (
    card_settled,
    current_prompt_id,
    grade,
    log_in,
    on_study_page,
)
from tests.factories import make_card, make_topic, make_user

NEW_PASSWORD = "quiet-lantern-orbit-42"
INTERVAL = re.compile(r"\d+(\.\d)?(m|h|d|mo|y)\b")


def test_sign_up_study_undo_and_summary(page: Page):
    load_starter_cards()
    python = Topic.objects.get(owner=None, slug="python")

    # The landing page, with its scripts served from our own static files.
    page.goto("/")
    expect(page.get_by_role("heading", name="Walk into your interview ready.")).to_be_visible()
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load"
    assert page.evaluate("typeof window.katex") == "object", "KaTeX did not load"
    assert page.evaluate("typeof window.bootstrap") == "object", "Bootstrap JS did not load"
    stylesheets = page.evaluate("Array.from(document.styleSheets, s => s.href).filter(Boolean)")
    assert any("vendor/katex/katex.min.css" in href for href in stylesheets)
    assert any("vendor/bootstrap/css/bootstrap.min.css" in href for href in stylesheets)

    # Sign up.
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    page.locator("input[name=username]").fill("newbie")
    page.locator("input[name=password1]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()

    # The first run asks what to prepare for; skipped, home guides; the topics are chosen by hand.
    expect(page).to_have_url(re.compile(r"/accounts/welcome/$"))
    expect(page.get_by_text("Welcome, newbie!")).to_be_visible()
    page.get_by_role("link", name="Skip for now").click()
    expect(page.get_by_role("heading", name="Your first steps")).to_be_visible()
    page.locator("#nav").get_by_role("link", name="Study", exact=True).click()
    expect(page).to_have_url(re.compile(r"/study/$"))
    expect(page.get_by_role("heading", name="Start a study session")).to_be_visible()
    user = get_user_model().objects.get(username="newbie")
    assert Profile.objects.filter(user=user).exists()
    expect(page.get_by_role("navigation").get_by_text("newbie")).to_be_visible()

    page.get_by_label("Python", exact=True).check()
    page.get_by_role("button", name="Start studying").click()
    on_study_page(page)
    session = StudySession.objects.get(user=user)
    assert list(session.topics.all()) == [python]
    assert session.get_absolute_url() in page.url

    # The question, not the answer.
    question = page.get_by_test_id("question")
    answer = page.get_by_test_id("answer")
    buttons = page.locator("#study-card .study-grades button")
    expect(question).to_be_visible()
    expect(question).not_to_be_empty()
    expect(answer).to_be_hidden()
    expect(buttons.first).to_be_hidden()
    expect(page.get_by_test_id("reveal")).to_be_visible()

    # Space shows the answer and four grades with their next intervals.
    page.keyboard.press("Space")
    expect(answer).to_be_visible()
    expect(page.get_by_test_id("reveal")).to_be_hidden()
    expect(buttons).to_have_count(4)
    for index, label in enumerate(["Again", "Hard", "Good", "Easy"]):
        expect(buttons.nth(index)).to_be_visible()
        expect(buttons.nth(index)).to_contain_text(label)
        expect(buttons.nth(index)).to_contain_text(INTERVAL)
    expect(buttons.nth(0)).to_contain_text("1m")  # Again: the first learning step
    expect(buttons.nth(2)).to_contain_text("10m")  # Good: the second one
    assert page.evaluate("window.scrollY") == 0, "Space scrolled the page"

    # "3" grades Good, and the next card is swapped in without a page load.
    first_prompt = current_prompt_id(page)
    page.evaluate("window.__marker = 1")
    url_before = page.url
    page.keyboard.press("3")
    expect(page.locator("#study-card input[name=prompt]")).not_to_have_value(str(first_prompt))
    card_settled(page)
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert page.url == url_before
    expect(question).to_be_visible()
    expect(answer).to_be_hidden()
    log = ReviewLog.objects.get(user=user)
    assert (log.prompt_id, log.rating, log.session_id, log.review_number) == (
        first_prompt,
        3,
        session.pk,
        1,
    )
    progress = Progress.objects.get(user=user, prompt_id=first_prompt)
    assert (progress.state, progress.reps) == (State.LEARNING, 1)
    expect(page.get_by_role("button", name=re.compile("Undo last grade"))).to_be_visible()

    # A few more, by keyboard; every one is a different card.
    graded = [first_prompt]
    for key in ["1", "2", "4"]:
        last_question = question.inner_text()
        graded.append(grade(page, key))
    assert len(set(graded)) == 4
    assert page.evaluate("window.__marker") == 1
    assert page.url == url_before
    logs = ReviewLog.objects.filter(user=user, session=session)
    assert sorted(logs.values_list("prompt_id", "rating")) == sorted(
        zip(graded, [3, 1, 2, 4], strict=True)
    )
    assert Progress.objects.filter(user=user).count() == 4
    last_prompt = graded[-1]

    # "u" takes the last grade back and shows that card's question again.
    page.keyboard.press("u")
    expect(page.locator("#study-card input[name=prompt]")).to_have_value(str(last_prompt))
    card_settled(page)
    expect(page.get_by_text("Grade undone: here is that card again.")).to_be_visible()
    expect(answer).to_be_hidden()
    assert question.inner_text() == last_question
    assert page.evaluate("window.__marker") == 1
    assert page.url == url_before
    assert logs.count() == 3
    assert not logs.filter(prompt_id=last_prompt).exists()
    assert not Progress.objects.filter(user=user, prompt_id=last_prompt).exists()

    # End the session: the summary counts what the database holds.
    page.get_by_role("button", name="End session").click()
    expect(page).to_have_url(re.compile(rf"/study/{session.pk}/summary/$"))
    expect(page.get_by_role("heading", name="Session summary")).to_be_visible()
    reviews_in_db = ReviewLog.objects.filter(session=session).count()
    assert reviews_in_db == 3
    expect(page.get_by_test_id("summary-reviews")).to_have_text(str(reviews_in_db))
    session.refresh_from_db()
    assert session.finished_at is not None
    grades_table = page.get_by_role("table")
    for label, count in [("Again", 1), ("Hard", 1), ("Good", 1), ("Easy", 0)]:
        row = grades_table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label))
        expect(row.get_by_role("cell").first).to_have_text(str(count))


def test_a_quick_double_grade_is_recorded_once(page: Page):
    user = make_user("dora")
    topic = make_topic(owner=user, name="Networking")
    for n in range(4):
        make_card(topic, owner=user, front=f"Networking question {n}?", back=f"Answer {n}")
    session = services.start_session(user=user, topics=[topic])

    log_in(page, "dora")
    page.goto(session.get_absolute_url())
    prompt_field = page.locator("#study-card input[name=prompt]")
    reviews = ReviewLog.objects.filter(user=user)
    grade_posts = []
    page.on(
        "request",
        lambda request: (
            grade_posts.append(request)
            if request.method == "POST" and request.url.endswith("/grade/")
            else None
        ),
    )

    def settle():
        """Give a second press time to send anything it would, then wait for all of it."""
        page.wait_for_timeout(300)
        card_settled(page)
        for request in grade_posts:
            assert request.response() is not None

    # Two presses of "3" straight after each other, without waiting in between.
    first = current_prompt_id(page)
    page.keyboard.press("Space")
    expect(page.get_by_test_id("answer")).to_be_visible()
    page.keyboard.press("3")
    page.keyboard.press("3")
    expect(prompt_field).not_to_have_value(str(first))
    expect(page.get_by_test_id("answer")).to_be_hidden()
    settle()
    assert reviews.filter(prompt_id=first).count() == 1
    assert reviews.count() == 1
    assert len(grade_posts) == 1, "the second press sent a second grade"
    assert Progress.objects.get(user=user, prompt_id=first).reps == 1

    # Faster than any hand: two key presses dispatched in the same JavaScript task.
    second = current_prompt_id(page)
    page.keyboard.press("Space")
    expect(page.get_by_test_id("answer")).to_be_visible()
    page.evaluate(
        """() => {
            for (let i = 0; i < 2; i++) {
                document.body.dispatchEvent(
                    new KeyboardEvent("keydown", {key: "3", bubbles: true, cancelable: true}));
            }
        }"""
    )
    expect(prompt_field).not_to_have_value(str(second))
    settle()
    assert reviews.filter(prompt_id=second).count() == 1
    assert reviews.count() == 2
    assert len(grade_posts) == 2

    # A double click on a grade button.
    third = current_prompt_id(page)
    page.keyboard.press("Space")
    page.locator("#study-card .study-grades button[value='3']").dblclick()
    expect(prompt_field).not_to_have_value(str(third))
    settle()
    assert reviews.filter(prompt_id=third).count() == 1
    assert reviews.count() == 3
    assert len(grade_posts) == 3
    assert sorted(reviews.values_list("prompt_id", flat=True)) == sorted([first, second, third])
    expect(page.get_by_text("already graded")).to_have_count(0)
