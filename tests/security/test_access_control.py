"""No one reads or changes another person's objects.

The tests walk Django's URL resolver, so a route is covered the day it is added.
A route that takes an id must be named in ROUTES (tests/security/targets.py),
with a builder that makes the objects it points to, or the test fails with
"unclassified route". For every such route and every HTTP method, a second
person gets 404 (405 where the view takes no such method), a visitor is sent to
log in, and the database does not change. The owner then sends the same
requests and gets through (a write changes the database), which proves each
probe pointed at something real.

tests/security/test_csrf.py reuses the table and the helpers.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.daily_email import unsubscribe_token
from cards.models import Card, Topic
from interviews.models import InterviewerQuestion, QuestionToAsk
from tests.factories import make_staff, make_user
from tests.security.targets import (
    ROUTES,
    bulk_move,
    bulk_suspend,
    bulk_undo,
    card,
    interview,
    mock_session,
    mock_session_handed_in,
    mock_session_scored,
    mock_session_to_record,
    quiz,
    secret,
    starter_card,
    study_session,
    topic,
)

pytestmark = pytest.mark.django_db

METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE", "POST"]
# Written into everyone's objects; Alice's must never show in a response to anyone else.
SECRET = "alice-secret-q7z"
# Tables a request may write without changing anyone's data: the session (the
# time-zone middleware keeps the zone there) and django-axes' login records.
NOT_DATA = {"sessions.Session"}
NOT_DATA_APPS = {"axes"}
# Models with shared rows (no owner): the starter library everyone reads.
SHARED_MODELS = (Topic, Card, InterviewerQuestion, QuestionToAsk)


# Routes every visitor may use (with or without ids); all others need login.
PUBLIC = {
    "home",
    "login",
    "accounts:signup",
    "accounts:deleted",
    "accounts:unsubscribe",  # the signed token in the address names the person
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "admin:login",
}
# Staff pages of the site's own, outside the admin: a visitor is sent to log in, a
# person who is not staff is refused (403) whatever the method, staff read them.
STAFF_ONLY = {"design"}
# The admin: staff only. Everyone else is sent to a login page (the admin's own, or
# the site's for the pages the admin does not open to visitors).
ADMIN_NAMESPACE = "admin"
ADMIN_VALUES = {"app_label": "cards", "object_id": "1", "id": "1", "content_type_id": "1"}


# The URL resolver ----------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str  # "cards:topic_detail"; the pattern itself for an unnamed route
    namespace: str
    route: str  # the full pattern, e.g. "topics/<int:pk>/"
    params: tuple[str, ...]
    callback: Callable

    def url(self, values: dict) -> str:
        """The path with ``values`` put in for the parameters, checked to resolve
        back to this very route."""
        path = self.route
        for param in self.params:
            value = str(values[param])
            path = re.sub(rf"\(\?P<{param}>[^)]*\)", value, path)  # a regex route
            path = re.sub(rf"<(?:\w+:)?{param}>", value, path)
        path = "/" + path.replace("^", "").replace("$", "")
        match = resolve(path)
        assert match.func == self.callback, f"{path} resolves to {match.view_name}, not {self}"
        return path


def endpoints(patterns=None, namespace: str = "", prefix: str = "", params=()) -> list[Endpoint]:
    """Every route of the project, through includes and namespaces."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        regex = pattern.pattern.regex
        here = (*params, *regex.groupindex)
        assert regex.groups == len(regex.groupindex), f"unnamed group in {prefix}{pattern}"
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            found += endpoints(pattern.url_patterns, inner, prefix + str(pattern.pattern), here)
        else:
            assert isinstance(pattern, URLPattern)
            route = prefix + str(pattern.pattern)
            name = ":".join(filter(None, [namespace, pattern.name])) if pattern.name else route
            found.append(Endpoint(name, namespace, route, here, pattern.callback))
    return found


def classify(endpoint: Endpoint) -> str:
    if endpoint.name in PUBLIC:
        return "public"
    if endpoint.namespace == ADMIN_NAMESPACE:
        return "admin"
    if endpoint.params:
        if endpoint.name not in ROUTES:
            raise AssertionError(
                f"unclassified route: {endpoint.name} ({endpoint.route}): add it to ROUTES "
                "in tests/security/test_access_control.py with a builder for its objects"
            )
        return "owned"
    return "login-required"


# Requests and the database -------------------------------------------------------------


def send(client: Client, method: str, url: str, data: dict | None = None, **headers):
    if method == "GET":
        return client.get(url, headers=headers)
    if method == "HEAD":
        return client.head(url, headers=headers)
    if method == "POST":
        return client.post(url, data or {}, headers=headers)
    return client.generic(
        method,
        url,
        urlencode(data or {}, doseq=True),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def database_state() -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row, per table (the m2m ones included)."""
    state = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if meta.label in NOT_DATA or meta.app_label in NOT_DATA_APPS:
                continue
            if meta.proxy or not meta.managed:
                continue
            cursor.execute(f"SELECT * FROM {quote(meta.db_table)} ORDER BY {quote(meta.pk.column)}")
            rows = cursor.fetchall()
            state[meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def login_redirect(url: str) -> str:
    return redirect_to_login(url).url


@dataclass
class Probes:
    """Counts the requests made and collects what went wrong, so one run reports
    every leak at once."""

    count: int = 0
    leaks: list[str] = field(default_factory=list)
    state: dict = field(default_factory=database_state)

    def expect(
        self, who, method, url, response, allowed: set[int], secret_may_show=False, may_change=()
    ):
        self.count += 1
        where = f"{who} {method} {url}"
        if response.status_code not in allowed:
            self.leaks.append(f"{where}: status {response.status_code}, expected {allowed}")
        if not secret_may_show and SECRET in body(response):
            self.leaks.append(f"{where}: the owner's data is in the response")
        self.unchanged(where, may_change)

    def settle(self) -> None:
        """Take the database as it is now as the state no probe may change."""
        self.state = database_state()

    def unchanged(self, where: str, may_change=()) -> None:
        after = database_state()
        if changed := [t for t in changed_tables(self.state, after) if t not in may_change]:
            self.leaks.append(f"{where}: changed {', '.join(changed)}")
        self.state = after

    def redirected_to_login(self, who, method, url, response, login_url=None) -> None:
        self.expect(who, method, url, response, {302})
        expected = login_url or login_redirect(url)
        if response.status_code == 302 and response["Location"] != expected:
            self.leaks.append(f"{who} {method} {url}: sent to {response['Location']}")


# The tests ------------------------------------------------------------------------------


def test_every_route_is_classified():
    unclassified = []
    for endpoint in endpoints():
        try:
            classify(endpoint)
        except AssertionError as error:
            unclassified.append(str(error))
    assert not unclassified, "\n".join(unclassified)
    names = {endpoint.name for endpoint in endpoints()}
    assert not (set(ROUTES) - names), f"ROUTES names routes that are gone: {set(ROUTES) - names}"
    assert not (PUBLIC - names), f"PUBLIC names routes that are gone: {PUBLIC - names}"


def test_nobody_but_the_owner_reaches_an_object():
    alice, mallory = make_user("alice"), make_user("mallory")
    as_alice, as_mallory, visitor = logged_in(alice), logged_in(mallory), Client()
    probes = Probes()
    for endpoint in endpoints():
        if classify(endpoint) != "owned":
            continue
        rule = ROUTES[endpoint.name]
        target = rule.owned(alice)
        url = endpoint.url(target.kwargs)
        probes.settle()

        for method in METHODS:
            response = send(as_mallory, method, url, target.data, **{"HX-Request": "true"})
            probes.expect("mallory", method, url, response, {404, 405})
            response = send(visitor, method, url, target.data)
            probes.redirected_to_login("visitor", method, url, response)

        # An id of hers next to an id of his: still not his.
        if len(endpoint.params) > 1:
            own = rule.owned(mallory)
            probes.settle()
            for param in endpoint.params:
                mixed = endpoint.url({**target.kwargs, param: own.kwargs[param]})
                if mixed == endpoint.url(own.kwargs):
                    continue
                for method in METHODS:
                    response = send(as_mallory, method, mixed, target.data)
                    probes.expect("mallory", method, mixed, response, {404, 405})

        if rule.starter:
            shared = rule.starter(alice)
            probes.settle()
            shared_url = endpoint.url(shared.kwargs)
            # Everyone reads the starter rows where the route shows them; nobody,
            # not even the person who added a card of theirs to them, changes them.
            for who, client in [("mallory", as_mallory), ("alice", as_alice)]:
                for method in METHODS:
                    response = send(client, method, shared_url, shared.data)
                    readable = method in ("GET", "HEAD") and rule.starter_readable
                    own_copy = method == "POST" and rule.starter_own_copy
                    probes.expect(
                        f"{who} (starter)",
                        method,
                        shared_url,
                        response,
                        {200} if readable else {302} if own_copy else {404, 405},
                        secret_may_show=who == "alice",
                        may_change={m._meta.label for m in rule.starter_own_copy}
                        if own_copy
                        else set(),
                    )

    print(f"\n{probes.count} probes of routes with ids, {len(probes.leaks)} leaks")
    assert probes.count >= 100
    assert not probes.leaks, "\n".join(probes.leaks)


def test_the_owner_gets_through():
    """The other side of each probe: the owner's own requests are served, and her
    POST (where the route takes one) changes the database. So a 404 for anyone
    else is a refusal, not a wrong URL."""
    alice = make_user("alice")
    client = logged_in(alice)
    problems = []
    for endpoint in endpoints():
        if classify(endpoint) != "owned":
            continue
        rule = ROUTES[endpoint.name]
        target = rule.owned(alice)
        if isinstance(target.obj, SHARED_MODELS) and not rule.starter:
            problems.append(
                f"{endpoint.name} takes a {type(target.obj).__name__}: say how it "
                "treats the starter rows (Rule.starter)"
            )
        url = endpoint.url(target.kwargs)
        statuses = {}
        for method in METHODS:
            before = database_state()
            response = send(client, method, url, target.data)
            statuses[method] = status = response.status_code
            if status == 404 or status == 302 and response["Location"].startswith(reverse("login")):
                problems.append(f"alice {method} {url}: {status} for her own object")
            if method == "POST" and status != 405 and not changed_tables(before, database_state()):
                problems.append(f"alice POST {url}: accepted, changed nothing")
        if statuses["GET"] == statuses["POST"] == 405:
            problems.append(f"{url} takes neither GET nor POST")
    assert not problems, "\n".join(problems)


# Ids sent in a form rather than in the URL: the route is the person's own, the
# field names another person's object. (route, builder of his own objects, field)
FORM_IDS = [
    ("cards:study_grade", study_session, "prompt"),
    ("cards:study_undo", study_session, "review"),
    ("cards:quiz_answer", quiz, "item"),
    ("cards:card_edit", card, "topic"),
    ("cards:card_bulk", bulk_suspend, "ids"),
    ("cards:card_bulk", bulk_move, "topic"),
    ("cards:card_bulk_undo", bulk_undo, "undo"),
    ("mock:save", mock_session, "answer"),
    ("mock:submit", mock_session, "answer"),
    ("mock:score", mock_session_handed_in, "answer"),
    ("mock:followups", mock_session_scored, "answer"),
    ("mock:audio_upload", mock_session_to_record, "answer"),
    ("interviews:checklist_add", interview, "questions"),
    ("interviews:checklist_reorder", interview, "item"),
]


def form_naming(topic_pk: int, interview_pk: int, interview_form: dict) -> dict:
    """Forms of routes without ids that name a topic or an interview."""
    return {
        "cards:card_create": {"topic": topic_pk, "kind": "basic", "front": "F", "back": "B"},
        "cards:study_start": {"topics": [topic_pk]},
        "cards:quiz_start": {"topics": [topic_pk], "size": 1, "mode": "random"},
        "interviews:create": {**interview_form, "topics": [topic_pk]},
        "mock:start": {"interview": interview_pk, "count": 1, "time_limit_seconds": 60},
    }


def test_ids_sent_in_a_form_are_checked_too():
    """Mallory posts to his own objects, or to a page that creates one, naming one of
    Alice's in the form: refused, nothing written, nothing of hers shown. The same
    form naming his own object goes through."""
    alice, mallory = make_user("alice"), make_user("mallory")
    as_mallory = logged_in(mallory)
    probes = Probes()

    def attempt(url: str, theirs: dict, own: dict, what: str) -> None:
        probes.settle()
        for headers in ({}, {"HX-Request": "true"}):
            response = send(as_mallory, "POST", url, theirs, **headers)
            probes.expect(
                "mallory", "POST", f"{url} naming her {what}", response, {200, 302, 400, 404, 409}
            )
        send(as_mallory, "POST", url, own)
        assert changed_tables(probes.state, database_state()), f"{url} with his own {what}"

    for name, builder, name_field in FORM_IDS:
        hers, his = builder(alice), builder(mallory)
        url = reverse(name, kwargs=his.kwargs)
        attempt(url, {**his.data, name_field: hers.data[name_field]}, his.data, name_field)

    her_topic, his_topic = topic(alice).obj, topic(mallory).obj
    her_interview, his_interview = interview(alice), interview(mallory)
    InterviewerQuestion.objects.create(owner=mallory, area="technical", text="Q?", key_points=["a"])
    theirs = form_naming(her_topic.pk, her_interview.obj.pk, his_interview.data)
    own = form_naming(his_topic.pk, his_interview.obj.pk, his_interview.data)
    for name in theirs:
        attempt(reverse(name), theirs[name], own[name], "topic or interview")
    edit = reverse("interviews:edit", kwargs=his_interview.kwargs)
    attempt(
        edit,
        {**his_interview.data, "topics": [her_topic.pk]},
        {**his_interview.data, "topics": [his_topic.pk]},
        "topic",
    )
    print(f"\n{probes.count} probes of ids in forms, {len(probes.leaks)} leaks")
    assert not probes.leaks, "\n".join(probes.leaks)


def test_the_selection_export_downloads_nothing_of_another_persons():
    """The card browser's export names cards in its form: Mallory naming Alice's
    card, alone or beside his own, gets her card in no file; his own downloads."""
    alice, mallory = make_user("alice"), make_user("mallory")
    as_mallory = logged_in(mallory)
    hers, his = card(alice).obj, card(mallory).obj
    url = reverse("cards:card_bulk_export")
    probes = Probes()
    for ids in ([hers.pk], [his.pk, hers.pk]):
        for format in ("csv", "anki"):
            response = send(as_mallory, "POST", url, {"format": format, "ids": ids})
            probes.expect("mallory", "POST", f"{url} naming her card", response, {302})
    response = send(as_mallory, "POST", url, {"format": "csv", "ids": [his.pk]})
    assert response.status_code == 200
    assert not probes.leaks, "\n".join(probes.leaks)


def test_the_card_preview_shows_nothing_of_another_persons():
    """The editor's preview names the card being edited and the topic to look for
    the same front in (POST fields, not the URL): Mallory naming Alice's card gets
    a 404; naming her topic, a form error. Nothing of hers is shown or written."""
    alice, mallory = make_user("alice"), make_user("mallory")
    as_mallory = logged_in(mallory)
    hers = card(alice)
    his = card(mallory)
    url = reverse("cards:card_preview")
    probes = Probes()
    # Her card's front, typed by him: the preview shows what he typed, and
    # nothing about her card (no warning, no link to it).
    same_front = hers.obj.front
    her_link = reverse("cards:card_detail", args=[hers.obj.pk])
    attempts = [
        ({**his.data, "card": hers.obj.pk}, {404}, False),
        ({**his.data, "card": his.obj.pk, "topic": hers.obj.topic_id}, {200}, False),
        ({**his.data, "topic": hers.obj.topic_id, "front": same_front}, {200}, True),
        ({**his.data, "front": same_front}, {200}, True),  # in his own topic
    ]
    for data, allowed, typed_it in attempts:
        for headers in ({}, {"HX-Request": "true"}):
            response = send(as_mallory, "POST", url, data, **headers)
            where = f"{url} {sorted(data.items())}"
            probes.expect("mallory", "POST", where, response, allowed, secret_may_show=typed_it)
            assert "has this front" not in body(response), where
            assert her_link not in body(response), where
    # His own card, as he edits it: served.
    response = send(as_mallory, "POST", url, {**his.data, "card": his.obj.pk})
    assert response.status_code == 200 and "Changed" in body(response)
    assert not probes.leaks, "\n".join(probes.leaks)


def test_every_other_page_needs_login():
    """Routes without ids: a visitor is sent to log in, whatever the method, except on
    the landing and account pages; those are served and do not send anyone away."""
    alice = make_user("alice")
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    visitor = Client()
    probes = Probes()
    public_seen = set()
    for endpoint in endpoints():
        kind = classify(endpoint)
        if kind == "public":
            public_seen.add(endpoint.name)
            token = "set-password"
            if endpoint.name == "accounts:unsubscribe":
                token = unsubscribe_token(alice.pk)  # a bad one is a 400 (its own tests)
            url = endpoint.url({"uidb64": uid, "token": token})
            response = send(visitor, "GET", url)
            probes.expect("visitor", "GET", url, response, {200, 302, 405})
            if response.status_code == 302:
                assert not response["Location"].startswith(reverse("login"))
        elif kind == "login-required":
            url = endpoint.url({})
            for method in METHODS:
                probes.redirected_to_login("visitor", method, url, send(visitor, method, url))
    assert public_seen == PUBLIC
    print(f"\n{probes.count} probes of routes without ids, {len(probes.leaks)} leaks")
    assert not probes.leaks, "\n".join(probes.leaks)


def test_a_bogus_reset_link_changes_no_password():
    alice = make_user("alice")
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    endpoint = next(e for e in endpoints() if e.name == "password_reset_confirm")
    url = endpoint.url({"uidb64": uid, "token": "abc-0123456789abcdef"})
    probes = Probes()
    data = {"new_password1": "taken-over-9876", "new_password2": "taken-over-9876"}
    for method in METHODS:
        response = send(Client(), method, url, data)
        probes.expect("visitor", method, url, response, {200, 405})
    alice.refresh_from_db()
    assert not alice.check_password("taken-over-9876")
    assert not probes.leaks, "\n".join(probes.leaks)


def test_the_admin_is_for_staff_only():
    """Every admin route sends a visitor and a person who is not staff to a login
    page (the site's, or the admin's own for the views it opens to visitors), and
    changes nothing. (The admin's logout sends a non-staff person to its index,
    which sends them to log in.)"""
    clients = [("visitor", Client()), ("mallory", logged_in(make_user("mallory")))]
    probes = Probes()
    login_pages = (reverse("admin:login"), reverse("login"))
    for endpoint in endpoints():
        if classify(endpoint) != "admin":
            continue
        url = endpoint.url({**ADMIN_VALUES, "url": "nowhere/"})
        for who, client in clients:
            for method in ["GET", "POST"]:
                response = send(client, method, url)
                probes.count += 1
                if response.status_code != 302:
                    probes.leaks.append(f"{who} {method} {url}: {response.status_code}")
                location = response.get("Location", "")
                if endpoint.name == "admin:logout" and location == reverse("admin:index"):
                    continue
                if not location.startswith(login_pages):
                    probes.leaks.append(f"{who} {method} {url}: sent to {location}")
    probes.unchanged("the admin's routes")
    print(f"\n{probes.count} probes of the admin, {len(probes.leaks)} leaks")
    assert not probes.leaks, "\n".join(probes.leaks)


def test_staff_pages_are_for_staff_only():
    mallory = logged_in(make_user("mallory"))
    staff = logged_in(make_staff("ada"))
    probes = Probes()
    found = {endpoint.name: endpoint for endpoint in endpoints()}
    gone = STAFF_ONLY - set(found)
    assert not gone, f"STAFF_ONLY names routes that are gone: {gone}"
    for name in sorted(STAFF_ONLY):
        url = found[name].url({})
        for method in METHODS:
            probes.expect("mallory", method, url, send(mallory, method, url), {403})
        probes.expect("staff", "GET", url, send(staff, "GET", url), {200})
        probes.expect("staff", "POST", url, send(staff, "POST", url), {405})
    print(f"\n{probes.count} probes of staff pages, {len(probes.leaks)} leaks")
    assert not probes.leaks, "\n".join(probes.leaks)


def test_the_card_browser_lists_nobody_elses_cards_or_progress():
    """Whatever Mallory searches, sorts or shows, Alice's cards are not in his
    table, and a starter card she studied is new to him."""
    alice, mallory = make_user("alice"), make_user("mallory")
    card(alice)
    starter = starter_card(alice).obj
    as_mallory = logged_in(mallory)
    every_column = "front,topic,tags,kind,due,interval,stability,difficulty,recall,reviews"
    searches = ["", "mine", "-starter", "secret", "alice", "tag:mine", "is:due", "prop:lapses>0"]
    probes = Probes()
    for text in searches:
        for sort in ("-created", "due", "-lapses", "-reviews", "front"):
            query = {"q": text, "sort": sort, "cols": every_column + ",lapses"}
            url = f"{reverse('cards:card_browser')}?{urlencode(query)}"
            response = as_mallory.get(url)
            probes.expect("mallory", "GET", url, response, {200})
            table = response.context.get("table")
            rows = table.rows if table else []
            if any(row.card.owner_id == alice.pk for row in rows):
                probes.leaks.append(f"{url}: lists a card of Alice's")
            for row in rows:
                if row.card.pk == starter.pk and (row.studied or row.lapses or row.reviews):
                    probes.leaks.append(f"{url}: shows Alice's progress on a starter card")
    assert probes.count == len(searches) * 5
    assert not probes.leaks, "\n".join(probes.leaks)
    # She sees her own card, and her progress on the starter one.
    rows = logged_in(alice).get(reverse("cards:card_browser")).context["table"].rows
    assert {row.card.front for row in rows} == {f"{secret(alice)} front", "Starter front"}
    assert next(row for row in rows if row.card.pk == starter.pk).lapses == 0
    assert next(row for row in rows if row.card.pk == starter.pk).reviews == 1
