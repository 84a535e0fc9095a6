"""Bad input of any kind: Hypothesis throws arbitrary text at every form the app
has (NUL bytes, lone surrogates and other invalid UTF-8, right-to-left marks,
emoji, control characters, markup, strings up to about a megabyte, missing
fields, numbers where text goes and text where numbers go) as a logged-in
person, plain and through htmx.

For every request: never a 500 (the test client re-raises any exception, so a
crash fails loudly); when the answer says the input was refused (a 4xx, a form
error, a warning, an htmx "refused" trigger) it also says why, in words, and
nothing in the database changed; when it says the input was taken, the data is
whole (every card has its prompts, every review its progress, ...).

The Markdown renderer gets the same text and fragments of markup glued
together: it never raises and never lets a script, an event handler or a
javascript: URL through.

PREP_FUZZ_EXAMPLES sets the number of examples per form (default 30).
"""

import os
from urllib.parse import quote_from_bytes

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cards.markdown import cloze_side, render_markdown
from cards.models import (
    Card,
    Prompt,
    Quiz,
    ReviewLog,
    Topic,
)
from interviews.models import (
    PracticeArea,
    QuestionCategory,
    QuestionToAsk,
    Stage,
    Status,
)
from tests.factories import PASSWORD, make_topic, make_user
from tests.security.outcomes import (
    assert_whole,
    changed_tables,
    encode,
    exercise,
    snapshot,
    what_was_said,
)
from tests.security.payloads import PAYLOADS
from tests.security.test_xss import read

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("PREP_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis folder in the tree; a failure prints its example
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# Strategies ---------------------------------------------------------------------------------

TRICKY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00" * 100,
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",  # RTL text
    "\u200b\u200c\u200d\ufeff",  # zero-width characters and a BOM
    "👩‍👩‍👧‍👦" * 30,
    "🙂" * 5001,
    "é" * 10_001,
    "x" * 10_001,
    "Z̴̡̢̛͓̈́a̸͖̓l̵̨̈g̴̙̈́o̸͚͛" * 20,
    "\r\n" * 300,
    "\t\x0b\x0c\x1b[31m\x7f",
    "' OR 1=1 --",
    '"; DROP TABLE cards_card; --',
    "%s %d %n {0} {} ${x} {{ x }} {% debug %}",
    "{{c1::x}}",
    "{{c1::}}",
    "{{c0::x}} {{c99999999999999999999::y}}",
    "$$\\frac{1}{0}$$ \\(x\\)",
    "9" * 400,
    "-1",
    "1e309",
    "NaN",
    "0x10",
    "１２",  # full-width digits
    "٣",  # Arabic-Indic digit
    "2026-02-30T25:61",
    "Europe/Nowhere",
    "../../../etc/passwd",
    *PAYLOADS[:20],
]
WEIRD_ALPHABET = list("\x00\x01\x1f\x7f\u202e\u200f\u0645\u05d0🙂\r\n\t <>&\"'{}:c1$\\`[]()!#*_~|")


def _with_surrogates(draw_text: str, positions: list[int]) -> str:
    chars = list(draw_text)
    for offset, position in enumerate(positions):
        chars.insert(position % (len(chars) + 1), chr(0xD800 + offset % 0x800))
    return "".join(chars)


normal_text = st.one_of(
    st.text(max_size=200),
    st.sampled_from(TRICKY),
    st.text(alphabet=WEIRD_ALPHABET, max_size=200),
    st.binary(max_size=200),  # raw bytes: mostly invalid UTF-8
    st.builds(_with_surrogates, st.text(max_size=50), st.lists(st.integers(0, 60), max_size=3)),
)
# Now and then, a string of up to a megabyte.
huge_text = st.builds(
    lambda chunk, times: (chunk * times)[:1_000_000],
    st.text(min_size=1, max_size=4),
    st.integers(1_000, 250_000),
)
text = st.integers(0, 24).flatmap(lambda n: huge_text if n == 0 else normal_text)
integers = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["0", "1", "2", "3", "4", "5", "-1", "32767", "32768", "2147483648"]),
)


def sometimes(*valid, junk=text):
    """A valid value three times in four, otherwise junk or nothing at all."""
    valid_values = st.one_of(*valid)
    return st.integers(0, 7).flatmap(
        lambda n: valid_values if n < 6 else (st.none() if n == 6 else junk)
    )


def choice(values):
    return sometimes(st.sampled_from([str(v) for v in values]))


def many(*valid):
    return st.one_of(
        st.lists(sometimes(*valid), max_size=4), st.none(), text.map(lambda value: [value])
    )


checkbox = st.sampled_from([None, "on", "true", "", "off", "0", "\x00"])
htmx = st.booleans()


class Pick(int):
    """The n-th object of a list that is only known when the test runs (strategies
    must not depend on what earlier examples wrote)."""


pick = st.integers(0, 50).map(Pick)


def resolve(value, objects):
    """A Pick becomes the id of one of ``objects`` (or a missing id when there is none);
    anything else is sent as it is; lists are resolved item by item."""
    if isinstance(value, list):
        return [resolve(item, objects) for item in value]
    if isinstance(value, Pick):
        objects = list(objects)
        return str(objects[value % len(objects)].pk) if objects else "999999"
    return value


# Accounts -----------------------------------------------------------------------------------


@FUZZ
@given(
    username=sometimes(st.from_regex(r"\A[\w.@+-]{1,20}\Z")),
    email=sometimes(st.emails()),
    passwords=st.one_of(
        st.tuples(text, text), text.map(lambda p: (p, p)), st.just((PASSWORD, PASSWORD))
    ),
    zone=choice(["UTC", "Europe/Paris", "America/New_York"]),
    htmx=htmx,
)
def test_sign_up(db, username, email, passwords, zone, htmx):
    cache.clear()  # each example is a new visitor: the sign-up limits are tested elsewhere
    exercise(
        Client(),
        "/accounts/signup/",
        {
            "username": username,
            "email": email,
            "password1": passwords[0],
            "password2": passwords[1],
            "timezone": zone,
        },
        htmx=htmx,
    )


@FUZZ
@given(
    per_day=sometimes(st.integers(-5, 600).map(str), junk=st.one_of(integers, text)),
    zone=choice(["UTC", "Asia/Tokyo", "Pacific/Chatham"]),
    htmx=htmx,
)
def test_settings(world, per_day, zone, htmx):
    exercise(
        world["client"],
        "/accounts/settings/",
        {"new_cards_per_day": per_day, "timezone": zone},
        htmx=htmx,
    )


@FUZZ
@given(
    old=sometimes(st.just(PASSWORD)),
    new=st.one_of(st.tuples(text, text), text.map(lambda p: (p, p))),
)
def test_password_change(world, old, new):
    exercise(
        world["client"],
        "/accounts/password_change/",
        {"old_password": old, "new_password1": new[0], "new_password2": new[1]},
    )


# Topics and cards ---------------------------------------------------------------------------


@FUZZ
@given(name=text, description=text, htmx=htmx, edit=st.booleans())
@example(name="\x00", description="", htmx=False, edit=False)
@example(name="a" * 81, description="", htmx=False, edit=True)
def test_topic_create_and_edit(world, name, description, htmx, edit):
    url = f"/topics/{world['topic'].pk}/edit/" if edit else "/topics/new/"
    exercise(world["client"], url, {"name": name, "description": description}, htmx=htmx)


@pytest.mark.parametrize("name", ["Fuzz!", "fuzz", " FUZZ ", "Fuzz."])
def test_topic_names_that_differ_only_in_punctuation(client, name):
    """Found by the fuzzing: a name that differs from one of the person's topics
    only in case, spacing or punctuation has the same slug, and used to pass the
    form and crash on the unique (owner, slug) constraint (a 500)."""
    user = make_user("punctual")
    client.force_login(user)
    make_topic(owner=user, name="Fuzz")
    before = Topic.objects.count()
    response = client.post("/topics/new/", {"name": name, "description": ""})
    assert response.status_code == 200
    assert Topic.objects.count() == before
    said, _error_page = what_was_said(response)
    assert any("already have a topic" in message for message in said), said


@FUZZ
@given(
    topic=sometimes(st.just("T")),
    kind=choice(Card.Kind.values),
    front=text,
    back=text,
    tags=text,
    suspended=checkbox,
    htmx=htmx,
    edit=st.booleans(),
)
@example(
    topic="T",
    kind="cloze",
    front="{{c1::a}}\x00",
    back="",
    tags="",
    suspended=None,
    htmx=False,
    edit=True,
)
@example(
    topic="T",
    kind="basic",
    front="Q?",
    back="A",
    tags="t" * 101,
    suspended=None,
    htmx=True,
    edit=False,
)
def test_card_create_and_edit(world, topic, kind, front, back, tags, suspended, htmx, edit):
    card = world["cards"][0]
    url = f"/cards/{card.pk}/edit/" if edit else "/cards/new/"
    data = {
        "topic": str(world["topic"].pk) if topic == "T" else topic,
        "kind": kind,
        "front": front,
        "back": back,
        "tags": tags,
        "suspended": suspended,
    }
    exercise(world["client"], url, data, htmx=htmx)


def test_a_tag_longer_than_100_characters(client):
    """Found by the fuzzing: a tag holds 100 characters, and a longer one used to
    pass the form (PostgreSQL then refused the row: a 500; SQLite stored it)."""
    user = make_user("tagger")
    client.force_login(user)
    topic = make_topic(owner=user, name="Tags")
    data = {"topic": topic.pk, "kind": "basic", "front": "Tag?", "back": "Long", "tags": "t" * 101}
    response = client.post("/cards/new/", data)
    assert response.status_code == 200, "the card was saved with a 101-character tag"
    assert "100" in response.content.decode()
    assert not Card.objects.filter(owner=user).exists()


@FUZZ
@given(q=text, page=st.one_of(st.none(), text, integers), htmx=htmx)
def test_search(world, q, page, htmx):
    params = {"q": q, "page": page}
    query = "&".join(
        f"{name}={quote_from_bytes(encode(value))}"
        for name, value in params.items()
        if value is not None
    )
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = world["client"].get(f"/search/?{query}", **extra)
    assert response.status_code in (200, 400)


# Studying and quizzes -------------------------------------------------------------------


@FUZZ
@given(data=st.data(), htmx=htmx)
def test_study_grade_and_undo(world, data, htmx):
    prompts = Prompt.objects.filter(card__owner=world["user"])
    session = world["session"]
    form = data.draw(
        st.fixed_dictionaries(
            {
                "prompt": sometimes(pick, junk=st.one_of(integers, text)),
                "rating": sometimes(
                    st.sampled_from(["1", "2", "3", "4"]), junk=st.one_of(integers, text)
                ),
                "reps": sometimes(st.sampled_from(["0", "1", "2"]), junk=st.one_of(integers, text)),
                "shown_at": st.one_of(st.none(), integers, text),
            }
        )
    )
    form["prompt"] = resolve(form["prompt"], prompts)
    exercise(world["client"], f"/study/{session.pk}/grade/", form, htmx=htmx)
    reviews = ReviewLog.objects.filter(user=world["user"]).order_by("pk")
    undo = resolve(data.draw(sometimes(pick, junk=st.one_of(integers, text))), reviews)
    exercise(world["client"], f"/study/{session.pk}/undo/", {"review": undo}, htmx=htmx)


@FUZZ
@given(
    data=st.data(),
    size=sometimes(st.integers(-3, 120).map(str), junk=st.one_of(integers, text)),
    mode=choice(Quiz.Mode.values),
    count=checkbox,
    htmx=htmx,
)
def test_quiz_start(world, data, size, mode, count, htmx):
    topics = data.draw(many(st.just(str(world["topic"].pk)), st.just("999999")))
    exercise(
        world["client"],
        "/quiz/",
        {"topics": topics, "size": size, "mode": mode, "count_as_reviews": count},
        htmx=htmx,
    )


@FUZZ
@given(data=st.data(), htmx=htmx)
def test_quiz_answer(world, data, htmx):
    quiz = world["quiz"]
    form = data.draw(
        st.fixed_dictionaries(
            {
                "item": sometimes(pick, junk=st.one_of(integers, text)),
                "result": choice(["right", "wrong"]),
                "typed_answer": text,
                "shown_at": st.one_of(st.none(), integers, text),
            }
        )
    )
    form["item"] = resolve(form["item"], quiz.items.order_by("pk"))
    exercise(world["client"], f"/quiz/{quiz.pk}/answer/", form, htmx=htmx)


# Interviews and their checklists ---------------------------------------------------------


@FUZZ
@given(
    company=text,
    role=text,
    scheduled=sometimes(st.sampled_from(["2030-01-02T09:30", "2026-12-01 14:30"]), junk=text),
    zone=choice(["UTC", "Europe/London", "Asia/Kolkata"]),
    duration=sometimes(st.integers(0, 700).map(str), junk=st.one_of(integers, text)),
    stage=choice(Stage.values),
    status=choice(Status.values),
    links=sometimes(
        st.sampled_from(["", "https://example.com/job", "http://x.test/a\nhttps://y.test"])
    ),
    notes=text,
    htmx=htmx,
    edit=st.booleans(),
)
def test_interview_create_and_edit(
    world, company, role, scheduled, zone, duration, stage, status, links, notes, htmx, edit
):
    url = f"/interviews/{world['interview'].pk}/edit/" if edit else "/interviews/new/"
    exercise(
        world["client"],
        url,
        {
            "company": company,
            "role": role,
            "scheduled_at": scheduled,
            "timezone": zone,
            "duration_minutes": duration,
            "stage": stage,
            "status": status,
            "links": links,
            "notes": notes,
            "topics": [str(world["topic"].pk)],
        },
        htmx=htmx,
    )


@FUZZ
@given(data=st.data(), htmx=htmx)
def test_checklist_add_new_and_from_bank(world, data, htmx):
    interview = world["interview"]
    form = data.draw(
        st.fixed_dictionaries(
            {"text": text, "category": choice(QuestionCategory.values), "save_to_bank": checkbox}
        )
    )
    exercise(world["client"], f"/interviews/{interview.pk}/checklist/new/", form, htmx=htmx)
    bank = QuestionToAsk.objects.filter(user=world["user"]).order_by("pk")
    questions = resolve(data.draw(many(pick, st.just("999999"))), bank)
    exercise(
        world["client"],
        f"/interviews/{interview.pk}/checklist/add/",
        {"questions": questions},
        htmx=htmx,
    )


@FUZZ
@given(data=st.data(), asked=checkbox, answer=text, htmx=htmx)
@example(data=None, asked="on", answer="\x00", htmx=True)
@example(data=None, asked=None, answer="x" * 5001, htmx=False)
def test_checklist_item_update(world, data, asked, answer, htmx):
    interview, items = world["interview"], world["items"]
    item = items[0] if data is None else data.draw(st.sampled_from(items))
    exercise(
        world["client"],
        f"/interviews/{interview.pk}/checklist/{item.pk}/",
        {"asked": asked, "answer": answer},
        htmx=htmx,
    )


@FUZZ
@given(data=st.data(), htmx=htmx)
def test_checklist_reorder_and_move(world, data, htmx):
    interview = world["interview"]
    ids = [str(pk) for pk in interview.checklist.order_by("pk").values_list("pk", flat=True)]
    order = data.draw(
        st.one_of(
            st.permutations(range(len(world["items"]))).map(lambda order: [ids[i] for i in order]),
            st.lists(st.one_of(pick, integers, text), max_size=6).map(
                lambda values: [ids[v % len(ids)] if isinstance(v, Pick) else v for v in values]
            ),
        )
    )
    exercise(
        world["client"],
        f"/interviews/{interview.pk}/checklist/reorder/",
        {"item": order},
        htmx=htmx,
    )
    item = data.draw(st.sampled_from(world["items"]))
    direction = data.draw(choice(["up", "down"]))
    exercise(
        world["client"],
        f"/interviews/{interview.pk}/checklist/{item.pk}/move/",
        {"direction": direction},
        htmx=htmx,
    )


@FUZZ
@given(category=choice(QuestionCategory.values), question=text, htmx=htmx, edit=st.booleans())
def test_question_bank_add_and_edit(world, category, question, htmx, edit):
    url = "/interviews/questions/"
    if edit:
        url = f"/interviews/questions/{world['bank'][0].pk}/edit/"
    exercise(world["client"], url, {"category": category, "text": question}, htmx=htmx)


# Mock interviews --------------------------------------------------------------------------


@FUZZ
@given(
    data=st.data(),
    count=sometimes(st.integers(-1, 25).map(str), junk=st.one_of(integers, text)),
    limit=sometimes(st.integers(0, 4000).map(str), junk=st.one_of(integers, text)),
    htmx=htmx,
)
def test_mock_start(world, data, count, limit, htmx):
    areas = data.draw(many(st.sampled_from(PracticeArea.values)))
    interview = data.draw(sometimes(st.just(str(world["interview"].pk)), st.just(""), junk=text))
    exercise(
        world["client"],
        "/mock/",
        {"areas": areas, "interview": interview, "count": count, "time_limit_seconds": limit},
        htmx=htmx,
    )


@FUZZ
@given(data=st.data(), answer_text=text, beacon=st.sampled_from([None, "1", "0"]), htmx=htmx)
@example(data=None, answer_text="typed\x00", beacon=None, htmx=True)
@example(data=None, answer_text="x" * 20_001, beacon=None, htmx=False)
def test_mock_save_submit_and_score(world, data, answer_text, beacon, htmx):
    mock, answers = world["mock"], world["answers"]
    client = world["client"]
    if data is None:
        answer, step, covered = str(answers[0].pk), "save", []
    else:
        answer = resolve(data.draw(sometimes(pick, junk=st.one_of(integers, text))), answers)
        step = data.draw(st.sampled_from(["save", "save", "submit", "score", "finish"]))
        covered = data.draw(
            st.lists(st.one_of(st.sampled_from(["0", "1", "2"]), integers, text), max_size=4)
        )
    if step == "save":
        form = {"answer": answer, "text": answer_text, "beacon": beacon}
        exercise(client, f"/mock/{mock.pk}/save/", form, htmx=htmx)
    elif step == "submit":
        exercise(
            client, f"/mock/{mock.pk}/submit/", {"answer": answer, "text": answer_text}, htmx=htmx
        )
    elif step == "score":
        exercise(
            client, f"/mock/{mock.pk}/score/", {"answer": answer, "covered": covered}, htmx=htmx
        )
    else:
        exercise(client, f"/mock/{mock.pk}/finish/", {}, htmx=htmx)


def lines(values) -> str:
    return "\n".join(v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in values)


@FUZZ
@given(
    question=text,
    area=choice(PracticeArea.values),
    key_points=st.one_of(text, st.lists(text, max_size=15).map(lines)),
    star=checkbox,
    htmx=htmx,
    edit=st.booleans(),
)
def test_mock_question_create_and_edit(world, question, area, key_points, star, htmx, edit):
    url = "/mock/questions/new/"
    if edit:
        url = f"/mock/questions/{world['questions'][0].pk}/edit/"
    exercise(
        world["client"],
        url,
        {"text": question, "area": area, "key_points_text": key_points, "star": star},
        htmx=htmx,
    )


# Query strings ------------------------------------------------------------------------------


@FUZZ
@given(data=st.data(), value=st.one_of(text, integers))
def test_query_strings(world, data, value):
    """Parameters the pages read from the address."""
    page, name = data.draw(
        st.sampled_from(
            [
                ("/search/", "q"),
                ("/search/", "page"),
                (f"/topics/{world['topic'].pk}/", "page"),
                ("/study/", "topic"),
                (f"/study/{world['session'].pk}/", "prompt"),
                (f"/study/{world['session'].pk}/", "reveal"),
                ("/quiz/", "topic"),
                ("/quiz/", "page"),
                ("/cards/new/", "topic"),
                ("/interviews/questions/", "category"),
                (f"/interviews/{world['interview'].pk}/", "category"),
                ("/mock/", "interview"),
                ("/mock/", "page"),
                ("/mock/questions/", "area"),
            ]
        )
    )
    before = snapshot()
    response = world["client"].get(f"{page}?{name}={quote_from_bytes(encode(value))}")
    assert response.status_code in (200, 302, 400, 404), (page, response.status_code)
    assert changed_tables(before, snapshot()) == [], f"GET {page} wrote"
    assert_whole()


# Uploads --------------------------------------------------------------------------------------

CSV_CELLS = st.one_of(
    text, st.sampled_from(["front", "back", "topic", "tags", "Fuzz", "{{c1::x}}"])
)


def _csv(rows: list[list[str]], separator: str) -> bytes:
    lines = []
    for row in rows:
        cells = []
        for cell in row:
            cell = cell.decode("latin-1") if isinstance(cell, bytes) else cell
            cells.append(
                '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',\t"\n') else cell
            )
        lines.append(separator.join(cells))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


small_uploads = st.one_of(
    st.binary(max_size=4000),
    st.builds(
        _csv,
        st.lists(st.lists(CSV_CELLS, min_size=1, max_size=5), max_size=12),
        st.sampled_from([",", "\t", ";"]),
    ),
    st.sampled_from(
        [
            b"",
            b"\xef\xbb\xbffront,back\nQ,A\n",
            b"front,back\nQ\xff\xfe,A\n",  # invalid UTF-8
            b"front,back\nQ\x00,A\n",  # a NUL byte
            b"front,back\n" + b"Q," + b"A" * 20_000 + b"\n",
            b"\xed\xa0\x80,x\n",  # an encoded lone surrogate
            b"PK\x03\x04" + b"\x00" * 100,  # a broken zip
            b"[" * 100_000,
            b'{"format": "prep-backup", "version": 1, "cards": [{"front": "\\ud800"}]}',
            b"\x1f\x8b\x08\x00" + b"\xff" * 50,  # a broken gzip
        ]
    ),
)
# Now and then, a large file: a megabyte in a few long lines, or many short ones.
large_upload = st.sampled_from(
    [
        b"front,back,topic\nq," + b"a" * 1_000_000 + b",Fuzz\n",
        b"front,back,topic\n" + "q,\u00e9\U0001f642,Fuzz\n".encode() * 20_000,
        b"\xff" * 1_000_000,
    ]
)
upload_bytes = st.integers(0, 15).flatmap(lambda n: large_upload if n == 0 else small_uploads)
filenames = st.one_of(
    st.sampled_from(
        [
            "cards.csv",
            "cards.tsv",
            "notes.txt",
            "deck.apkg",
            "backup.json",
            "backup.json.gz",
            "backup.zip",
            "cards.exe",
            "../../../etc/passwd.csv",
            "名前.csv",
            ".csv",
            "a" * 300 + ".csv",
        ]
    ),
    st.text(min_size=1, max_size=40).map(lambda name: name.replace("\x00", "") + ".csv"),
)


@FUZZ
@given(content=upload_bytes, name=filenames, new_topic=st.one_of(st.none(), text), htmx=htmx)
def test_import_upload(world, content, name, new_topic, htmx):
    try:
        url = reverse("cards:import")
    except NoReverseMatch:
        pytest.skip("the import is not built yet")
    if isinstance(new_topic, bytes):
        new_topic = new_topic.decode("utf-8", "replace")
    if isinstance(new_topic, str):
        new_topic = new_topic.encode("utf-8", "replace").decode()
    exercise(
        world["client"],
        url,
        {"new_topic": new_topic},
        htmx=htmx,
        files={"file": SimpleUploadedFile(name or "x.csv", content)},
    )


@FUZZ
@given(content=upload_bytes, name=filenames, merge=st.booleans())
def test_backup_restore(world, content, name, merge):
    try:
        url = reverse("accounts:backup_restore")
    except NoReverseMatch:
        pytest.skip("the backup is not built yet")
    exercise(
        world["client"],
        url,
        {"merge": "on" if merge else None},
        files={"file": SimpleUploadedFile(name or "x.json", content)},
    )


# The Markdown renderer ------------------------------------------------------------------------

FRAGMENTS = [
    "<",
    ">",
    "</",
    "/>",
    "<script>",
    "</script>",
    "<img",
    " src=",
    "xssimg",
    " onerror=",
    "alert(1)",
    "javascript:",
    "JaVaScRiPt:",
    "&#106;",
    "&#x09;",
    "data:text/html,",
    "<a href=",
    "<svg",
    "<math",
    "<style>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    '"',
    "'",
    "`",
    "```",
    "\n",
    "\n\n",
    "[",
    "]",
    "(",
    ")",
    "![",
    "](",
    "<http://",
    "$$",
    "$",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "\\href{",
    "}",
    "{",
    "{{c1::",
    "::",
    "}}",
    "|",
    "---",
    "> ",
    "- ",
    "1. ",
    "    ",
    "\t",
    "*",
    "_",
    "~~",
    "&",
    "&amp;",
    "&lt;",
    "\x00",
    "\u202e",
    "🙂",
    "<details open ontoggle=",
    "<iframe",
    "<object",
    "<base",
    "<form",
    "<input",
    "<div",
    "<span class=",
    "math",
    "cloze",
]
markdown_sources = st.one_of(
    st.text(),
    st.builds(_with_surrogates, st.text(max_size=80), st.lists(st.integers(0, 90), max_size=3)),
    st.lists(st.sampled_from(FRAGMENTS + PAYLOADS), max_size=40).map("".join),
    st.sampled_from(TRICKY + PAYLOADS),
    huge_text.map(lambda s: s[:200_000]),
)


@pytest.mark.db_independent  # the Markdown renderer alone; it opens no database
@settings(FUZZ, max_examples=max(EXAMPLES * 10, 300))
@given(source=markdown_sources, number=st.integers(1, 3), reveal=st.booleans())
def test_markdown_never_raises_and_never_lets_a_script_through(source, number, reveal):
    for markdown in (source, cloze_side(source, number, reveal=reveal)):
        html = render_markdown(markdown)
        assert isinstance(html, str)
        # Read as a browser would: no <script>, no on…= attribute, no script URL,
        # no frame or object (text that only looks like one, escaped, is fine).
        reader = read(html)
        assert not reader.dangers, (reader.dangers, html[:2000])


@pytest.mark.db_independent
def test_markdown_survives_a_lone_surrogate():
    """Found by the fuzzing: nh3 takes only valid UTF-8, and a lone surrogate used
    to make render_markdown raise UnicodeEncodeError."""
    html = render_markdown("before \ud800 after")
    assert "before" in html and "after" in html
