"""Every route, every form field and query parameter, every class of bad value.

The routes come from the URL resolver: a route of the project without an entry
in ROUTES fails the test, so a new one cannot be left out. The Django admin is
left out: it is staff-only, and its forms are Django's own.

For each route: its path ids beyond any integer column give a 404; every query
parameter it reads, sent each bad value, gives a page (or a 4xx) and writes
nothing; every form field it reads, sent each bad value beside valid values for
the others, gives a 4xx or a form error and writes nothing. A field that takes
any text or a tick (a name, an answer, a checkbox) may take the value instead,
and then what it wrote is whole. Never a 500.

The figures (routes, fields, values, requests, outcomes) are added up by
tests/conftest.py and printed in the terminal summary as "[bad values] ...".
"""

import re
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django import forms
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.backup.views import RestoreForm
from accounts.daily_email import unsubscribe_token
from accounts.delete.forms import DeleteAccountForm
from accounts.forms import LoginForm, ProfileForm, SignupForm
from accounts.models import RestoreJob
from accounts.welcome.forms import WelcomeForm
from cards.browse.forms import BulkForm, BulkUndoForm
from cards.browse.searches import SaveSearchForm, SearchNameForm
from cards.exports.forms import SelectionExportForm
from cards.forms import CardForm, CardPreviewForm, TopicForm
from cards.images.services import add_image
from cards.imports.anki_media import store_images
from cards.imports.forms import ImportConfirmForm, ImportUploadForm
from cards.models import BulkJob, ImportJob, Prompt
from cards.quiz.forms import MarkForm, QuizStartForm
from cards.schedule.forms import RetentionForm
from cards.study.forms import GradeForm, StudyStartForm, UndoForm
from interviews.checklists.forms import (
    AddFromBankForm,
    ChecklistItemForm,
    NewChecklistQuestionForm,
    QuestionToAskForm,
)
from interviews.forms import CramForm, InterviewForm
from interviews.mock import audio
from interviews.mock.forms import AnswerForm, QuestionForm, ScoreForm, StartMockForm
from interviews.models import Stage, Status
from prep_site.devtools.images import png
from tests.factories import PASSWORD, make_staff
from tests.interviews.mock import recordings
from tests.security.outcomes import (
    changed_tables,
    forget_messages,
    judge,
    snapshot,
    what_was_said,
)

pytestmark = pytest.mark.django_db

HUGE = "9" * 30
BAD_VALUES = {
    "unicode digit": "²",
    "unicode digits": "١٢",
    "huge integer": HUGE,
    "5,000 digits": "9" * 5000,
    "negative": "-1",
    "100 KB": "x" * 100_000,
    "NUL byte": "1\x00",
    "repeated key": None,  # the field's valid value, then "²"
    "date past 9999": "9999-12-31T23:59",
    "date before 1": "0001-01-01T00:00",
}
PATH_IDS = [HUGE, "9" * 5000]


@dataclass(frozen=True)
class Route:
    methods: tuple[str, ...] = ("GET",)
    ids: tuple[str, ...] = ()  # the world's objects named by the path, in its order
    query: tuple[str, ...] = ()  # parameters the page reads from its address
    form: type[forms.BaseForm] | None = None  # the fields it reads from the body
    by_hand: dict[str, bool] = field(default_factory=dict)  # other fields: name → strict
    valid: dict = field(default_factory=dict)  # a valid body, one field replaced at a time
    anonymous: bool = False
    staff: bool = False  # a staff page: asked by a person who is staff

    def fields(self) -> dict[str, bool]:
        """Each field the route reads, and whether only a well-formed value is taken
        (a text box or a tick takes anything)."""
        fields = {}
        if self.form is not None:
            for name, form_field in self.form.base_fields.items():
                lenient = isinstance(form_field, forms.CharField | forms.BooleanField)
                fields[name] = not lenient
        return {**fields, **self.by_hand}


GET, FORM = ("GET",), ("GET", "POST")
POST = ("POST",)
CSV = "csv file"  # stands for a fresh upload of a small CSV
BACKUP = "backup file"
AUDIO = "audio file"  # stands for a fresh upload of a small WebM recording
IMAGE = "image file"  # stands for a fresh upload of a small PNG
INTERVIEW = {
    "company": "Acme",
    "role": "SRE",
    "scheduled_at": "2030-03-01T10:00",
    "timezone": "America/Los_Angeles",  # west of UTC: 9999-12-31 would end past year 9999
    "duration_minutes": "60",
    "stage": Stage.values[0],
    "status": Status.values[0],
    "links": "",
    "notes": "",
    "topics": ["topic"],
}
MOCK_QUESTION = {"text": "Why?", "area": "technical", "key_points_text": "a\nb"}
BANK_QUESTION = {"category": "team", "text": "Who?"}
CARD = {"topic": "topic", "kind": "basic", "front": "Why?", "back": "So.", "tags": "a"}

ROUTES = {
    "home": Route(),
    "design": Route(staff=True),
    "accounts:signup": Route(
        FORM,
        form=SignupForm,
        anonymous=True,
        valid={"username": "newcomer", "password1": "s3cret-Horse", "password2": "s3cret-Horse"},
    ),
    "accounts:settings": Route(
        FORM, form=ProfileForm, valid={"new_cards_per_day": "20", "timezone": "Asia/Tokyo"}
    ),
    "accounts:data": Route(),
    # A wrong password in the otherwise valid body: no value may delete the account.
    "accounts:delete": Route(
        FORM, form=DeleteAccountForm, valid={"password": "not-the-password", "confirm": "on"}
    ),
    "accounts:deleted": Route(anonymous=True),
    "accounts:unsubscribe": Route(FORM, ids=("unsubscribe",), anonymous=True),
    "accounts:backup_download": Route(),
    "accounts:backup_download_gzip": Route(),
    "accounts:backup_restore": Route(POST, form=RestoreForm, valid={"file": BACKUP}),
    "accounts:restore_job": Route(ids=("restore",)),
    "accounts:welcome": Route(
        FORM,
        form=WelcomeForm,
        valid={"track": "backend", "interview_date": "2030-03-01", "company": "Acme"},
    ),
    "login": Route(
        FORM,
        form=LoginForm,
        anonymous=True,
        valid={"username": "fuzzy", "password": PASSWORD},
    ),
    "logout": Route(POST),
    "password_change": Route(
        FORM,
        form=PasswordChangeForm,
        valid={
            "old_password": PASSWORD,
            "new_password1": "an0ther-Horse!",
            "new_password2": "an0ther-Horse!",
        },
    ),
    "password_change_done": Route(),
    "password_reset": Route(
        FORM, form=PasswordResetForm, anonymous=True, valid={"email": "f@example.com"}
    ),
    "password_reset_done": Route(anonymous=True),
    "password_reset_confirm": Route(ids=("uidb64", "token"), anonymous=True),
    "password_reset_complete": Route(anonymous=True),
    "interviews:list": Route(),
    "interviews:create": Route(FORM, form=InterviewForm, valid=INTERVIEW),
    "interviews:detail": Route(ids=("interview",), query=("category",)),
    "interviews:edit": Route(FORM, ids=("interview",), form=InterviewForm, valid=INTERVIEW),
    "interviews:delete": Route(POST, ids=("interview",)),
    "interviews:cram": Route(POST, ids=("interview",), form=CramForm, valid={"schedule": "leave"}),
    "interviews:calendar": Route(ids=("interview",)),
    "interviews:checklist_add": Route(
        POST, ids=("interview",), form=AddFromBankForm, valid={"questions": ["bank"]}
    ),
    "interviews:checklist_new": Route(
        POST,
        ids=("interview",),
        form=NewChecklistQuestionForm,
        valid={"text": "Why here?", "category": "team", "save_to_bank": "on"},
    ),
    "interviews:checklist_reorder": Route(
        POST, ids=("interview",), by_hand={"item": True}, valid={"item": ["items"]}
    ),
    "interviews:checklist_print": Route(ids=("interview",)),
    "interviews:checklist_markdown": Route(ids=("interview",)),
    "interviews:checklist_item": Route(
        POST, ids=("interview", "item"), form=ChecklistItemForm, valid={"answer": "Yes"}
    ),
    "interviews:checklist_item_delete": Route(POST, ids=("interview", "item")),
    "interviews:checklist_item_move": Route(
        POST, ids=("interview", "item"), by_hand={"direction": True}, valid={"direction": "down"}
    ),
    "interviews:question_bank": Route(
        FORM,
        query=("category",),
        form=QuestionToAskForm,
        valid=BANK_QUESTION,
    ),
    "interviews:question_bank_seed": Route(POST),
    "interviews:question_edit": Route(
        FORM, ids=("bank",), form=QuestionToAskForm, valid=BANK_QUESTION
    ),
    "interviews:question_delete": Route(POST, ids=("bank",)),
    "mock:start": Route(
        FORM,
        query=("interview", "page"),
        form=StartMockForm,
        valid={"areas": ["technical"], "count": "2", "time_limit_seconds": "120"},
    ),
    "mock:question_list": Route(query=("area",)),
    "mock:question_create": Route(
        FORM,
        form=QuestionForm,
        valid=MOCK_QUESTION,
    ),
    "mock:question_history": Route(ids=("question",)),
    "mock:question_edit": Route(
        FORM,
        ids=("question",),
        form=QuestionForm,
        valid=MOCK_QUESTION,
    ),
    "mock:question_delete": Route(POST, ids=("question",)),
    "mock:model_answer": Route(
        POST,
        ids=("question",),
        by_hand={"text": False, "next": False},
        valid={"text": "What I would say."},
    ),
    "mock:session": Route(ids=("mock",)),
    "mock:save": Route(
        POST,
        ids=("mock",),
        form=AnswerForm,
        by_hand={"answer": True, "beacon": False},
        valid={"answer": "answer", "text": "So far"},
    ),
    "mock:submit": Route(
        POST,
        ids=("mock",),
        form=AnswerForm,
        by_hand={"answer": True},
        valid={"answer": "answer", "text": "Done"},
    ),
    "mock:score": Route(
        POST,
        ids=("mock",),
        form=ScoreForm,
        by_hand={"answer": True},
        valid={"answer": "answer", "covered": ["0"]},
    ),
    "mock:followups": Route(
        POST,
        ids=("mock",),
        by_hand={"answer": True, "back": False},
        valid={"answer": "answer", "back": "history"},
    ),
    "mock:finish": Route(POST, ids=("mock",)),
    "mock:audio_upload": Route(
        POST,
        ids=("mock",),
        by_hand={"answer": True, "audio": True, "seconds": True},
        valid={"answer": "answer", "audio": AUDIO, "seconds": "2"},
    ),
    "mock:audio": Route(ids=("recording",)),
    "cards:topic_list": Route(),
    "cards:topic_create": Route(FORM, form=TopicForm, valid={"name": "New", "description": ""}),
    "cards:topic_detail": Route(ids=("topic",), query=("page",)),
    "cards:topic_edit": Route(
        FORM, ids=("topic",), form=TopicForm, valid={"name": "Fuzz", "description": "d"}
    ),
    "cards:topic_delete": Route(POST, ids=("topic",)),
    "cards:card_create": Route(
        FORM,
        query=("topic", "kind", "text_format", "tags"),
        form=CardForm,
        by_hand={"save_and_add": False},
        valid=CARD,
    ),
    # The preview of a card being edited names it; one that is not the person's is a 404.
    "cards:card_preview": Route(
        POST,
        form=CardPreviewForm,
        by_hand={"card": True},
        valid={**CARD, "text_format": "markdown", "card": "card"},
    ),
    "cards:card_detail": Route(ids=("card",)),
    "cards:card_edit": Route(FORM, ids=("card",), form=CardForm, valid=CARD),
    "cards:card_delete": Route(POST, ids=("card",)),
    "cards:card_suspend": Route(POST, ids=("card",)),
    "cards:card_media": Route(ids=("card", "image")),
    "cards:image_upload": Route(POST, by_hand={"image": True}, valid={"image": IMAGE}),
    "cards:pending_image": Route(ids=("pending",)),
    "cards:search": Route(query=("q", "page")),
    "cards:card_browser": Route(query=("q", "sort", "cols", "page")),
    "cards:card_bulk": Route(
        POST,
        form=BulkForm,
        valid={"action": "suspend", "ids": ["card"], "q": "", "topic": "topic", "tags": "a"},
    ),
    "cards:card_bulk_export": Route(
        POST, form=SelectionExportForm, valid={"format": "csv", "ids": ["card"], "q": ""}
    ),
    # No undo is kept in this world: every value is refused in words.
    "cards:card_bulk_undo": Route(POST, form=BulkUndoForm, valid={"undo": "1"}),
    "cards:saved_search_menu": Route(),
    "cards:saved_search_create": Route(
        POST, form=SaveSearchForm, valid={"name": "Fuzz again", "q": "fuzz is:new"}
    ),
    "cards:saved_search_rename": Route(
        POST, ids=("saved",), form=SearchNameForm, valid={"name": "Renamed"}
    ),
    "cards:saved_search_delete": Route(POST, ids=("saved",), by_hand={"q": False}),
    "cards:search_study": Route(POST, by_hand={"q": False}, valid={"q": "fuzz"}),
    "cards:search_quiz": Route(POST, by_hand={"q": False}, valid={"q": "fuzz"}),
    "cards:progress": Route(),
    "cards:study_start": Route(
        FORM, query=("topic",), form=StudyStartForm, valid={"topics": ["topic"]}
    ),
    "cards:study_session": Route(ids=("session",), query=("prompt", "reveal")),
    "cards:schedule": Route(FORM, form=RetentionForm, valid={"desired_retention": "0.85"}),
    "cards:schedule_optimize": Route(POST),
    "cards:study_grade": Route(
        POST,
        ids=("session",),
        form=GradeForm,
        valid={"prompt": "prompt", "rating": "3", "reps": "0", "shown_at": "1"},
    ),
    "cards:study_undo": Route(POST, ids=("session",), form=UndoForm, valid={"review": "1"}),
    "cards:study_end": Route(POST, ids=("session",)),
    "cards:study_summary": Route(ids=("session",)),
    "cards:quiz_start": Route(
        FORM,
        query=("topic", "page"),
        form=QuizStartForm,
        valid={"topics": ["topic"], "size": "2", "mode": "random"},
    ),
    "cards:quiz_detail": Route(ids=("quiz",)),
    "cards:quiz_answer": Route(
        POST,
        ids=("quiz",),
        form=MarkForm,
        valid={"item": "quiz_item", "result": "right", "typed_answer": "", "shown_at": "1"},
    ),
    "cards:quiz_result": Route(ids=("quiz",)),
    "cards:import": Route(
        FORM, form=ImportUploadForm, valid={"file": CSV, "new_topic": "Imported"}
    ),
    "cards:import_job": Route(ids=("import",)),
    "cards:card_bulk_job": Route(ids=("bulk_job",)),
    "cards:import_confirm": Route(
        POST, ids=("import",), form=ImportConfirmForm, valid={"on_duplicate": "skip"}
    ),
    "cards:import_cancel": Route(POST, ids=("import",)),
    "cards:export_csv": Route(),
    "cards:export_anki": Route(),
    "cards:topic_export_csv": Route(ids=("topic",)),
    "cards:topic_export_anki": Route(ids=("topic",)),
}


def project_routes(resolver=None, namespace: str = "") -> dict[str, str]:
    """Every named route of the project, as "namespace:name" → its pattern."""
    routes = {}
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            routes.update(project_routes(pattern, inner))
        elif isinstance(pattern, URLPattern) and pattern.name:
            routes[f"{namespace}{pattern.name}"] = str(pattern.pattern)
    return routes


def test_every_route_has_an_entry():
    routes = project_routes()
    assert len(routes) > 50
    assert sorted(set(routes) - set(ROUTES)) == [], "routes without an entry in ROUTES"
    assert sorted(set(ROUTES) - set(routes)) == [], "entries for routes that do not exist"


# The world's objects by name, as ids ---------------------------------------------------------


@pytest.fixture
def ids(world) -> dict:
    user = world["user"]
    prompt = Prompt.objects.filter(card__in=world["cards"]).first()
    import_job = ImportJob.objects.create(
        owner=user, filename="cards.csv", source="csv", status=ImportJob.Status.PREVIEW
    )
    restore = RestoreJob.objects.create(
        user=user, filename="backup.json", size=2, status=RestoreJob.Status.DONE
    )
    bulk_job = BulkJob.objects.create(user=user, action="suspend", status=BulkJob.Status.DONE)
    recording = world["answers"][-1]
    audio.save_answer_audio(
        answer=recording, upload=SimpleUploadedFile("a.webm", recordings.webm()), seconds=2
    )
    store_images(world["cards"][0], {"dot.png": png()})
    pending = add_image(user=user, upload=SimpleUploadedFile("pasted.png", png()))
    return {
        "topic": world["topic"].pk,
        "card": world["cards"][0].pk,
        "image": "dot.png",
        "pending": pending.name,
        "session": world["session"].pk,
        "prompt": prompt.pk,
        "quiz": world["quiz"].pk,
        "saved": world["saved"].pk,
        "quiz_item": world["quiz"].items.order_by("position").first().pk,
        "interview": world["interview"].pk,
        "item": world["items"][0].pk,
        "items": [item.pk for item in reversed(world["items"])],
        "bank": world["bank"][0].pk,
        "question": world["questions"][0].pk,
        "mock": world["mock"].pk,
        "answer": world["answers"][0].pk,
        "recording": recording.pk,
        "import": import_job.pk,
        "restore": restore.pk,
        "bulk_job": bulk_job.pk,
        "uidb64": "MQ",
        "token": "set-password",
        "unsubscribe": unsubscribe_token(user.pk),
    }


def valid_body(route: Route, ids: dict) -> dict:
    body = {}
    for name, value in route.valid.items():
        if value == CSV:
            value = SimpleUploadedFile("cards.csv", b"front,back\nWhy?,So.\n", "text/csv")
        elif value == BACKUP:
            value = SimpleUploadedFile("backup.json", b"{}", "application/json")
        elif value == AUDIO:
            value = SimpleUploadedFile("answer.webm", recordings.webm(), "audio/webm")
        elif value == IMAGE:
            value = SimpleUploadedFile("pasted.png", png(), "image/png")
        elif isinstance(value, list):
            value = [str(v) for item in value for v in _as_list(ids.get(item, item))]
        elif value in ids:
            value = str(ids[value])
        body[name] = value
    return body


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def bad(name: str, valid) -> str | list:
    if name == "repeated key":
        first = _as_list(valid)[0] if valid not in (None, []) else "1"
        return [first if isinstance(first, str) else "1", "²"]
    return BAD_VALUES[name]


# Sending and judging -------------------------------------------------------------------------


class Tally:
    def __init__(self, route: str):
        self.route = route
        self.fields: set[str] = set()
        self.outcomes: Counter = Counter()
        self.requests = 0

    def send(self, client: Client, method: str, url: str, data=None) -> tuple[object, bool]:
        forget_messages(client)
        cache.clear()  # each request from a new visitor: test_rate_limits.py tests the limits
        before = snapshot()
        send = client.get if method == "GET" else client.post
        response = send(url, data or {})
        after = snapshot()
        self.requests += 1
        where = f"{method} {url[:120]}"
        if method == "POST":
            return response, judge(response, before, after, where)
        # A page may show a warning of its own; it only must not fail or write.
        assert response.status_code in (200, 302, 400, 404, 429), where
        assert changed_tables(before, after) == [], f"{where} wrote"
        said, _error_page = what_was_said(response)
        return response, response.status_code >= 400 or bool(said)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_bad_values(name, client, ids, record_property):
    route = ROUTES[name]
    tally = Tally(name)
    client = Client() if route.anonymous else client
    if route.staff:
        client.force_login(make_staff("staff-fuzzy"))
    names = re.findall(r"<(?:\w+:)?(\w+)>", project_routes()[name])
    kwargs = {part: ids[each] for part, each in zip(names, route.ids, strict=True)}
    url = reverse(name, kwargs=kwargs)

    for part, value in kwargs.items():
        if not isinstance(value, int):
            continue
        for too_big in PATH_IDS:
            tally.fields.add(f"path {part}")
            marker = 987654321  # the converter refuses to write an id past the range
            beyond = reverse(name, kwargs={**kwargs, part: marker}).replace(str(marker), too_big)
            for method in route.methods:
                response, _ = tally.send(client, method, beyond)
                assert response.status_code == 404, (method, beyond[:80], response.status_code)
                tally.outcomes["404 (path id)"] += 1

    if "GET" in route.methods:
        response, _ = tally.send(client, "GET", url)
        assert response.status_code in (200, 302), (name, response.status_code)
        for parameter in route.query:
            tally.fields.add(f"query {parameter}")
            for value_name in BAD_VALUES:
                value = bad(value_name, str(ids["topic"]))
                response, refused = tally.send(client, "GET", url, {parameter: value})
                assert response.status_code in (200, 302, 400, 404), (parameter, value_name)
                tally.outcomes[outcome(response, refused, get=True)] += 1

    if "POST" in route.methods:
        for field_name, strict in route.fields().items():
            tally.fields.add(f"field {field_name}")
            for value_name in BAD_VALUES:
                body = valid_body(route, ids)
                body[field_name] = bad(value_name, body.get(field_name))
                response, refused = tally.send(client, "POST", url, body)
                where = f"{name} {field_name}={value_name}"
                if strict:
                    assert refused, f"{where} was taken ({response.status_code})"
                tally.outcomes[outcome(response, refused, get=False)] += 1

    record_property(
        "bad_values",
        {
            "routes": 1,
            "values": len(BAD_VALUES),
            "fields": len(tally.fields),
            "requests": tally.requests,
            **{f"outcome {key}": count for key, count in tally.outcomes.items()},
        },
    )


def outcome(response, refused: bool, *, get: bool) -> str:
    status = response.status_code
    if status >= 400:
        return "4xx"
    if refused:
        return "form error"
    if get:
        return "2xx (value ignored)" if status < 300 else "3xx (value ignored)"
    return "taken (text or tick)"
