"""Studying through a dropped connection: the next card shows at once from the
cards the page holds, grades wait in the browser (through a reload) and are
sent in order when the connection is back, each recorded exactly once; a
grade still waiting can be undone, and ending the session waits for them.
Signed out, they wait for the person to sign in again. Once they are sent, the
header's counts are the server's."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cards.models import Progress, ReviewLog
from cards.study import services
from tests.browser.helpers import card_settled, current_prompt_id, grade, log_in, on_study_page
from tests.factories import PASSWORD, make_card, make_topic, make_user


def grade_now(page: Page, key: str) -> int:
    """Show the answer and grade: the next card is on screen straight away,
    whatever the connection. Returns the prompt graded."""
    graded = current_prompt_id(page)
    page.keyboard.press("Space")
    expect(page.get_by_test_id("answer")).to_be_visible()
    page.keyboard.press(key)
    expect(page.locator("#study-card .study-grades input[name=prompt]")).not_to_have_value(
        str(graded)
    )
    expect(page.get_by_test_id("answer")).to_be_hidden()
    return graded


def study_online(page: Page, name: str, topic_name: str, cards: int = 10):
    """``name`` logs in and starts a session of ``cards`` cards of their own,
    and grades the first one Good, which is recorded. Returns the session, the
    person's reviews and the grades given, as (prompt, rating)."""
    user = make_user(name)
    topic = make_topic(owner=user, name=topic_name)
    for n in range(cards):
        make_card(topic, owner=user, front=f"{topic_name} question {n}?", back=f"Answer {n}")
    session = services.start_session(user=user, topics=[topic])
    reviews = ReviewLog.objects.filter(user=user)
    log_in(page, name)
    page.goto(session.get_absolute_url())
    on_study_page(page)
    graded = grade_now(page, "3")
    card_settled(page)
    assert list(reviews.values_list("prompt_id", "rating")) == [(graded, 3)]
    return session, reviews, [(graded, 3)]


def grade_two_offline(page: Page, given: list) -> None:
    """The connection drops: the cards held keep coming, the grades wait."""
    page.context.set_offline(True)
    given.append((grade_now(page, "4"), 4))
    given.append((grade_now(page, "1"), 1))
    outbox = page.get_by_test_id("outbox")
    expect(outbox).to_have_text(re.compile(r"^2 grades waiting to be sent"))
    expect(outbox).to_contain_text("You are offline")


def test_grades_wait_through_a_dropped_connection_and_a_reload(page: Page, browser_problems):
    # The grades sent while the connection is down fail, as they should.
    browser_problems.allow(r"/study/\d+/grade/$")
    _, reviews, given = study_online(page, "olga", "Operating systems")
    outbox = page.get_by_test_id("outbox")
    grade_two_offline(page, given)
    expect(outbox).to_have_attribute("aria-live", "polite")

    # Undo takes back the grade still waiting: that card is shown again.
    undone, _ = given.pop()
    page.keyboard.press("u")
    expect(page.locator("#study-card .study-grades input[name=prompt]")).to_have_value(str(undone))
    expect(page.get_by_text("Grade undone: here is that card again.")).to_be_visible()
    expect(outbox).to_have_text(re.compile(r"^1 grade waiting to be sent"))
    given.append((grade_now(page, "2"), 2))
    expect(outbox).to_have_text(re.compile(r"^2 grades waiting to be sent"))
    assert reviews.count() == 1

    # The page is reloaded while the grades still cannot get through.
    page.route(re.compile(r"/study/\d+/grade/$"), lambda route: route.abort("internetdisconnected"))
    page.context.set_offline(False)
    page.reload()
    on_study_page(page)
    expect(outbox).to_have_text(re.compile(r"^2 grades waiting to be sent"))
    waiting = {prompt for prompt, _ in given[1:]}
    assert current_prompt_id(page) not in waiting, "a card graded already came back"
    given.append((grade_now(page, "3"), 3))
    expect(outbox).to_have_text(re.compile(r"^3 grades waiting to be sent"))
    assert reviews.count() == 1

    # Back online: every grade is sent, in order, and recorded once.
    page.unroute(re.compile(r"/study/\d+/grade/$"))
    page.evaluate("window.dispatchEvent(new Event('online'))")
    card_settled(page)
    expect(outbox).to_be_hidden()
    recorded = list(reviews.order_by("reviewed_at", "pk").values_list("prompt_id", "rating"))
    assert recorded == given
    assert len({prompt for prompt, _ in recorded}) == 4
    assert reviews.exclude(client_key=None).count() == 4
    assert page.evaluate("localStorage.length") == 0

    # A grade already sent is undone on the server, as before.
    last, _ = given[-1]
    page.keyboard.press("u")
    expect(page.locator("#study-card .study-grades input[name=prompt]")).to_have_value(str(last))
    card_settled(page)
    assert reviews.count() == 3
    assert not reviews.filter(prompt_id=last).exists()


def test_without_prefetch_each_grade_waits_for_the_server(page: Page):
    user = make_user("pavel")
    topic = make_topic(owner=user, name="Databases")
    for n in range(6):
        make_card(topic, owner=user, front=f"Index question {n}?", back=f"Answer {n}")
    session = services.start_session(user=user, topics=[topic])
    log_in(page, "pavel")
    page.goto(session.get_absolute_url() + "?prefetch=0")
    page.wait_for_load_state("load")
    assert page.locator("#study-held").count() == 0
    given = []
    for key in ["3", "4", "3", "4"]:
        given.append((grade(page, key), int(key)))
    recorded = ReviewLog.objects.filter(user=user).order_by("reviewed_at", "pk")
    assert list(recorded.values_list("prompt_id", "rating")) == given
    assert not recorded.exclude(client_key=None).exists()  # the htmx form sends no key


@pytest.mark.parametrize(
    "cookies",
    [
        pytest.param("sessionid", id="login-page"),  # the grade is sent to the login page
        pytest.param(None, id="refused-403"),  # no CSRF cookie either: refused with 403
    ],
)
def test_grades_wait_for_the_person_to_sign_in_again(page: Page, browser_problems, cookies):
    browser_problems.allow(r"/study/\d+/grade/$")
    session, reviews, given = study_online(page, "quinn", "Networking")
    outbox = page.get_by_test_id("outbox")

    # Signed out behind the page's back (the session ended, or the cookies were cleared).
    page.context.clear_cookies(name=cookies) if cookies else page.context.clear_cookies()
    given.append((grade_now(page, "4"), 4))
    expect(outbox).to_have_text("You were signed out. Sign in again to send 1 waiting grade.")
    given.append((grade_now(page, "2"), 2))
    expect(outbox).to_have_text("You were signed out. Sign in again to send 2 waiting grades.")
    expect(outbox).not_to_contain_text("offline")
    assert list(reviews.values_list("prompt_id", "rating")) == given[:1]

    # The link signs in and comes back to this session, which sends what waited.
    outbox.get_by_role("link", name="Sign in again").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fstudy%2F\d+%2F$"))
    page.locator("input[name=username]").fill("quinn")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    on_study_page(page)
    assert page.url.endswith(session.get_absolute_url())
    card_settled(page)
    expect(outbox).to_be_hidden()
    recorded = list(reviews.order_by("reviewed_at", "pk").values_list("prompt_id", "rating"))
    assert recorded == given
    assert reviews.exclude(client_key=None).values("client_key").distinct().count() == 3
    assert page.evaluate("localStorage.length") == 0


def test_ending_a_session_waits_for_the_grades(page: Page, browser_problems):
    browser_problems.allow(r"/study/\d+/grade/$")
    session, reviews, given = study_online(page, "rosa", "Compilers")
    outbox = page.get_by_test_id("outbox")
    grade_two_offline(page, given)
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="End session").click()  # pressed again, said once
    expect(page.get_by_text("The session ends once the grades waiting are sent.")).to_have_count(1)
    expect(page.get_by_text("The session ends once the grades waiting are sent.")).to_be_visible()
    expect(outbox).to_have_text(re.compile(r"^2 grades waiting to be sent"))
    expect(page).to_have_url(re.compile(rf"/study/{session.pk}/$"))
    session.refresh_from_db()
    assert session.finished_at is None
    assert reviews.count() == 1

    # Back online: the grades are sent first, then the session ends.
    page.context.set_offline(False)
    expect(page).to_have_url(re.compile(rf"/study/{session.pk}/summary/$"))
    expect(page.get_by_test_id("summary-reviews")).to_have_text("3")
    recorded = list(reviews.order_by("reviewed_at", "pk").values_list("prompt_id", "rating"))
    assert recorded == given
    session.refresh_from_db()
    assert session.finished_at is not None
    assert page.evaluate("localStorage.length") == 0


def test_the_header_counts_are_the_servers_once_the_grades_are_sent(page: Page):
    session, reviews, given = study_online(page, "sven", "Graphs")
    Progress.objects.filter(user=session.user).update(due=timezone.now() - timedelta(hours=1))
    page.reload()
    on_study_page(page)
    due, new_left = page.get_by_test_id("due-count"), page.get_by_test_id("new-left")
    expect(due).to_have_text("1")
    expect(new_left).to_have_text("19")

    again = grade_now(page, "1")
    given.append((again, 1))
    card_settled(page)
    expect(due).to_have_text("0")
    # A minute later the card graded Again is due: the page has it for later,
    # the next answers count it.
    Progress.objects.filter(prompt_id=again).update(due=timezone.now())
    # Graded as fast as keys go: answers come back while later grades wait.
    for key in ["3", "4", "3", "2"]:
        given.append((grade_now(page, key), int(key)))
    card_settled(page)
    assert list(reviews.order_by("reviewed_at", "pk").values_list("prompt_id", "rating")) == given
    expect(due).to_have_text("1")
    expect(new_left).to_have_text("15")
    shown = (due.text_content(), new_left.text_content())
    page.reload()
    on_study_page(page)
    assert (due.text_content(), new_left.text_content()) == shown
