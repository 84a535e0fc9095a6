"""Cross-site scripting, on the server's side: every payload of the corpus
(tests/security/payloads.py) is written through the real forms into every field
a person can write, then every page that shows it is fetched and read the way
a browser would. No page may carry a script, an event handler or a
javascript:/data: URL that the app did not write itself, and the person's text
must still be there (escaped, or sanitized Markdown). Every HTML response
carries a Content-Security-Policy whose script-src has no 'unsafe-inline'.

tests/browser/test_xss_pages.py opens the same pages in Chromium."""

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse

from cards.markdown import render_markdown
from cards.models import Card, Prompt, StudySession
from interviews.models import ChecklistItem, InterviewerQuestion, MockSession, QuestionToAsk
from tests.factories import make_card, make_interview, make_topic, make_user
from tests.security.payloads import (
    CATEGORIES,
    CORPUS,
    PAYLOADS,
    answer_mock_session,
    answer_quiz,
    import_csv,
    marker,
    start_mock,
    start_quiz,
    start_study,
    write_everything,
)

pytestmark = pytest.mark.django_db

# Reading a page as a browser would ---------------------------------------------------------

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "ping",
    "srcset",
}
# Never written by the app; their presence means markup got through.
FORBIDDEN_TAGS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "portal",
    "foreignobject",
    "animate",
    "set",
    "animatetransform",
    "animatemotion",
    "xmp",
    "plaintext",
    "noscript",
}
FORBIDDEN_ATTRIBUTES = {"srcdoc", "data-bs-html", "hx-on", "data-hx-on"}
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data|livescript):")
CONTROL = re.compile(r"[\x00-\x20]+")


class PageReader(HTMLParser):
    """What a page would do in a browser: its scripts, handlers and URLs
    (``dangers``), and the text it shows (``text``)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.dangers: list[str] = []
        self.chunks: list[str] = []
        self.values: list[str] = []
        self._in_head = False
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        if tag == "head":
            self._in_head = True
        elif tag in ("script", "style"):
            self._skip += 1
        elif tag == "input":
            self.values.append(dict(attrs).get("value") or "")

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
        elif tag in ("script", "style"):
            self._skip = max(self._skip - 1, 0)

    def handle_data(self, data):
        if self._skip:
            if self.lasttag == "script" and data.strip():
                self.dangers.append(f"inline script: {data.strip()[:80]!r}")
            return
        self.chunks.append(data)

    def handle_comment(self, data):
        if "<" in data:
            self.dangers.append(f"markup in a comment: {data[:80]!r}")

    def _check(self, tag, attrs):
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs)[:160]}>"
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.dangers.append(f"script not from our static files: {where}")
        if tag in FORBIDDEN_TAGS:
            self.dangers.append(f"forbidden element: {where}")
        if tag == "meta" and not self._in_head:
            self.dangers.append(f"meta outside head: {where}")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.dangers.append(f"event handler {name}: {where}")
            if name in FORBIDDEN_ATTRIBUTES or name.startswith(("hx-on", "data-hx-on")):
                self.dangers.append(f"attribute {name}: {where}")
            if (
                name in URL_ATTRIBUTES
                and value
                and BAD_SCHEME.match(CONTROL.sub("", value).lower())
            ):
                self.dangers.append(f"{name} with a script URL: {where}")

    @property
    def text(self) -> str:
        return "".join(self.chunks) + "\n" + "\n".join(self.values)


def read(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    reader.close()
    return reader


def script_sources(policy: str) -> list[str]:
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives.get("script-src", directives.get("default-src", []))


def assert_csp(response, url: str) -> None:
    """The page forbids inline script (and anything not from our own origin)."""
    policy = response.get("Content-Security-Policy", "")
    assert policy, f"{url}: no Content-Security-Policy header"
    sources = script_sources(policy)
    assert sources, f"{url}: the policy does not restrict scripts: {policy}"
    for forbidden in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert forbidden not in sources, f"{url}: script-src allows {forbidden}: {policy}"


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


class Pages:
    """Fetches pages, checks each one and remembers the text it showed."""

    def __init__(self, client: Client):
        self.client = client
        self.fetched = 0

    def get(self, url: str, *, status: int = 200, htmx: bool = False) -> str:
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = self.client.get(url, **headers)
        assert response.status_code == status, f"{url}: {response.status_code}"
        return self.check(response, url)

    def check(self, response, url: str) -> str:
        self.fetched += 1
        assert_csp(response, url)
        if not is_html(response) or not response.content:
            return ""
        reader = read(response.content.decode())
        assert not reader.dangers, f"{url}:\n  " + "\n  ".join(reader.dangers)
        return reader.text


def assert_shows(text: str, markers, url: str) -> None:
    missing = [m for m in markers if m not in text]
    assert not missing, f"{url} does not show {missing[:10]} ({len(missing)} missing)"


# The corpus ---------------------------------------------------------------------------------


def test_the_corpus_has_every_kind_of_payload():
    assert len(PAYLOADS) >= 50
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    assert {"script", "handler", "url", "svg", "malformed", "markdown", "math"} <= set(CATEGORIES)
    for payload in PAYLOADS:
        assert "\x00" not in payload and "{{" not in payload and "}}" not in payload
        # Each one would show: a global flag, a dialog, or markup that would replace the page.
        assert re.search(r"__xss|alert|msgbox|&#97;|hx-get|base64,", payload), payload


# Markdown, straight through the renderer and through each face of a card ------------------


@pytest.mark.parametrize(
    ("category", "payload"), CORPUS, ids=[f"{c}-{i}" for i, (c, _) in enumerate(CORPUS)]
)
def test_markdown_renders_every_payload_harmless(category, payload):
    sources = {
        "alone": payload,
        "after text": f"{marker('md', 0)} {payload}",
        "own block": f"{marker('md', 0)}\n\n{payload}",
        "in a list": f"- {marker('md', 0)}\n- {payload}",
        "in a quote": f"> {marker('md', 0)}\n> {payload}",
        "in a table": f"| {marker('md', 0)} |\n|---|\n| {payload} |",
    }
    for name, source in sources.items():
        html = render_markdown(source)
        reader = read(html)
        assert not reader.dangers, f"{name}: {html!r}"
        assert "<script" not in html.lower(), f"{name}: {html!r}"
        if name != "alone":
            assert marker("md", 0) in reader.text, f"{name}: the text went: {html!r}"

    # A cloze card shows the text around the deletion raw, the deletion and its
    # hint escaped; a reversed card shows the back as a question.
    cloze = Card(
        kind=Card.Kind.CLOZE, front=f"{payload} {{{{c1::{payload}::{payload}}}}}", back=payload
    )
    reversed_card = Card(kind=Card.Kind.REVERSED, front=payload, back=payload)
    faces = [cloze.front_html(), cloze.back_html(), cloze.extra_html()]
    for card, ordinal in ((cloze, 1), (reversed_card, 0), (reversed_card, 1)):
        prompt = Prompt(card=card, ordinal=ordinal)
        faces += [prompt.question_html(), prompt.answer_html(), prompt.extra_html()]
    for html in faces:
        assert not read(html).dangers, html


# Every field, every page --------------------------------------------------------------------

# Edit forms escape a value the way every other form field does: one in this
# many is opened (the pages that show the text are all opened).
EDIT_SAMPLE = 4


def test_every_field_keeps_every_payload_harmless_on_every_page():
    user = make_user("xavier")
    everything = write_everything(user)
    written, topic = everything.written, everything.topic
    markers = written.markers
    pages = Pages(written.client)

    # Nearly everything was accepted: the refusals are the javascript:/data:
    # links, which are not web addresses.
    assert written.refused == {"link": 5}, written.refused
    assert len(markers["tn"]) == len(markers["cf"]) == len(markers["cz"]) == len(PAYLOADS)
    assert len(markers["ic"]) == len(markers["ck"]) == len(markers["iq"]) == len(PAYLOADS)

    # Topics: the list, each topic's page and the cards of the payload topic.
    assert_shows(pages.get("/topics/"), markers["tn"].values(), "/topics/")
    assert_shows(pages.get("/topics/"), markers["td"].values(), "/topics/")
    for pk in markers["tn"]:
        url = f"/topics/{pk}/"
        assert_shows(pages.get(url), [markers["tn"][pk], markers["td"][pk]], url)
        if pk % EDIT_SAMPLE == 0:
            pages.get(f"/topics/{pk}/edit/")
    seen = ""
    for number in (1, 2, 3, 4):
        seen += pages.get(f"/topics/{topic.pk}/?page={number}")
    assert_shows(seen, [*markers["cf"].values(), *markers["cz"].values()], "topic pages")
    assert_shows(seen, markers["tg"].values(), "topic pages")

    # Each card, its edit form and the search results.
    for code, back_code in (("cf", "cb"), ("cz", "zb")):
        for pk, mark in markers[code].items():
            url = f"/cards/{pk}/"
            shown = [mark, markers[back_code][pk]]
            if code == "cf":
                shown.append(markers["tg"][pk])
            assert_shows(pages.get(url), shown, url)
            if pk % EDIT_SAMPLE == 0:
                assert_shows(pages.get(f"/cards/{pk}/edit/"), shown, f"/cards/{pk}/edit/")
    seen = ""
    for number in (1, 2, 3, 4):
        seen += pages.get(f"/search/?q=okay&page={number}")
        seen += pages.get(f"/search/?q=okay&page={number}", htmx=True)
    assert_shows(seen, [*markers["cf"].values(), *markers["cz"].values()], "search")

    # The study session: each prompt with its answer shown.
    session = start_study(written, topic)
    prompts = Prompt.objects.filter(card__owner=user).select_related("card")
    for prompt in prompts:
        card = prompt.card
        url = f"/study/{session.pk}/?prompt={prompt.pk}&reveal=1"
        if card.kind == Card.Kind.CLOZE:
            shown = [markers["cz"][card.pk], markers["zb"][card.pk]]
        else:
            shown = [markers["cf"][card.pk], markers["cb"][card.pk]]
        assert_shows(pages.get(url), shown, url)
        pages.get(url, htmx=True)
    # ...and a few grades, whose answers are the next card's fragment.
    for prompt in prompts[:5]:
        response = written.client.post(
            f"/study/{session.pk}/grade/",
            {"prompt": prompt.pk, "rating": 3, "reps": 0},
            HTTP_HX_REQUEST="true",
        )
        pages.check(response, "grade")
    pages.get(f"/study/{session.pk}/summary/")

    # A quiz: the card asked, then the typed answers on the result page.
    quiz = start_quiz(written, topic)
    pages.get(f"/quiz/{quiz.pk}/")
    pages.get(f"/quiz/{quiz.pk}/", htmx=True)
    answer_quiz(written, quiz)
    text = pages.get(f"/quiz/{quiz.pk}/result/")
    assert_shows(text, markers["qt"].values(), "quiz result")
    pages.get("/quiz/")

    # Interviews: the list, each one, its form, the print view, the bank.
    text = pages.get("/interviews/")
    assert_shows(text, [*markers["ic"].values(), *markers["ir"].values()], "/interviews/")
    for pk in markers["ic"]:
        url = f"/interviews/{pk}/"
        shown = [markers[code][pk] for code in ("ic", "ir", "in")]
        assert_shows(pages.get(url), shown, url)
        if pk % EDIT_SAMPLE == 0:
            assert_shows(pages.get(f"/interviews/{pk}/edit/"), shown, f"{url}edit/")
    for pk in markers["lc"]:
        assert_shows(pages.get(f"/interviews/{pk}/"), [markers["lc"][pk]], "link interview")
    first = everything.interviews[0]
    for url, htmx in ((f"/interviews/{first.pk}/", False), (f"/interviews/{first.pk}/", True)):
        text = pages.get(url, htmx=htmx)
        assert_shows(text, [*markers["ck"].values(), *markers["ca"].values()], url)
    text = pages.get(f"/interviews/{first.pk}/checklist/print/")
    assert_shows(text, [*markers["ck"].values(), *markers["ca"].values()], "print view")
    for url in (f"/interviews/{first.pk}/calendar.ics", f"/interviews/{first.pk}/checklist.md"):
        response = written.client.get(url)
        assert response.status_code == 200
        assert not is_html(response), url
        assert response["Content-Disposition"].startswith("attachment;"), url
        assert response["X-Content-Type-Options"] == "nosniff", url
    text = pages.get("/interviews/questions/")
    assert_shows(text, [*markers["qb"].values(), *markers["ck"].values()], "question bank")
    pages.get("/interviews/questions/?category=culture", htmx=True)
    for question in QuestionToAsk.objects.filter(user=user)[:20]:
        pages.get(f"/interviews/questions/{question.pk}/edit/")

    # The dashboard and the home page name topics and interviews.
    assert_shows(pages.get("/progress/"), markers["tn"].values(), "/progress/")
    pages.get("/")

    # Mock interviews over the payload questions: each question answered, then
    # each session's summary, the question bank and each question's history.
    while MockAnswer_count(user) < len(PAYLOADS):
        session = start_mock(written)

        def visit(state, answer, session=session):
            url = f"/mock/{session.pk}/"
            text = pages.get(url)
            shown = [markers["iq"][answer.question_id]]
            if state == "scoring":
                shown += [markers["kp"][answer.question_id], markers["ma"][answer.pk]]
            else:
                shown.append(markers["ma"][answer.pk])  # the draft in the box
            assert_shows(text, shown, f"{url} ({state})")
            pages.get(url, htmx=True)

        answer_mock_session(written, session, visit=visit)
        text = pages.get(f"/mock/{session.pk}/")
        questions = session.answers.values_list("question_id", flat=True)
        assert_shows(text, [markers["iq"][pk] for pk in questions], "mock summary")
    pages.get("/mock/")
    text = pages.get("/mock/questions/")
    assert_shows(text, markers["iq"].values(), "/mock/questions/")
    pages.get(f"/mock/questions/?area={quote('machine-learning')}", htmx=True)
    for question in InterviewerQuestion.objects.filter(owner=user):
        url = f"/mock/questions/{question.pk}/"
        text = pages.get(url)
        shown = [markers["iq"][question.pk], markers["kp"][question.pk]]
        shown += [markers["ma"][a.pk] for a in question.answers.all()]
        assert_shows(text, shown, url)
        if question.pk % EDIT_SAMPLE == 0:
            pages.get(f"{url}edit/")
    assert pages.fetched > 800


def MockAnswer_count(user) -> int:  # noqa: N802
    return len(
        set(
            MockSession.objects.filter(user=user, answers__scored_at__isnull=False).values_list(
                "answers__question_id", flat=True
            )
        )
    )


def test_parameters_echoed_in_a_page_are_escaped():
    """Text that comes back in the page from the address itself."""
    user = make_user("rita")
    topic = make_topic(owner=user, name="Reflections")
    make_card(topic, user, front="Reflected?", back="Yes")
    client = Client()
    client.force_login(user)
    pages = Pages(client)
    anonymous = Pages(Client())
    for index, payload in enumerate(PAYLOADS):
        q = quote(payload)
        # Echoed back: the search words and the address to go on to after logging in.
        pages.get(f"/search/?q={q}")
        pages.get(f"/search/?q={q}", htmx=True)
        anonymous.get(f"/accounts/login/?next={q}")
        if index % 4:
            continue
        # Read to choose what to show: a sample of the corpus is enough.
        pages.get(f"/topics/{topic.pk}/?page={q}")
        pages.get(f"/study/?topic={q}")
        pages.get(f"/quiz/?topic={q}")
        pages.get(f"/mock/?interview={q}")
        pages.get(f"/mock/questions/?area={q}")
        pages.get(f"/interviews/questions/?category={q}")
        pages.get(f"/cards/new/?topic={q}")
    # What the search box sends back is shown as typed.
    text = pages.get(f"/search/?q={quote(PAYLOADS[0])}")
    assert PAYLOADS[0] in text


# The Content-Security-Policy ----------------------------------------------------------------


def test_every_html_response_forbids_inline_script():
    """Every page, fragment, refusal and error the app answers with."""
    user = make_user("cecil")
    topic = make_topic(owner=user, name="Policy")
    card = make_card(topic, user, front="Policy?", back="Strict")
    interview = make_interview(user)
    client = Client()
    client.force_login(user)
    written_question = QuestionToAsk.objects.create(user=user, category="team", text="Who?")
    item = ChecklistItem.objects.create(interview=interview, text="Who?", position=1)
    mine = InterviewerQuestion.objects.create(
        owner=user, area="technical", text="Why?", key_points=["because"]
    )
    session = StudySession.objects.create(user=user)
    session.topics.set([topic])
    checked = 0

    def check(response, url):
        nonlocal checked
        assert response.status_code < 500, url
        if is_html(response):
            assert_csp(response, url)
            checked += 1

    urls = [
        "/",
        "/topics/",
        "/topics/new/",
        f"/topics/{topic.pk}/",
        f"/topics/{topic.pk}/edit/",
        f"/topics/{topic.pk}/delete/",
        "/cards/new/",
        f"/cards/{card.pk}/",
        f"/cards/{card.pk}/edit/",
        f"/cards/{card.pk}/delete/",
        "/search/?q=policy",
        "/progress/",
        "/study/",
        f"/study/{session.pk}/",
        f"/study/{session.pk}/summary/",
        "/quiz/",
        "/interviews/",
        "/interviews/new/",
        f"/interviews/{interview.pk}/",
        f"/interviews/{interview.pk}/edit/",
        f"/interviews/{interview.pk}/delete/",
        f"/interviews/{interview.pk}/checklist/print/",
        "/interviews/questions/",
        f"/interviews/questions/{written_question.pk}/edit/",
        "/mock/",
        "/mock/questions/",
        "/mock/questions/new/",
        f"/mock/questions/{mine.pk}/",
        f"/mock/questions/{mine.pk}/edit/",
        f"/mock/questions/{mine.pk}/delete/",
        "/accounts/settings/",
        "/accounts/password_change/",
        # errors: a foreign or missing id, a missing page, a wrong method
        "/cards/999999/",
        "/interviews/999999/",
        "/no-such-page/",
        f"/study/{session.pk}/grade/",
    ]
    for url in urls:
        check(client.get(url), url)
        check(client.get(url, HTTP_HX_REQUEST="true"), f"{url} (htmx)")
    # Refused writes re-render or redirect with a message; htmx ones answer a fragment.
    posts = [
        ("/topics/new/", {"name": ""}),
        ("/cards/new/", {"front": ""}),
        (f"/study/{session.pk}/grade/", {"prompt": "x"}),
        ("/quiz/", {"size": "0"}),
        ("/interviews/new/", {"company": ""}),
        (f"/interviews/{interview.pk}/checklist/new/", {"text": ""}),
        (f"/interviews/{interview.pk}/checklist/{item.pk}/", {"answer": "x" * 6000}),
        (f"/interviews/{interview.pk}/checklist/reorder/", {"item": "x"}),
        ("/interviews/questions/", {"text": ""}),
        ("/mock/", {"count": "0"}),
        ("/mock/questions/new/", {"text": ""}),
        ("/accounts/settings/", {"new_cards_per_day": "-1"}),
    ]
    for url, data in posts:
        check(client.post(url, data), f"POST {url}")
        check(client.post(url, data, HTTP_HX_REQUEST="true"), f"POST {url} (htmx)")
    # Pages for people not logged in, and a forged form.
    anonymous = Client()
    for url in [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password_reset/",
        "/admin/login/",
        "/topics/",
    ]:
        check(anonymous.get(url), f"anonymous {url}")
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(user)
    response = forged.post("/topics/new/", {"name": "Forged"})
    assert response.status_code == 403
    check(response, "CSRF failure")
    assert checked >= 2 * len(urls)


def test_imported_files_keep_payloads_harmless(django_capture_on_commit_callbacks):
    """Cards imported from a CSV file, from the preview to the pages that show them."""
    try:
        upload_url = reverse("cards:import")
    except NoReverseMatch:
        pytest.skip("CSV import is not built yet (no cards:import page)")
    from cards import imports as importing
    from cards.models import ImportJob

    user = make_user("imogen")
    client = Client()
    client.force_login(user)
    pages = Pages(client)
    content, shown = import_csv()
    with django_capture_on_commit_callbacks(execute=True):  # the worker reads the file
        response = client.post(
            upload_url, {"file": SimpleUploadedFile("payloads.csv", content, "text/csv")}
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    job = ImportJob.objects.get(owner=user)
    text = pages.get(f"/import/{job.pk}/")  # the preview: rows and the refused lines
    assert "the topic name “<>\"'&” needs at least one letter or digit" in text, text[-3000:]
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/import/{job.pk}/confirm/", {"on_duplicate": "skip"})
    assert response.status_code == 302
    importing.run_import(job_id=job.pk)
    pages.get(f"/import/{job.pk}/")
    pages.get(f"/import/{job.pk}/", htmx=True)
    pages.get(upload_url)
    cards = Card.objects.filter(owner=user)
    assert cards.count() == len(PAYLOADS)
    for card in cards:
        url = f"/cards/{card.pk}/"
        assert_shows(pages.get(url), shown[card.front], url)
        topic_markers = [shown[card.front][i] for i in (0, 2, 3)]  # the list shows no backs
        assert_shows(pages.get(f"/topics/{card.topic_id}/"), topic_markers, "topic")
    assert_shows(pages.get("/topics/"), [m[3] for m in shown.values()], "/topics/")
