"""How the security tests send input and judge the answer: the body a browser
(or anything else) might send, what the page said was wrong, and a snapshot of
every table a form can write to."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import quote, quote_from_bytes

from django.contrib.auth import get_user_model
from django.contrib.messages import WARNING, get_messages
from django.test import Client
from taggit.models import Tag, TaggedItem

from accounts.models import Profile, RestoreJob
from cards.models import (
    Card,
    CardMedia,
    PendingImage,
    Progress,
    Prompt,
    Quiz,
    QuizItem,
    ReviewDay,
    ReviewLog,
    StudySession,
    Topic,
)
from interviews.models import (
    ChecklistItem,
    Interview,
    InterviewerQuestion,
    MockAnswer,
    MockSession,
    QuestionToAsk,
)

# Sending it ---------------------------------------------------------------------------------


def encode(value) -> bytes:
    if isinstance(value, bytes):
        return value
    # A lone surrogate goes out as the bytes it would be: invalid UTF-8.
    return str(value).encode("utf-8", "surrogatepass")


def form_body(data: dict) -> bytes:
    """The urlencoded body a browser (or anything else) might send."""
    parts = []
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item is not None:
                parts.append(f"{quote(name)}={quote_from_bytes(encode(item))}")
    return "&".join(parts).encode()


def post(client: Client, url: str, data: dict, *, htmx: bool = False):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        url, form_body(data), content_type="application/x-www-form-urlencoded", **extra
    )


# Judging the answer -------------------------------------------------------------------------

ERROR_CLASSES = {"invalid-feedback", "errorlist", "alert-danger", "alert-warning", "text-danger"}


class ErrorText(HTMLParser):
    """The text of the elements that say something was wrong."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.stack: list[bool] = []
        self.texts: list[str] = []
        self.error_page = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("data-testid") in ("error-page", "locked-out"):
            self.error_page = True
        classes = set((attrs.get("class") or "").split())
        is_error = bool(classes & ERROR_CLASSES)
        if tag in ("br", "img", "input", "hr", "meta", "link"):
            return
        self.stack.append(is_error)
        self.depth += is_error

    def handle_endtag(self, tag):
        if tag in ("br", "img", "input", "hr", "meta", "link"):
            return
        if self.stack:
            self.depth -= self.stack.pop()

    def handle_data(self, data):
        if self.depth and data.strip():
            self.texts.append(data.strip())


def what_was_said(response) -> tuple[list[str], bool]:
    """Warnings and errors shown (or queued) for the person, and whether the
    answer is an error page."""
    said = [
        str(message) for message in get_messages(response.wsgi_request) if message.level >= WARNING
    ]
    error_page = False
    content_type = response.get("Content-Type", "")
    if content_type.startswith("application/json") and response.status_code >= 400:
        # A script's request: the page shows the answer's "error".
        error = json.loads(response.content).get("error")
        said += [error] if isinstance(error, str) else []
    if content_type.startswith("text/html") and response.content:
        parser = ErrorText()
        parser.feed(response.content.decode("utf-8", "replace"))
        said += parser.texts
        body = response.content.decode("utf-8", "replace")
        error_page = parser.error_page or bool(
            re.search(r"<h1>(Bad Request|Not Found|Forbidden)", body)
        )
    return said, error_page


TABLES = [
    get_user_model(),
    Profile,
    RestoreJob,
    ReviewDay,
    Topic,
    Card,
    CardMedia,
    PendingImage,
    Prompt,
    Progress,
    ReviewLog,
    StudySession,
    StudySession.topics.through,
    Quiz,
    Quiz.topics.through,
    QuizItem,
    Interview,
    Interview.topics.through,
    ChecklistItem,
    QuestionToAsk,
    InterviewerQuestion,
    MockSession,
    MockAnswer,
    Tag,
    TaggedItem,
]


# Written by showing a page, not by the input: a mock question's clock starts
# when the question is first on screen (a refused answer shows the page again).
VOLATILE = {(MockAnswer, "started_at")}


def snapshot() -> dict:
    """Every row of every table a form can write to."""
    tables = list(TABLES)
    try:
        from cards.models import ImportJob

        tables.append(ImportJob)
    except ImportError:  # pragma: no cover - the import is not built
        pass
    return {
        model._meta.label: sorted(
            repr(sorted((k, v) for k, v in row.items() if (model, k) not in VOLATILE))
            for row in model.objects.values()
        )
        for model in tables
    }


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def assert_whole() -> None:
    """Nothing is half-written, whatever was taken."""
    for card in Card.objects.prefetch_related("prompts"):
        ordinals = {prompt.ordinal for prompt in card.prompts.all()}
        assert ordinals == set(card.prompt_ordinals()), f"card {card.pk} prompts {ordinals}"
        assert card.kind in Card.Kind.values
    for progress in Progress.objects.all():
        numbers = sorted(
            ReviewLog.objects.filter(user=progress.user_id, prompt=progress.prompt_id).values_list(
                "review_number", flat=True
            )
        )
        assert numbers == list(range(1, progress.reps + 1)), (progress.pk, numbers)
    assert not ReviewLog.objects.exclude(prompt__in=Progress.objects.values("prompt")).exists(), (
        "a review without progress"
    )
    for quiz in Quiz.objects.all():
        assert quiz.items.count() == quiz.size
    for interview in Interview.objects.all():
        positions = list(interview.checklist.values_list("position", flat=True))
        assert len(positions) == len(set(positions)), positions
    for answer in MockAnswer.objects.all():
        assert answer.scored_at is None or answer.submitted_at is not None
        assert "\x00" not in answer.text
    for topic in Topic.objects.all():
        assert topic.slug and topic.name.strip()


def forget_messages(client: Client) -> None:
    """Drop messages earlier requests left for a page nobody opened, so that the
    messages read after a request are that request's own."""
    client.cookies.pop("messages", None)
    if client.session.get("_messages") is not None:
        session = client.session
        del session["_messages"]
        session.save()


def exercise(client: Client, url: str, data: dict, *, htmx: bool = False, files=None):
    """Send the form and judge the answer."""
    forget_messages(client)
    before = snapshot()
    if files is not None:
        extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = client.post(
            url, {**{k: v for k, v in data.items() if v is not None}, **files}, **extra
        )
    else:
        response = post(client, url, data, htmx=htmx)
    after = snapshot()
    judge(response, before, after, url)
    return response


def judge(response, before: dict, after: dict, url: str) -> bool:
    """Whether the input was refused; fails on a 500, a silent refusal, a refusal
    that wrote, or anything half-written."""
    status = response.status_code
    assert status < 500, f"{url}: {status}"
    assert status in (200, 204, 302, 400, 403, 404, 409, 413, 429), f"{url}: {status}"
    said, error_page = what_was_said(response)
    refused = (
        status >= 400
        or bool(said)
        or "refused" in response.get("HX-Trigger", "")
        or response.get("HX-Trigger", "") == "study-refused"
    )
    changed = changed_tables(before, after)
    if refused:
        assert not changed, f"{url} refused the input ({status}: {said[:3]}) but changed {changed}"
        assert said or error_page or status == 204, f"{url} refused the input ({status}) in silence"
        for message in said:
            assert len(message) > 5 and "Traceback" not in message, message
    else:
        assert status in (200, 204, 302), f"{url}: {status}"
    assert_whole()
    return refused
