"""A corpus of cross-site scripting payloads, and a person who writes them into
every field the app lets them write, through the real forms.

Every payload, if it ever ran, would set ``window.__xss`` or open a dialog
(``alert``), so a browser test sees it at once. Images point at ``xssimg``, a
relative URL that answers 404: tests expect those requests to fail.

Each stored text starts with a *marker* (``okay-<field>-<nn>``): a plain word
that must still be visible on the page once the rest has been escaped or
sanitized, to prove the person's text is shown and not silently dropped.
"""

from dataclasses import dataclass, field

from django.test import Client

# (category, payload). No NUL bytes here (the forms refuse them; the fuzz tests
# cover that) and no ``{{``/``}}``, which are the cloze syntax.
CORPUS: list[tuple[str, str]] = [
    # Script tags, plain and mangled
    ("script", "<script>window.__xss=1</script>"),
    ("script", "<SCRIPT>alert(1)</SCRIPT>"),
    ("script", '<script src="data:text/javascript,window.__xss=1"></script>'),
    ("script", "<script>/*</script><script>*/window.__xss=1</script>"),
    ("script", "<scr<script>ipt>window.__xss=1</scr</script>ipt>"),
    ("script", '"><script>window.__xss=1</script>'),
    ("script", "'><script>alert(1)</script>"),
    ("script", "</textarea><script>window.__xss=1</script>"),
    ("script", "</title><script>window.__xss=1</script>"),
    ("script", '<script type="module">window.__xss=1</script>'),
    ("script", "<<script>script>window.__xss=1<</script>/script>"),
    ("script", "</p></div></section></main><script>window.__xss=1</script>"),
    # Event handlers
    ("handler", "<img src=xssimg onerror=window.__xss=1>"),
    ("handler", '<img src="xssimg" onerror="alert(1)">'),
    ("handler", "<IMG SRC=xssimg oNeRrOr=alert(1)>"),
    ("handler", "<img src=xssimg onerror=&#97;&#108;&#101;&#114;&#116;(1)>"),
    ("handler", "<img/src=xssimg/onerror=window.__xss=1>"),
    ("handler", "<body onload=window.__xss=1>"),
    ("handler", '<div onmouseover="window.__xss=1">hover me</div>'),
    ("handler", "<details open ontoggle=window.__xss=1><summary>x</summary></details>"),
    ("handler", "<input autofocus onfocus=window.__xss=1>"),
    ("handler", "<marquee onstart=window.__xss=1>m</marquee>"),
    ("handler", "<video><source onerror=window.__xss=1></video>"),
    ("handler", "<audio src=xssimg onerror=window.__xss=1>"),
    ("handler", '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>'),
    ("handler", '" onmouseover="window.__xss=1'),
    ("handler", "' onfocus='window.__xss=1' autofocus='"),
    ("handler", "<a href=# onclick=window.__xss=1>click</a>"),
    ("handler", "<style onload=window.__xss=1></style>"),
    ("handler", "<form><button formaction=javascript:window.__xss=1>x</button></form>"),
    # javascript:, data: and friends in links and frames
    ("url", '<a href="javascript:window.__xss=1">click</a>'),
    ("url", '<a href="JaVaScRiPt:alert(1)">click</a>'),
    ("url", '<a href="&#106;avascript:alert(1)">click</a>'),
    ("url", '<a href="java&#x09;script:alert(1)">click</a>'),
    ("url", '<a href=" javascript:alert(1)">click</a>'),
    ("url", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>'),
    ("url", '<a href="vbscript:msgbox(1)">click</a>'),
    ("url", '<iframe src="javascript:parent.__xss=1"></iframe>'),
    ("url", '<object data="javascript:window.__xss=1"></object>'),
    ("url", '<embed src="javascript:window.__xss=1">'),
    ("url", '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">'),
    ("url", '<base href="javascript:window.__xss=1//">'),
    # SVG and MathML
    ("svg", "<svg onload=window.__xss=1>"),
    ("svg", "<svg><script>window.__xss=1</script></svg>"),
    ("svg", "<svg><animate onbegin=window.__xss=1 attributeName=x dur=1s>"),
    ("svg", '<svg><a xlink:href="javascript:window.__xss=1"><text x="9" y="9">t</text></a></svg>'),
    ("svg", "<svg><foreignObject><img src=xssimg onerror=window.__xss=1></foreignObject></svg>"),
    ("svg", "<svg><set attributeName=onmouseover to=alert(1)>"),
    ("svg", "<math><mtext><table><mglyph><style><img src=xssimg onerror=window.__xss=1>"),
    # Malformed markup
    ("malformed", "<img src=xssimg onerror=window.__xss=1//"),
    ("malformed", "<<img src=xssimg onerror=window.__xss=1>>"),
    ("malformed", '<!--<img src="--><img src=xssimg onerror=window.__xss=1>-->'),
    ("malformed", '<noscript><p title="</noscript><img src=xssimg onerror=window.__xss=1>">'),
    ("malformed", "<xmp><img src=xssimg onerror=window.__xss=1></xmp>"),
    ("malformed", "<textarea><img src=xssimg onerror=window.__xss=1></textarea>"),
    ("malformed", '<div title="&quot;><img src=xssimg onerror=window.__xss=1>">'),
    ("malformed", "<![CDATA[<script>window.__xss=1</script>]]>"),
    ("malformed", "<a href='x' title='a\"b' onclick='window.__xss=1'>q</a"),
    ("malformed", "<img src=xssimg onerror\x0b=window.__xss=1>"),
    # Markdown link and image tricks
    ("markdown", "[click](javascript:window.__xss=1)"),
    ("markdown", "[click](JAVASCRIPT:alert(1))"),
    ("markdown", "[click](javascript&#58;alert(1))"),
    ("markdown", '[click](  javascript:alert(1)  "title")'),
    ("markdown", "[click](<javascript:alert(1)>)"),
    ("markdown", "![picture](javascript:window.__xss=1)"),
    ("markdown", '![picture" onerror="window.__xss=1](xssimg)'),
    ("markdown", '![picture](xssimg "t\\" onerror=\\"window.__xss=1")'),
    ("markdown", "[click][ref]\n\n[ref]: javascript:window.__xss=1"),
    ("markdown", "<javascript:alert(1)>"),
    ("markdown", "[click](data:text/html,<script>alert(1)</script>)"),
    ("markdown", '[a](#"onmouseover="window.__xss=1)'),
    ("markdown", "`<script>window.__xss=1</script>`"),
    ("markdown", "```html\n<script>window.__xss=1</script>\n```"),
    ("markdown", '```"><script>window.__xss=1</script>\nx\n```'),
    ("markdown", '[click](https://example.com/"onmouseover="window.__xss=1)'),
    # Math input, typeset by KaTeX in the page
    ("math", "$$\\href{javascript:window.__xss=1}{click}$$"),
    ("math", "\\(\\url{javascript:alert(1)}\\)"),
    ("math", "$x$<img src=xssimg onerror=window.__xss=1>$y$"),
    ("math", "$$</div><script>window.__xss=1</script>$$"),
    ("math", "\\[\\includegraphics{javascript:alert(1)}\\]"),
    ("math", '<span class="math">\\href{javascript:window.__xss=1}{x}</span>'),
    ("math", "$\\textcolor{red}{<img src=xssimg onerror=window.__xss=1>}$"),
    ("math", "$$\\htmlData{onclick=window.__xss=1}{x}$$"),
    # Gadgets in the page's own scripts (htmx, Bootstrap)
    ("gadget", '<div hx-get="/" hx-trigger="load" hx-on::after-request="window.__xss=1">h</div>'),
    ("gadget", '<div hx-on:click="window.__xss=1" data-hx-on:load="window.__xss=1">h</div>'),
    (
        "gadget",
        '<b data-bs-toggle="tooltip" data-bs-html="true" '
        'title="<img src=xssimg onerror=window.__xss=1>">b</b>',
    ),
    ("gadget", "<img src=xssimg hx-trigger=load hx-get=/ hx-swap=outerHTML>"),
]

PAYLOADS: list[str] = [payload for _category, payload in CORPUS]
CATEGORIES = sorted({category for category, _payload in CORPUS})


def marker(code: str, index: int) -> str:
    """The plain word that starts a stored text: it must stay visible."""
    return f"okay-{code}-{index:02d}"


def fit(text: str, limit: int) -> str:
    """Cut to a field's length limit (a cut payload is malformed markup: fine)."""
    return text[:limit]


# Writing them through the real forms ----------------------------------------------------


@dataclass
class Written:
    """What was written where, for the tests to look for."""

    user: object
    client: Client
    refused: dict[str, int] = field(default_factory=dict)
    # field code -> {object id -> marker}
    markers: dict[str, dict[int, str]] = field(default_factory=dict)

    def note(self, code: str, pk: int, mark: str) -> None:
        self.markers.setdefault(code, {})[pk] = mark

    def refuse(self, code: str) -> None:
        self.refused[code] = self.refused.get(code, 0) + 1


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, data: dict, **extra):
    response = client.post(url, data, **extra)
    assert response.status_code < 500, (url, response.status_code)
    return response


def write_topics(written: Written) -> None:
    """A topic per payload: its name and its description."""
    from cards.models import Topic

    for index, payload in enumerate(PAYLOADS):
        name = fit(f"{marker('tn', index)} {payload}", 80)
        description = f"{marker('td', index)}\n{payload}"
        response = _post(written.client, "/topics/new/", {"name": name, "description": description})
        if response.status_code != 302:
            written.refuse("topic")
            continue
        topic = Topic.objects.get(owner=written.user, name=name.strip())
        written.note("tn", topic.pk, marker("tn", index))
        written.note("td", topic.pk, marker("td", index))


def payload_topic(written: Written, name: str = "Payload cards"):
    from cards.models import Topic

    response = _post(written.client, "/topics/new/", {"name": name, "description": ""})
    assert response.status_code == 302
    return Topic.objects.get(owner=written.user, name=name)


def write_cards(written: Written, topic) -> None:
    """A basic and a cloze card per payload: front, back, tags and the cloze deletions."""
    from cards.models import Card

    for index, payload in enumerate(PAYLOADS):
        basic = {
            "topic": topic.pk,
            "kind": "basic",
            "front": f"{marker('cf', index)}\n\n{payload}",
            "back": f"{marker('cb', index)}\n\n{payload}",
            # With a comma in it, the tag input is split on commas only: the
            # payload is one tag (cut to the tag name's 100 characters).
            "tags": f"{marker('tg', index)}, {fit(payload.replace(',', ' '), 100)}",
        }
        cloze = {
            "topic": topic.pk,
            "kind": "cloze",
            # The payload around the deletion, as the deletion and as its hint.
            "front": f"{marker('cz', index)}\n\n{payload} {{{{c1::{payload}::{payload}}}}}",
            "back": f"{marker('zb', index)}\n\n{payload}",
            "tags": "",
        }
        for code, data in (("cf", basic), ("cz", cloze)):
            before = set(Card.objects.filter(owner=written.user).values_list("pk", flat=True))
            response = _post(written.client, "/cards/new/", data)
            if response.status_code != 302:
                written.refuse(f"card-{data['kind']}")
                continue
            (pk,) = set(Card.objects.filter(owner=written.user).values_list("pk", flat=True)) - (
                before
            )
            back_code = "cb" if code == "cf" else "zb"
            written.note(code, pk, marker(code, index))
            written.note(back_code, pk, marker(back_code, index))
            if code == "cf":
                written.note("tg", pk, marker("tg", index))


INTERVIEW_FORM = {
    "scheduled_at": "2099-06-01T10:00",
    "timezone": "UTC",
    "duration_minutes": "60",
    "stage": "technical",
    "status": "upcoming",
    "links": "",
}

# Links must be web addresses: the dangerous ones are refused, the odd but
# valid ones are kept and shown.
LINK_PAYLOADS = [
    ("refused", "javascript:window.__xss=1"),
    ("refused", "JAVASCRIPT:alert(1)"),
    ("refused", "data:text/html,<script>window.__xss=1</script>"),
    ("refused", " javascript:alert(1)"),
    ("refused", "vbscript:msgbox(1)"),
    ("kept", 'https://example.com/"><script>window.__xss=1</script>'),
    ("kept", "https://example.com/?q=<img/src=xssimg/onerror=window.__xss=1>"),
    ("kept", "https://example.com/#\"onmouseover='window.__xss=1'"),
]


def write_interviews(written: Written, topics=()) -> list:
    """An interview per payload: company, role and notes; then the link payloads."""
    from interviews.models import Interview

    created = []
    for index, payload in enumerate(PAYLOADS):
        data = {
            **INTERVIEW_FORM,
            "company": fit(f"{marker('ic', index)} {payload}", 120),
            "role": fit(f"{marker('ir', index)} {payload}", 120),
            "notes": f"{marker('in', index)}\n{payload}",
            "topics": [topic.pk for topic in topics],
        }
        response = _post(written.client, "/interviews/new/", data)
        if response.status_code != 302:
            written.refuse("interview")
            continue
        interview = Interview.objects.filter(user=written.user).latest("pk")
        for code in ("ic", "ir", "in"):
            written.note(code, interview.pk, marker(code, index))
        created.append(interview)
    for index, (expected, link) in enumerate(LINK_PAYLOADS):
        data = {
            **INTERVIEW_FORM,
            "company": marker("lc", index),
            "role": "Links",
            "notes": "",
            "links": link,
        }
        response = _post(written.client, "/interviews/new/", data)
        if expected == "refused":
            assert response.status_code == 200, link
            assert "is not a web address" in response.content.decode(), link
            written.refuse("link")
        else:
            assert response.status_code == 302, link
            interview = Interview.objects.filter(user=written.user).latest("pk")
            written.note("lc", interview.pk, marker("lc", index))
            created.append(interview)
    return created


def write_checklist(written: Written, interview) -> None:
    """A question to ask per payload (kept in the bank too), and the answer heard."""
    from interviews.models import ChecklistItem

    for index, payload in enumerate(PAYLOADS):
        text = fit(f"{marker('ck', index)} {payload}", 500)
        response = _post(
            written.client,
            f"/interviews/{interview.pk}/checklist/new/",
            {"text": text, "category": "team", "save_to_bank": "on"},
        )
        if response.status_code != 302:
            written.refuse("checklist")
            continue
        item = ChecklistItem.objects.filter(interview=interview).latest("pk")
        written.note("ck", item.pk, marker("ck", index))
        response = _post(
            written.client,
            f"/interviews/{interview.pk}/checklist/{item.pk}/",
            {"asked": "on", "answer": f"{marker('ca', index)}\n{payload}"},
        )
        assert response.status_code == 302
        written.note("ca", item.pk, marker("ca", index))


def write_question_bank(written: Written) -> None:
    """A question per payload written in the bank itself."""
    from interviews.models import QuestionToAsk

    for index, payload in enumerate(PAYLOADS):
        text = fit(f"{marker('qb', index)} {payload}", 500)
        response = _post(
            written.client, "/interviews/questions/", {"category": "culture", "text": text}
        )
        if response.status_code != 302:
            written.refuse("bank")
            continue
        question = QuestionToAsk.objects.filter(user=written.user).latest("pk")
        written.note("qb", question.pk, marker("qb", index))


MOCK_AREA = "machine-learning"


def write_interviewer_questions(written: Written) -> None:
    """An interviewer question per payload: its text and its key points."""
    from interviews.models import InterviewerQuestion

    for index, payload in enumerate(PAYLOADS):
        data = {
            "text": f"{marker('iq', index)} {payload}",
            "area": MOCK_AREA,
            "key_points_text": f"{marker('kp', index)}\n{fit(payload, 300)}",
        }
        if index % 2:
            data["star"] = "on"
        response = _post(written.client, "/mock/questions/new/", data)
        if response.status_code != 302:
            written.refuse("interviewer-question")
            continue
        question = InterviewerQuestion.objects.filter(owner=written.user).latest("pk")
        written.note("iq", question.pk, marker("iq", index))
        written.note("kp", question.pk, marker("kp", index))


def start_mock(written: Written, count: int = 20):
    from interviews.models import MockSession

    response = _post(
        written.client,
        "/mock/",
        {"areas": [MOCK_AREA], "count": str(count), "time_limit_seconds": "3600"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return MockSession.objects.filter(user=written.user).latest("pk")


def mock_answer_text(written: Written, answer) -> str:
    """The answer typed to a question: the payload of that question."""
    index = PAYLOADS.index(answer.question.text.split(" ", 1)[1])
    written.note("ma", answer.pk, marker("ma", index))
    return f"{marker('ma', index)}\n{PAYLOADS[index]}"


def answer_mock_session(written: Written, session, *, visit=None) -> None:
    """Type, submit and score every question of a mock session through the forms.
    ``visit(state, answer)`` is called with the page in each state (a browser test
    looks at it there)."""
    base = f"/mock/{session.pk}"
    for answer in session.answers.select_related("question").order_by("position"):
        text = mock_answer_text(written, answer)
        response = _post(written.client, f"{base}/save/", {"answer": answer.pk, "text": text})
        assert response.status_code == 302
        if visit:
            visit("answering", answer)
        response = _post(written.client, f"{base}/submit/", {"answer": answer.pk, "text": text})
        assert response.status_code == 302
        if visit:
            visit("scoring", answer)
        response = _post(written.client, f"{base}/score/", {"answer": answer.pk, "covered": [0]})
        assert response.status_code == 302


def answer_quiz(written: Written, quiz, *, limit: int | None = None) -> int:
    """Mark the quiz's cards one after the other, each with a payload typed as the
    answer; returns how many were marked."""
    from cards.quiz import services as quiz_services

    marked = 0
    while limit is None or marked < limit:
        item = quiz_services.current_item(quiz=quiz)
        if item is None:
            break
        index = (item.position - 1) % len(PAYLOADS)
        text = f"{marker('qt', index)}\n{PAYLOADS[index]}"
        response = _post(
            written.client,
            f"/quiz/{quiz.pk}/answer/",
            {"item": item.pk, "result": "wrong", "typed_answer": text},
        )
        assert response.status_code == 302
        written.note("qt", item.pk, marker("qt", index))
        marked += 1
    return marked


def start_quiz(written: Written, topic):
    from cards.models import Quiz

    response = _post(
        written.client, "/quiz/", {"topics": [topic.pk], "size": "100", "mode": "random"}
    )
    assert response.status_code == 302
    return Quiz.objects.filter(user=written.user).latest("pk")


def start_study(written: Written, topic):
    from cards.models import StudySession

    response = _post(
        written.client, "/accounts/settings/", {"new_cards_per_day": "500", "timezone": "UTC"}
    )
    assert response.status_code == 302
    response = _post(written.client, "/study/", {"topics": [topic.pk]})
    assert response.status_code == 302
    return StudySession.objects.filter(user=written.user).latest("pk")


def write_everything(user) -> "Everything":
    """Every field a person can write, holding every payload."""
    written = Written(user=user, client=logged_in_client(user))
    write_topics(written)
    topic = payload_topic(written)
    write_cards(written, topic)
    interviews = write_interviews(written, topics=[topic])
    write_checklist(written, interviews[0])
    write_question_bank(written)
    write_interviewer_questions(written)
    return Everything(written=written, topic=topic, interviews=interviews)


@dataclass
class Everything:
    written: Written
    topic: object
    interviews: list


# Imported files ---------------------------------------------------------------------------


def import_csv() -> tuple[bytes, dict[str, list[str]]]:
    """A CSV file of cards with a payload in every column, and rows that are
    refused (their error messages quote the text): the bytes, and the markers
    each imported card shows (front, back, tag) by line."""
    import csv
    import io

    out = io.StringIO()
    rows = csv.writer(out)
    rows.writerow(["front", "back", "topic", "tags"])
    shown: dict[str, list[str]] = {}
    for index, payload in enumerate(PAYLOADS):
        front = f"{marker('if', index)}\n\n{payload}"
        rows.writerow(
            [
                front,
                f"{marker('ib', index)}\n\n{payload}",
                fit(f"{marker('it', index)} {payload}", 80),
                f"{marker('ig', index)}, {fit(payload.replace(',', ' '), 100)}",
            ]
        )
        shown[front] = [marker(code, index) for code in ("if", "ib", "ig", "it")]
    # Refused lines: a topic with no letter, a front with no back.
    for payload in PAYLOADS[:10]:
        rows.writerow([f"refused {payload}", payload, "<>\"'&", ""])
        rows.writerow([f"no back {payload}", "", "Imported", payload])
    return out.getvalue().encode(), shown
