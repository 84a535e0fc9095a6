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

Uploads and the Markdown renderer: tests/security/test_fuzz_files.py.

PREP_FUZZ_EXAMPLES sets the number of examples per form (default 30).
"""

from urllib.parse import quote_from_bytes

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st

from cards.models import Card, Prompt, Quiz, ReviewLog, Topic
from interviews.models import PracticeArea, QuestionCategory, QuestionToAsk, Stage, Status
from tests.factories import PASSWORD, make_topic, make_user
from tests.security.fuzzing import (
    FUZZ,
    Pick,
    checkbox,
    choice,
    htmx,
    integers,
    many,
    pick,
    resolve,
    sometimes,
    text,
)
from tests.security.outcomes import (
    assert_whole,
    changed_tables,
    encode,
    exercise,
    snapshot,
    what_was_said,
)

pytestmark = pytest.mark.django_db


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
