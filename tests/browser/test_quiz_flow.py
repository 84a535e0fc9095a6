"""The walk through a quiz: pick a topic and a size, answer each card with the
keyboard (type, reveal, mark), read the result, and find the quiz on the
progress dashboard."""

import re

from playwright.sync_api import Page, expect

from cards.models import Progress, Quiz, QuizItem, ReviewLog
from cards.quiz import services as quiz_services
from tests.browser.helpers import log_in
from tests.factories import make_card, make_topic, make_user

QUIZ_URL = re.compile(r"/quiz/(\d+)/$")


def item_settled(page: Page) -> None:
    """Wait until htmx has swapped the next card in and wired up its form (a key
    pressed before that would submit the plain form and reload the page)."""
    expect(page.locator("#quiz-item.htmx-added, #quiz-item .htmx-added")).to_have_count(0)
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)


def current_item_id(page: Page) -> int:
    return int(page.locator("#quiz-item input[name=item]").input_value())


def on_quiz_page(page: Page) -> None:
    """The quiz page with its deferred quiz.js run (before it, a key is just a key)."""
    expect(page).to_have_url(QUIZ_URL)
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("question")).to_be_visible()


def test_take_a_quiz_with_the_keyboard_and_see_the_result(page: Page):
    user = make_user("quinn")
    topic = make_topic(owner=user, name="Algorithms")
    for n in range(3):
        make_card(topic, user, front=f"Algorithms question {n}?", back=f"Algorithms answer {n}")
    other = make_topic(owner=user, name="Networking")
    make_card(other, user, front="Not in this quiz?")

    log_in(page, "quinn")
    page.get_by_role("navigation").get_by_role("link", name="Quiz").click()
    expect(page.get_by_role("heading", name="Start a quiz")).to_be_visible()
    expect(page.get_by_text("No quiz taken yet")).to_be_visible()
    page.get_by_label("Algorithms (3 cards)").check()
    page.get_by_label("Number of cards").fill("3")
    expect(page.get_by_label("Random")).to_be_checked()
    expect(page.get_by_label("Also count as reviews")).not_to_be_checked()
    page.get_by_role("button", name="Start the quiz").click()
    on_quiz_page(page)
    quiz = Quiz.objects.get(user=user)
    assert quiz.size == 3
    assert quiz.get_absolute_url() in page.url

    question = page.get_by_test_id("question")
    answer = page.get_by_test_id("answer")
    typed = page.get_by_test_id("typed-answer")
    item_field = page.locator("#quiz-item input[name=item]")
    page.evaluate("window.__marker = 1")
    url_before = page.url

    keys = ["y", "n", "y"]  # right, wrong, right: 2 of 3
    marked = []
    for index, key in enumerate(keys):
        expect(page.get_by_test_id("quiz-position")).to_have_text(str(index + 1))
        expect(question).to_contain_text("Algorithms question")
        expect(answer).to_be_hidden()
        expect(page.get_by_role("button", name=re.compile("I was right"))).to_be_hidden()
        item_id = current_item_id(page)
        marked.append(item_id)

        # t goes to the answer box; typing there is just typing (y and n included).
        page.keyboard.press("t")
        expect(typed).to_be_focused()
        page.keyboard.type(f"my answer {index}: yes and no")
        expect(answer).to_be_hidden()
        page.keyboard.press("Escape")
        expect(typed).not_to_be_focused()

        page.keyboard.press("Space")
        expect(answer).to_be_visible()
        expect(answer).to_contain_text("Algorithms answer")
        expect(page.locator("#quiz-item")).to_have_attribute("data-state", "answer")
        assert page.evaluate("window.scrollY") == 0, "Space scrolled the page"
        page.keyboard.press(key)

        if index < len(keys) - 1:
            expect(item_field).not_to_have_value(str(item_id))
            item_settled(page)
            expect(typed).to_have_value("")
            assert page.evaluate("window.__marker") == 1, "the page was reloaded"
            assert page.url == url_before

    # After the last card, the result.
    expect(page).to_have_url(re.compile(rf"/quiz/{quiz.pk}/result/$"))
    expect(page.get_by_role("heading", name="Quiz result")).to_be_visible()
    expect(page.get_by_test_id("quiz-score")).to_have_text("67%")
    expect(page.get_by_test_id("quiz-right")).to_have_text("2/3")
    items = {item.pk: item for item in QuizItem.objects.filter(quiz=quiz).select_related("card")}
    assert [items[pk].correct for pk in marked] == [True, False, True]
    assert [items[pk].typed_answer for pk in marked] == [
        f"my answer {n}: yes and no" for n in range(3)
    ]
    missed = items[marked[1]].card
    missed_cards = page.get_by_test_id("quiz-missed-card")
    expect(missed_cards).to_have_count(1)
    expect(missed_cards).to_contain_text(missed.front)
    expect(missed_cards).to_contain_text("my answer 1: yes and no")
    expect(missed_cards.get_by_role("link", name="Open the card")).to_have_attribute(
        "href", missed.get_absolute_url()
    )
    topics = page.get_by_test_id("quiz-topics")
    expect(topics.get_by_role("row", name=re.compile("Algorithms"))).to_contain_text("67%")
    quiz.refresh_from_db()
    assert quiz.finished_at is not None
    # Not counted as reviews: the study schedule is untouched.
    assert not Progress.objects.filter(user=user).exists()
    assert not ReviewLog.objects.filter(user=user).exists()

    # The quiz is in the history, with its score in a chart and a table.
    page.get_by_role("link", name="Another quiz").click()
    expect(page.get_by_test_id("quiz-history-score")).to_contain_text("67%")
    expect(page.get_by_role("img", name="Quiz scores over time")).to_be_visible()

    # And on the progress dashboard.
    page.goto("/progress/")
    expect(page.get_by_test_id("recent-quizzes")).to_contain_text("67%")


def test_a_quick_double_mark_is_recorded_once(page: Page):
    user = make_user("rita")
    topic = make_topic(owner=user, name="Databases")
    for n in range(3):
        make_card(topic, user, front=f"Databases question {n}?", back=f"Answer {n}")

    log_in(page, "rita")
    page.goto("/quiz/")
    page.get_by_label("Databases (3 cards)").check()
    page.get_by_label("Number of cards").fill("3")
    page.get_by_label("Also count as reviews").check()
    page.get_by_role("button", name="Start the quiz").click()
    on_quiz_page(page)
    quiz = Quiz.objects.get(user=user)
    posts = []
    page.on(
        "request",
        lambda request: (
            posts.append(request)
            if request.method == "POST" and request.url.endswith("/answer/")
            else None
        ),
    )
    item_field = page.locator("#quiz-item input[name=item]")

    # y before the answer is shown marks nothing.
    first = current_item_id(page)
    page.keyboard.press("y")
    page.wait_for_timeout(200)
    assert posts == []

    # Two presses dispatched in the same JavaScript task: one mark. The first
    # disables both buttons at once, so the second finds nothing to press.
    page.keyboard.press("Space")
    expect(page.get_by_test_id("answer")).to_be_visible()
    disabled_after_first = page.evaluate(
        """() => {
            const press = () => document.body.dispatchEvent(
                new KeyboardEvent("keydown", {key: "n", bubbles: true, cancelable: true}));
            press();
            const disabled = Array.from(
                document.querySelectorAll("#quiz-item .quiz-mark"), b => b.matches(":disabled"));
            press();
            return disabled;
        }"""
    )
    assert disabled_after_first == [True, True]
    expect(item_field).not_to_have_value(str(first))
    page.wait_for_timeout(300)
    item_settled(page)
    assert len(posts) == 1, "the second press sent a second mark"

    # A double click on a button, after showing the answer with the mouse.
    second = current_item_id(page)
    page.get_by_test_id("reveal").click()
    page.get_by_role("button", name=re.compile("I was right")).dblclick()
    expect(item_field).not_to_have_value(str(second))
    page.wait_for_timeout(300)
    item_settled(page)
    assert len(posts) == 2
    expect(page.get_by_text("already marked")).to_have_count(0)

    marks = dict(QuizItem.objects.filter(quiz=quiz).values_list("pk", "correct"))
    assert (marks[first], marks[second]) == (False, True)
    assert ReviewLog.objects.filter(user=user).count() == 2  # counted as reviews, once each
    assert sorted(ReviewLog.objects.values_list("rating", flat=True)) == [1, 3]


def test_a_mark_for_a_card_outside_the_quiz_is_refused_in_place(page: Page, browser_problems):
    user = make_user("omar")
    topic = make_topic(owner=user, name="Caching")
    for n in range(2):
        make_card(topic, user, front=f"Caching question {n}?", back=f"Answer {n}")
    elsewhere = quiz_services.start_quiz(
        user=user, topics=[topic], size=1, mode=Quiz.Mode.RANDOM, count_as_reviews=False
    )
    quiz = quiz_services.start_quiz(
        user=user, topics=[topic], size=2, mode=Quiz.Mode.RANDOM, count_as_reviews=False
    )
    browser_problems.allow(rf"/quiz/{quiz.pk}/answer/$")  # the 404 is the point

    log_in(page, "omar")
    page.goto(quiz.get_absolute_url())
    on_quiz_page(page)
    first = current_item_id(page)
    page.evaluate("window.__marker = 1")
    # A stale or tampered form: the item belongs to another quiz.
    page.locator("#quiz-item input[name=item]").evaluate(
        "(field, value) => { field.value = value; }", str(elsewhere.items.get().pk)
    )
    page.keyboard.press("Space")
    page.keyboard.press("y")
    expect(page.get_by_text("That card is not part of this quiz.")).to_be_visible()
    item_settled(page)
    assert page.evaluate("window.__marker") == 1
    # The same card is still asked, its answer hidden again, and nothing was marked.
    assert current_item_id(page) == first
    expect(page.get_by_test_id("answer")).to_be_hidden()
    assert not QuizItem.objects.filter(correct__isnull=False).exists()
