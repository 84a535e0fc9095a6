"""Cross-site scripting in a real Chromium: every payload of the corpus
(tests/security/payloads.py) is written through the real forms into every field
a person can write, and every page that shows it is opened. On each page no
script of the payloads ran (``window.__xss`` is undefined, no dialog opened, no
JavaScript error), nothing the app did not write itself is in the DOM (event
handlers, javascript: URLs, frames, foreign scripts), and the person's text is
still shown (the plain ``okay-…`` marker each stored text starts with).

The pages are sent with the app's Content-Security-Policy. If a payload got
into a page, the policy would block it and Chromium would log the refusal: a
blocked attempt is a success for the policy, so those console messages are
allowed here; the DOM check above still fails the test for the markup that got
in. The last test opens the pages that show every payload with the policy
switched off in the browser: there the escaping and sanitising alone must hold.
"""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from cards.models import Card, ImportJob, Prompt
from interviews.models import InterviewerQuestion, MockSession
from tests.browser.conftest import TIMEOUT_MS, BrowserProblems
from tests.browser.helpers import card_settled, log_in, on_study_page
from tests.factories import make_user
from tests.security.payloads import (
    PAYLOADS,
    Written,
    answer_mock_session,
    answer_quiz,
    import_csv,
    logged_in_client,
    marker,
    payload_topic,
    start_mock,
    start_quiz,
    start_study,
    write_cards,
    write_checklist,
    write_everything,
    write_interviewer_questions,
    write_interviews,
    write_question_bank,
    write_topics,
)

CSP_REFUSAL = re.compile(
    r"Refused to (execute|load|apply|evaluate|frame|connect|navigate|run)"
    r"|violates the following Content Security Policy"
)

# What would show that markup of a payload got into the page, whether or not it ran.
INSPECT = """() => {
  const bad = [];
  const scheme = /^(javascript|vbscript|data|livescript):/;
  const urls = new Set(["href", "src", "action", "formaction", "xlink:href", "data",
                        "poster", "background", "ping", "srcset"]);
  for (const el of document.querySelectorAll("*")) {
    // The element's markup is serialized only when there is something to report.
    const where = () => el.outerHTML.slice(0, 160);
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) bad.push("handler " + name + ": " + where());
      if (name === "srcdoc" || name === "data-bs-html" || name.startsWith("hx-on")
          || name.startsWith("data-hx-on")) bad.push("attribute " + name + ": " + where());
      if (urls.has(name) && scheme.test(attr.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase()))
        bad.push("script URL in " + name + ": " + where());
    }
  }
  for (const script of document.querySelectorAll("script")) {
    if (!(script.getAttribute("src") || "").startsWith("/static/"))
      bad.push("script: " + script.outerHTML.slice(0, 160));
  }
  const forbidden = "iframe, frame, frameset, object, embed, applet, base, portal, "
    + "foreignObject, animate, set, xmp, plaintext, noscript, body meta";
  for (const el of document.querySelectorAll(forbidden))
    bad.push("element " + el.outerHTML.slice(0, 160));
  const values = [...document.querySelectorAll("textarea, input")].map((el) => el.value);
  return {
    xss: typeof window.__xss === "undefined" ? null : String(window.__xss),
    bad,
    text: document.body.innerText + "\\n" + values.join("\\n"),
  };
}"""


class XssWatch(BrowserProblems):
    """The page fixture's watch, with the policy's refusals kept aside (they are
    the policy working) and the payloads' images (``xssimg``, a 404) expected."""

    def __init__(self):
        super().__init__()
        self.blocked: list[str] = []
        self.allow(r"/xssimg$")

    def _on_console(self, message) -> None:
        if CSP_REFUSAL.search(message.text):
            self.blocked.append(message.text)
            return
        super()._on_console(message)


@pytest.fixture
def browser_problems():
    return XssWatch()


def inspect(page: Page, markers, where: str) -> None:
    """No payload ran or got in, and every marker is shown."""
    page.wait_for_load_state("load")
    found = page.evaluate(INSPECT)
    assert found["xss"] is None, f"{where}: a payload ran (window.__xss={found['xss']})"
    assert not found["bad"], f"{where}:\n  " + "\n  ".join(found["bad"][:10])
    missing = [m for m in markers if m not in found["text"]]
    assert not missing, f"{where} does not show {missing[:10]} ({len(missing)} missing)"


def visit(page: Page, url: str, markers=(), *, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, f"{url}: {response.status}"
    inspect(page, markers, url)


def everything_for(page: Page, username: str):
    user = make_user(username)
    log_in(page, username)
    return write_everything(user)


# Topics, cards, search and imported files -----------------------------------------------


def test_topics_cards_and_search(page: Page):
    user = make_user("tess")
    written = Written(user=user, client=logged_in_client(user))
    write_topics(written)
    topic = payload_topic(written)
    write_cards(written, topic)
    markers = written.markers
    log_in(page, "tess")

    visit(page, "/topics/", [*markers["tn"].values(), *markers["td"].values()])
    for pk in markers["tn"]:
        visit(page, f"/topics/{pk}/", [markers["tn"][pk], markers["td"][pk]])
    for number in (1, 2, 3, 4):
        visit(page, f"/topics/{topic.pk}/?page={number}")
    for code, back_code in (("cf", "cb"), ("cz", "zb")):
        for pk, mark in markers[code].items():
            shown = [mark, markers[back_code][pk]]
            if code == "cf":
                shown.append(markers["tg"][pk])
            visit(page, f"/cards/{pk}/", shown)
    # The search box, with the results swapped in by htmx.
    page.goto("/search/")
    page.locator("#q").fill("okay")
    expect(page.locator("#results .list-group-item").first).to_be_visible()
    inspect(page, [markers["cf"][min(markers["cf"])]], "search (htmx)")
    for number in (1, 2, 3, 4):
        visit(page, f"/search/?q=okay&page={number}")


def test_imported_file(page: Page):
    user = make_user("ivan")
    content, shown = import_csv()
    log_in(page, "ivan")
    page.goto("/import/")
    page.locator("input[type=file]").set_input_files(
        {"name": "payloads.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Upload and preview").click()
    expect(page).to_have_url(re.compile(r"/import/\d+/$"))
    first_front = next(iter(shown))
    inspect(page, [shown[first_front][0], "needs at least one letter or digit"], "import preview")
    page.get_by_role("button", name="Confirm and import").click()
    expect(page.get_by_test_id("import-done")).to_be_visible(timeout=3 * TIMEOUT_MS)
    inspect(page, [], "import done")
    job = ImportJob.objects.get(owner=user)
    assert job.status == ImportJob.Status.DONE
    cards = Card.objects.filter(owner=user)
    assert cards.count() == len(PAYLOADS)
    for card in cards:
        visit(page, f"/cards/{card.pk}/", shown[card.front])
    visit(page, "/topics/", [markers[3] for markers in shown.values()])
    for topic_id in sorted(set(cards.values_list("topic_id", flat=True)))[::4]:
        visit(page, f"/topics/{topic_id}/")


# Studying and quizzes ------------------------------------------------------------------------


def test_study_session_question_then_answer(page: Page):
    """Every prompt of the payload cards in a study session: the question, the
    answer after Space, then a grade key and the next card swapped in by htmx."""
    user = make_user("stu")
    written = Written(user=user, client=logged_in_client(user))
    topic = payload_topic(written)
    write_cards(written, topic)
    markers = written.markers
    session = start_study(written, topic)
    prompts = {p.pk: p for p in Prompt.objects.filter(card__owner=user).select_related("card")}
    log_in(page, "stu")
    page.goto(f"/study/{session.pk}/")
    on_study_page(page)

    seen = set()
    while page.locator("#study-card").get_attribute("data-state") == "question":
        prompt_id = int(page.locator("#study-card input[name=prompt]").input_value())
        assert prompt_id not in seen, "the same prompt came back"
        seen.add(prompt_id)
        card = prompts[prompt_id].card
        front, back = ("cz", "zb") if card.kind == Card.Kind.CLOZE else ("cf", "cb")
        inspect(page, [markers[front][card.pk]], f"prompt {prompt_id}, question")
        page.keyboard.press("Space")
        expect(page.get_by_test_id("answer")).to_be_visible()
        inspect(page, [markers[back][card.pk]], f"prompt {prompt_id}, answer")
        page.keyboard.press("4")
        expect(page.locator(f'#study-card input[name=prompt][value="{prompt_id}"]')).to_have_count(
            0
        )
        card_settled(page)
    expect(page.get_by_test_id("done")).to_be_visible()
    assert seen == set(prompts)
    inspect(page, [], "study done")
    visit(page, f"/study/{session.pk}/summary/")


def test_quiz_item_and_result(page: Page):
    user = make_user("quentin")
    written = Written(user=user, client=logged_in_client(user))
    topic = payload_topic(written)
    write_cards(written, topic)
    quiz = start_quiz(written, topic)
    log_in(page, "quentin")
    page.goto(f"/quiz/{quiz.pk}/")
    # The first cards in the browser: a payload typed as the answer, revealed, marked wrong.
    for index in range(5):
        item = quiz.items.order_by("position")[index]
        card = item.card
        front = "cz" if card.kind == Card.Kind.CLOZE else "cf"
        back = "zb" if card.kind == Card.Kind.CLOZE else "cb"
        expect(page.locator("#quiz-item input[name=item]")).to_have_value(str(item.pk))
        expect(page.locator("#quiz-item.htmx-added, #quiz-item .htmx-added")).to_have_count(0)
        inspect(page, [written.markers[front][card.pk]], f"quiz card {index + 1}")
        box = page.get_by_test_id("typed-answer")
        box.fill(f"{marker('qt', index)} {PAYLOADS[index]}")
        box.press("Control+Enter")
        expect(page.get_by_test_id("answer")).to_be_visible()
        inspect(page, [written.markers[back][card.pk]], f"quiz card {index + 1}, answer")
        page.keyboard.press("n")
        expect(page.locator("#quiz-item input[name=item]")).not_to_have_value(str(item.pk))
    answer_quiz(written, quiz)
    shown = [marker("qt", index) for index in range(5)] + list(written.markers["qt"].values())
    visit(page, f"/quiz/{quiz.pk}/result/", shown)
    visit(page, "/quiz/")


# Interviews, checklists, the question bank and the dashboard ----------------------------------


def test_interviews_checklists_bank_and_dashboard(page: Page):
    user = make_user("iris")
    written = Written(user=user, client=logged_in_client(user))
    topic = payload_topic(written)
    write_topics(written)
    interviews = write_interviews(written, topics=[topic])
    write_checklist(written, interviews[0])
    write_question_bank(written)
    markers = written.markers
    log_in(page, "iris")

    visit(page, "/interviews/", [*markers["ic"].values(), *markers["ir"].values()])
    for pk in markers["ic"]:
        visit(page, f"/interviews/{pk}/", [markers[code][pk] for code in ("ic", "ir", "in")])
    for pk in markers["lc"]:
        visit(page, f"/interviews/{pk}/", [markers["lc"][pk]])
    checklist = [*markers["ck"].values(), *markers["ca"].values()]
    first = interviews[0]
    visit(page, f"/interviews/{first.pk}/", checklist)
    # An answer edited inline (htmx) with a payload, then the page again.
    item_pk = min(markers["ck"])
    box = page.locator(f"#answer-{item_pk}")
    box.fill(f"{marker('ca', 99)} {PAYLOADS[0]}")
    page.locator(f"#item-{item_pk} .item-save").click()
    expect(page.locator(f"#item-{item_pk} .item-status")).to_contain_text("Saved")
    inspect(page, [marker("ca", 99)], "checklist after an inline save")
    visit(page, f"/interviews/{first.pk}/", [marker("ca", 99)])
    edited = [m for m in checklist if m != markers["ca"][item_pk]] + [marker("ca", 99)]
    visit(page, f"/interviews/{first.pk}/checklist/print/", edited)
    visit(page, "/interviews/questions/", [*markers["qb"].values(), *markers["ck"].values()])
    visit(page, "/progress/", [*markers["tn"].values(), markers["ic"][min(markers["ic"])]])
    visit(page, "/", [markers["ic"][min(markers["ic"])]])


# Mock interviews ---------------------------------------------------------------------------


def test_mock_sessions_summaries_and_question_history(page: Page):
    user = make_user("mo")
    written = Written(user=user, client=logged_in_client(user))
    write_interviewer_questions(written)
    markers = written.markers
    log_in(page, "mo")

    def look(state, answer):
        url = f"/mock/{answer.session_id}/"
        shown = [markers["iq"][answer.question_id], markers["ma"][answer.pk]]
        if state == "scoring":
            shown.append(markers["kp"][answer.question_id])
        visit(page, url, shown)

    answered: set[int] = set()
    while len(answered) < len(PAYLOADS):
        session = start_mock(written)
        answer_mock_session(written, session, visit=look)
        questions = list(session.answers.values_list("question_id", flat=True))
        answered.update(questions)
        visit(page, f"/mock/{session.pk}/", [markers["iq"][pk] for pk in questions])
    visit(page, "/mock/")
    visit(page, "/mock/questions/", markers["iq"].values())
    for question in InterviewerQuestion.objects.filter(owner=user):
        shown = [markers["iq"][question.pk], markers["kp"][question.pk]]
        shown += [markers["ma"][answer.pk] for answer in question.answers.all()]
        visit(page, f"/mock/questions/{question.pk}/", shown)
    assert MockSession.objects.filter(user=user).count() >= len(PAYLOADS) // 20


def test_mock_answer_typed_in_the_browser(page: Page):
    """The answer box autosaves what is typed (htmx): a payload typed there is
    kept, and shown harmless once submitted."""
    user = make_user("tia")
    written = Written(user=user, client=logged_in_client(user))
    write_interviewer_questions(written)
    session = start_mock(written, count=3)
    log_in(page, "tia")
    page.goto(f"/mock/{session.pk}/")
    for index in range(3):
        box = page.get_by_label("Your answer")
        text = f"{marker('mb', index)} {PAYLOADS[index]}"
        box.fill(text)
        expect(page.get_by_test_id("save-status")).to_have_text(re.compile(r"^Saved \d"))
        inspect(page, [marker("mb", index)], f"mock answer {index + 1} typed")
        page.get_by_test_id("submit-answer").click()
        expect(page.get_by_test_id("answer")).to_contain_text(marker("mb", index))
        inspect(page, [marker("mb", index)], f"mock answer {index + 1} submitted")
        page.get_by_test_id("score").click()
        expect(page.locator("#mock-question.htmx-added, #mock-question .htmx-added")).to_have_count(
            0
        )
    expect(page.get_by_test_id("summary")).to_be_visible()
    inspect(page, [], "mock summary")


# Text that comes back from the address --------------------------------------------------------


def test_reflected_parameters(page: Page):
    make_user("rex")
    log_in(page, "rex")
    # Typed in the search box (the results come by htmx)...
    page.goto("/search/")
    for payload in PAYLOADS[:12]:
        page.locator("#q").fill(payload)
        page.locator("#q").press("Enter")
        # (The fragment is a #results swapped into #results: the last one is the new one.)
        expect(page.locator("#results").last).to_contain_text("No card matches")
        expect(page.locator(".htmx-request, .htmx-settling, .htmx-added")).to_have_count(0)
        inspect(page, [], f"search for {payload!r}")
    # ...and in the address.
    for payload in PAYLOADS:
        visit(page, f"/search/?q={quote(payload)}")
        expect(page.locator("#q")).to_have_value(payload.replace("\n", ""))
    page.context.clear_cookies()
    for payload in PAYLOADS[:20]:
        visit(page, f"/accounts/login/?next={quote(payload)}")


# With the policy switched off in the browser ---------------------------------------------------


def test_pages_hold_without_the_content_security_policy(browser, live_server, transactional_db):
    """Chromium told to ignore the Content-Security-Policy: the escaping and the
    Markdown sanitizer alone keep every payload from running."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    problems = XssWatch()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        problems.watch(page)
        everything = everything_for(page, "nadia")
        written, topic = everything.written, everything.topic
        markers = written.markers
        session = start_study(written, topic)
        quiz = start_quiz(written, topic)
        answer_quiz(written, quiz)
        mock = start_mock(written)
        answer_mock_session(written, mock)

        visit(page, "/topics/", markers["tn"].values())
        for number in (1, 2, 3, 4):
            visit(page, f"/topics/{topic.pk}/?page={number}")
            visit(page, f"/search/?q=okay&page={number}")
        # Every payload shows on the lists above; each card's own page for a third of them.
        for code in ("cf", "cz"):
            for pk in sorted(markers[code])[::3]:
                visit(page, f"/cards/{pk}/", [markers[code][pk]])
        for prompt in Prompt.objects.filter(card__owner=written.user)[:20]:
            visit(page, f"/study/{session.pk}/?prompt={prompt.pk}&reveal=1")
        visit(page, f"/quiz/{quiz.pk}/result/", markers["qt"].values())
        visit(page, "/interviews/", markers["ic"].values())
        visit(page, f"/interviews/{everything.interviews[0].pk}/", markers["ck"].values())
        visit(page, f"/interviews/{everything.interviews[0].pk}/checklist/print/")
        visit(page, "/interviews/questions/", markers["qb"].values())
        visit(page, "/mock/questions/", markers["iq"].values())
        visit(page, f"/mock/{mock.pk}/")
        visit(page, "/progress/")
        for pk in list(markers["ic"])[:20]:
            visit(page, f"/interviews/{pk}/", [markers["in"][pk]])
        problems.check()
        # With the policy off, nothing was refused: nothing needed to be.
        assert not problems.blocked, problems.blocked[:5]
    finally:
        context.close()


def test_a_blocked_inline_script_is_reported_not_run(page: Page, browser_problems):
    """The policy itself: an inline script the page did not get from us (added
    here by the test, as an injection would) is refused by Chromium."""
    make_user("cora")
    log_in(page, "cora")
    page.goto("/topics/")
    page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.__xss = 1";
            document.body.appendChild(s);
            const img = document.createElement("img");
            img.setAttribute("src", "/static/img/favicon.svg");
            img.setAttribute("onload", "window.__xss = 2");
            document.body.appendChild(img);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert browser_problems.blocked, "Chromium reported no refusal"
