"""Every page and fragment runs a bounded number of queries, whatever the size of
the collection behind it.

Two people are built once for the module, with the same shape of data (two
topics, a study session with two grades, two quizzes, two import jobs, two
interviews with a checklist, a question bank, two mock interviews) and
collections of very different sizes: SMALL and LARGE cards, with REVIEWS_PER_CARD
reviews of each studied card. Each GET route a person uses is requested as both
(after one request to warm the session up), and the page must run the same
number of queries for both, under the cap stated for it.

The route list is checked against Django's URL resolver: a route that is neither
measured here (PAGES, BACKUPS, EXPORTS) nor refuses GET (POST_ONLY, checked to answer
405) fails test_every_route_is_listed, so a new page cannot go unmeasured.
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.daily_email import unsubscribe_token
from cards.exports.formats import EXPORT_CHUNK, exportable_cards
from cards.models import (
    Card,
    ImportJob,
    Quiz,
    QuizItem,
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
from tests.query_people import LARGE, REVIEWS_PER_CARD, SMALL, Person, build, image_name
from tests.security.test_access_control import endpoints

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings):
    """The people's files (an answer's recording) are kept once for the module,
    where the test settings keep them, not in each test's own directory."""
    return settings.MEDIA_ROOT


@pytest.fixture(scope="module")
def people(django_db_setup, django_db_blocker):
    """Built once, in a transaction rolled back after the module's last test; each
    test's own transaction (a savepoint inside it) undoes what its requests wrote."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = {"small": build("small", SMALL), "large": build("large", LARGE)}
        if connection.vendor == "postgresql":
            # What autovacuum does on a real server: without table statistics,
            # thousands of rows written in this one transaction can get plans
            # meant for empty tables (nested loops of full scans).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        yield built
        transaction.set_rollback(True)


# What is requested -----------------------------------------------------------------------


@dataclass(frozen=True)
class Of:
    """The pk of one of the person's objects, named by its Person attribute."""

    name: str

    def __call__(self, person: Person) -> int:
        return getattr(person, self.name).pk

    def __str__(self) -> str:
        return f"<{self.name}>"


# A URL parameter: a Person attribute (its pk is used), or a function of the person.
Ref = str | Callable[[Person], object]


def value(person: Person, ref: Ref) -> str:
    return str(ref(person) if callable(ref) else getattr(person, ref).pk)


def ref_name(ref: Ref) -> str:
    return f"<{ref}>" if isinstance(ref, str) else ref.__name__


def pending_image_name(person: Person) -> str:
    return person.pending_image.name


def uid(person: Person) -> str:
    return urlsafe_base64_encode(force_bytes(person.user.pk))


def bogus_token(person: Person) -> str:
    return "not-a-token"


def unsubscribe_link(person: Person) -> str:
    return unsubscribe_token(person.user.pk)


@dataclass(frozen=True)
class Page:
    """A GET of a route, as each person: its URL parameters name Person attributes
    (the query string may too, with Of). ``cap`` bounds the queries at either size:
    it is what the page runs today."""

    route: str
    cap: int
    ids: dict[str, Ref] = field(default_factory=dict)
    query: dict[str, str | Of] = field(default_factory=dict)
    htmx: bool = False
    status: int = 200
    # Queries the small person may run on top of the large one's: a schedule
    # sort whose sorted cards run out within the page reads the cards without
    # the figure after them (cards.browse.sorts), one more query.
    tail: int = 0

    def url(self, person: Person) -> str:
        url = reverse(self.route, kwargs={k: value(person, v) for k, v in self.ids.items()})
        if self.query:
            query = {k: v(person) if isinstance(v, Of) else v for k, v in self.query.items()}
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        return url

    def __str__(self) -> str:
        ids = ",".join(f"{k}={ref_name(v)}" for k, v in self.ids.items())
        query = "?" + "&".join(f"{k}={v}" for k, v in self.query.items()) if self.query else ""
        return f"{self.route}{f'[{ids}]' if ids else ''}{query}{' (htmx)' if self.htmx else ''}"


TOPIC = {"pk": "collection"}
CARD = {"pk": "card"}
STUDY = {"pk": "study"}
INTERVIEW = {"pk": "interview"}

PAGES = [
    # Cards and topics.
    Page("home", 9),
    Page("design", 2, status=403),  # staff only: these people are not
    Page("cards:topic_list", 4),
    Page("cards:topic_create", 2),
    Page("cards:topic_detail", 6, TOPIC),
    Page("cards:topic_detail", 6, TOPIC, {"page": "2"}),
    Page("cards:topic_edit", 3, TOPIC),
    Page("cards:topic_delete", 4, TOPIC),
    Page("cards:card_create", 4),
    Page("cards:card_create", 5, query={"topic": Of("collection")}),
    Page(
        "cards:card_create",
        5,
        query={"topic": Of("collection"), "kind": "cloze", "text_format": "html", "tags": "a,b"},
    ),
    Page("cards:card_detail", 6, CARD),
    Page("cards:card_edit", 6, CARD),
    Page("cards:card_delete", 3, CARD),
    Page("cards:card_media", 3, {"pk": "card", "name": image_name}),
    Page("cards:pending_image", 3, {"name": pending_image_name}),
    # The card browser: the session, the count, the page's cards, their tags
    # and their progress; a schedule sort adds a subquery, not a query.
    # + 1 on the whole page: the person's saved searches.
    Page("cards:card_browser", 7),
    Page("cards:card_browser", 7, query={"q": "Q1 OR is:due", "page": "2"}),
    Page("cards:card_browser", 7, query={"sort": "-due"}, tail=1),
    Page("cards:card_browser", 6, query={"sort": "reviews", "cols": "front,recall"}, htmx=True),
    Page("cards:saved_search_menu", 3),  # the navigation's menu, fetched when opened
    Page("cards:search", 2),
    Page("cards:search", 5, query={"q": "Q1"}),
    Page("cards:search", 5, query={"q": "Q1", "page": "2"}),
    Page("cards:search", 5, query={"q": "Q1"}, htmx=True),
    # Recall at the upcoming interviews, the leech list, and the person's review pace.
    Page("cards:progress", 20),
    # Studying.
    Page("cards:study_start", 5),  # the topics, and the tags to narrow them by
    Page("cards:study_start", 5, query={"topic": Of("collection")}),
    # + 2 each: the coming days' due counts and the days of upcoming interviews,
    # for load balancing the buttons' intervals.
    # + up to 7 each: the next five cards held (the due ones, a search for each
    # new one, their prompts).
    Page("cards:study_session", 18, STUDY),
    Page("cards:study_session", 18, STUDY, htmx=True),
    Page("cards:study_session", 18, STUDY, {"reveal": "1"}, htmx=True),
    Page("cards:study_session", 11, STUDY, {"prefetch": "0"}),
    # A given card (after an undo) with the session's counts, as on any step.
    Page("cards:study_session", 19, STUDY, {"prompt": Of("graded_prompt")}, htmx=True),
    # A session from a search keeps to its cards' ids, read with the session.
    Page("cards:study_session", 18, {"pk": "search_study"}),
    Page("cards:study_session", 18, {"pk": "search_study"}, htmx=True),
    Page("cards:study_summary", 5, STUDY),
    Page("cards:schedule", 6),  # the workload: the new cards a day and the cards to study
    Page("cards:schedule", 4, htmx=True),
    # Quizzes.
    Page("cards:quiz_start", 8),
    Page("cards:quiz_start", 8, query={"topic": Of("collection")}),
    Page("cards:quiz_start", 5, query={"page": "1"}, htmx=True),
    Page("cards:quiz_detail", 5, {"pk": "quiz"}),
    Page("cards:quiz_detail", 5, {"pk": "quiz"}, htmx=True),
    Page("cards:quiz_detail", 4, {"pk": "quiz_done"}, status=302),
    Page("cards:quiz_result", 5, {"pk": "quiz_done"}),
    Page("cards:quiz_result", 4, {"pk": "quiz"}, status=302),
    # Imports.
    Page("cards:import", 4),
    Page("cards:import", 3, htmx=True),
    Page("cards:import_job", 6, {"pk": "import_preview"}),
    Page("cards:import_job", 3, {"pk": "import_preview"}, htmx=True),
    Page("cards:import_job", 3, {"pk": "import_done"}),
    Page("cards:card_bulk_job", 3, {"pk": "bulk_job"}),
    Page("cards:card_bulk_job", 3, {"pk": "bulk_job"}, htmx=True),
    # Interviews and their checklists.
    Page("interviews:list", 4),
    Page("interviews:create", 3),
    # With the predicted recall of its topics: the topics, the person's
    # scheduler, their progress in the topics and the prompts per topic.
    # With the plan to the day: the person's new-card limit and review pace, and the
    # mastery of the interview's topics.
    Page("interviews:detail", 16, INTERVIEW),
    Page("interviews:detail", 6, INTERVIEW, htmx=True),
    Page("interviews:detail", 6, INTERVIEW, {"category": "team"}, htmx=True),
    Page("interviews:edit", 5, INTERVIEW),
    Page("interviews:delete", 3, INTERVIEW),
    Page("interviews:calendar", 3, INTERVIEW),
    Page("interviews:checklist_print", 4, INTERVIEW),
    Page("interviews:checklist_markdown", 4, INTERVIEW),
    Page("interviews:question_bank", 4),
    Page("interviews:question_bank", 4, query={"category": "team"}, htmx=True),
    Page("interviews:question_edit", 3, {"question_pk": "bank_question"}),
    # Mock interviews.
    Page("mock:start", 5),
    Page("mock:start", 5, query={"interview": Of("interview")}),
    Page("mock:question_list", 3),
    Page("mock:question_list", 3, query={"area": "technical"}, htmx=True),
    Page("mock:question_create", 2),
    Page("mock:question_history", 4, {"pk": "mock_question"}),
    Page("mock:question_edit", 3, {"pk": "mock_question"}),
    Page("mock:question_delete", 4, {"pk": "mock_question"}),
    Page("mock:session", 4, {"pk": "mock"}),
    Page("mock:session", 4, {"pk": "mock"}, htmx=True),
    Page("mock:session", 7, {"pk": "mock_done"}),
    Page("mock:audio", 3, {"pk": "recorded"}),
    # The account.
    Page("accounts:settings", 3),
    Page("accounts:data", 17),  # with the recent restores and the card images count
    Page("accounts:restore_job", 3, {"pk": "restore"}),
    Page("accounts:restore_job", 3, {"pk": "restore"}, htmx=True),
    Page("accounts:delete", 4),  # with the person's jobs under way
    Page("accounts:deleted", 2),
    Page("accounts:signup", 2, status=302),  # logged in already: sent home
    Page("accounts:welcome", 3, status=302),  # has studied already: sent to choose topics
    Page("login", 2),
    Page("password_change", 2),
    Page("password_change_done", 2),
    Page("password_reset", 2),
    Page("password_reset_done", 2),
    Page("password_reset_confirm", 3, {"uidb64": uid, "token": bogus_token}),
    Page("password_reset_complete", 2),
    Page("accounts:unsubscribe", 2, {"token": unsubscribe_link}),
]

# Downloads, counted with the whole body read. A backup reads its small sections
# before it is sent and streams its cards, progress and reviews, each in one query
# (after the cards' ids and the prompts' ordinals): a fixed number in all. The card
# exports stream the cards EXPORT_CHUNK at a time, each chunk fetching its cards'
# tags: they run one query per chunk, and beyond that the same number at any size.
BACKUPS = [
    Page("accounts:backup_download", 32),
    Page("accounts:backup_download_gzip", 32),
]
EXPORTS = [  # caps leave out the one query per chunk
    Page("cards:export_csv", 3),
    Page("cards:export_anki", 4),  # one more: the tags with spaces, for its header
    Page("cards:topic_export_csv", 4, TOPIC),
    Page("cards:topic_export_anki", 5, TOPIC),
]

# Routes that only take a POST (a GET is checked to be refused with 405), with the
# objects their URL names.
ITEM = {"pk": "interview", "item_pk": "item"}
POST_ONLY: dict[str, dict[str, Ref]] = {
    "cards:card_suspend": CARD,
    "cards:card_bulk": {},  # its queries: tests/cards/browse/test_bulk.py
    "cards:card_bulk_undo": {},
    "cards:card_bulk_export": {},  # its queries: tests/cards/exports/test_selection_export.py
    # Their queries: tests/cards/browse/test_saved_searches.py.
    "cards:saved_search_create": {},
    "cards:saved_search_rename": {"pk": "saved_search"},
    "cards:saved_search_delete": {"pk": "saved_search"},
    "cards:search_study": {},
    "cards:search_quiz": {},
    "cards:card_preview": {},  # its queries: tests/cards/test_card_editor.py
    "cards:image_upload": {},  # its queries: tests/cards/test_card_images.py
    "cards:study_grade": STUDY,
    "cards:study_undo": STUDY,
    "cards:study_end": STUDY,
    "cards:schedule_optimize": {},
    "cards:quiz_answer": {"pk": "quiz"},
    "cards:import_confirm": {"pk": "import_preview"},
    "cards:import_cancel": {"pk": "import_preview"},
    "interviews:cram": INTERVIEW,
    "interviews:checklist_add": INTERVIEW,
    "interviews:checklist_new": INTERVIEW,
    "interviews:checklist_reorder": INTERVIEW,
    "interviews:checklist_item": ITEM,
    "interviews:checklist_item_delete": ITEM,
    "interviews:checklist_item_move": ITEM,
    "interviews:question_bank_seed": {},
    "interviews:question_delete": {"question_pk": "bank_question"},
    "mock:save": {"pk": "mock"},
    "mock:submit": {"pk": "mock"},
    "mock:score": {"pk": "mock"},
    "mock:finish": {"pk": "mock"},
    "mock:model_answer": {"pk": "mock_question"},
    "mock:followups": {"pk": "mock_done"},
    "mock:audio_upload": {"pk": "mock"},
    "accounts:backup_restore": {},
    "logout": {},
}
# Django's admin is for staff, not for the people using the app: left out.
LEFT_OUT_NAMESPACES = {"admin"}


# Requests and counts ---------------------------------------------------------------------


def logged_in(person: Person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def fetch(client: Client, page: Page, url: str):
    headers = {"HX-Request": "true"} if page.htmx else {}
    response = client.get(url, headers=headers)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def measure(page: Page, person: Person) -> tuple[int, list[str], object]:
    """The queries of the page's second request (the first stores the time zone in
    the session, starts a mock interview's clock and the like)."""
    client = logged_in(person)
    url = page.url(person)
    fetch(client, page, url)
    with CaptureQueriesContext(connection) as captured:
        response = fetch(client, page, url)
    return len(captured), [q["sql"] for q in captured.captured_queries], response


def shape(sql: str) -> str:
    """A query with its numbers and lists of values taken out, to compare two runs."""
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "N", sql)
    return re.sub(r"\((?:\s*(?:N|\?|%s)\s*,)+\s*(?:N|\?|%s)\s*\)", "(…)", sql)


def extra_queries(small: list[str], large: list[str]) -> str:
    """The queries the large person ran more often than the small one."""
    more = Counter(map(shape, large)) - Counter(map(shape, small))
    return "\n".join(f"  {n}× {sql[:300]}" for sql, n in more.most_common()) or "  (none)"


def check(page: Page, people: dict[str, Person], per_chunk: dict[str, int] | None = None):
    """Both people get the expected status, the large one runs exactly as many
    queries as the small one, and neither more than the cap.
    ``per_chunk``: queries each person may run on top, one per chunk of an export."""
    counts, queries = {}, {}
    for size, person in people.items():
        counts[size], queries[size], response = measure(page, person)
        assert response.status_code == page.status, f"{page} as the {size} person"
    print(f"{page}: small {counts['small']}, large {counts['large']}")
    small, large = ((counts[s] - (per_chunk or {}).get(s, 0)) for s in ("small", "large"))
    assert large <= small <= large + page.tail, (
        f"{page} runs {counts['small']} queries for {people['small'].cards} cards and "
        f"{counts['large']} for {people['large'].cards}; the large person's extra queries:\n"
        f"{extra_queries(queries['small'], queries['large'])}"
    )
    assert max(small, large) <= page.cap, f"{page}: {max(small, large)} queries, cap {page.cap}"


# The tests --------------------------------------------------------------------------------


# (Not "page": pytest-playwright would take it for its browser page.)
@pytest.mark.parametrize("visit", PAGES, ids=str)
def test_a_page_runs_the_same_queries_at_any_size(visit, people):
    check(visit, people)


@pytest.mark.parametrize("download", BACKUPS, ids=str)
def test_a_backup_runs_the_same_queries_at_any_size(download, people):
    check(download, people)


@pytest.mark.parametrize("download", EXPORTS, ids=str)
def test_an_export_runs_one_query_per_chunk_of_cards_and_a_fixed_number_besides(download, people):
    chunks = {}
    for size, person in people.items():
        topic = person.collection if download.ids else None
        cards = exportable_cards(user=person.user, topic=topic).count()
        chunks[size] = -(-cards // EXPORT_CHUNK)
    assert chunks["large"] > chunks["small"] == 1  # the large export does take chunks
    check(download, people, per_chunk=chunks)


def test_starting_a_study_session_runs_the_same_queries_at_any_size(people):
    """The new session looks up where the person's earlier sessions over its topics
    got to (the large person has studied thousands of cards) in one query, and
    walks from there to their first new card in one more."""
    counts = {}
    for size, person in people.items():
        client = logged_in(person)
        data = {"topics": [person.collection.pk, person.side.pk]}
        client.post(reverse("cards:study_start"), data)  # stores the time zone
        with CaptureQueriesContext(connection) as captured:
            response = client.post(reverse("cards:study_start"), data)
        assert response.status_code == 302
        counts[size] = len(captured)
    assert counts["large"] == counts["small"] <= 10, counts


def test_every_route_is_listed(people):
    """A GET route nobody listed here fails, and so does a name listed here that no
    longer exists. Routes said to take only POST must refuse a GET."""
    measured = {page.route for page in PAGES + BACKUPS + EXPORTS}
    listed = measured | set(POST_ONLY)
    found = {
        endpoint.name: endpoint
        for endpoint in endpoints()
        if endpoint.namespace not in LEFT_OUT_NAMESPACES
    }
    problems = [
        f"{name} ({endpoint.route}) is not listed: add it to PAGES (with the ids it "
        "takes) or, if it takes no GET, to POST_ONLY"
        for name, endpoint in found.items()
        if name not in listed
    ]
    problems += [f"{name} is listed but there is no such route" for name in listed - set(found)]
    problems += [f"{name} is both measured and POST_ONLY" for name in measured & set(POST_ONLY)]

    person = people["small"]
    client = logged_in(person)
    for name, ids in POST_ONLY.items():
        if name not in found:
            continue
        url = found[name].url({k: value(person, v) for k, v in ids.items()})
        status = client.get(url).status_code
        if status != 405:
            problems.append(f"{name}: GET {url} answered {status}, not 405: measure it in PAGES")
    assert not problems, "\n".join(problems)


def test_the_two_people_differ_in_the_size_of_their_collection_only(people):
    small, large = people["small"], people["large"]
    side = 4  # three cards made one by one and one imported, in the side topic
    assert Card.objects.owned_by(small.user).count() == SMALL + side
    assert Card.objects.owned_by(large.user).count() == LARGE + side
    for size, person in people.items():
        reviews = ReviewLog.objects.filter(user=person.user).count()
        assert reviews == person.cards // 2 * REVIEWS_PER_CARD + 2, size  # + the two grades
    same_shape = [
        (Topic, "owner"),
        (StudySession, "user"),
        (Quiz, "user"),
        (QuizItem, "quiz__user"),
        (ImportJob, "owner"),
        (Interview, "user"),
        (ChecklistItem, "interview__user"),
        (QuestionToAsk, "user"),
        (InterviewerQuestion, "owner"),
        (MockSession, "user"),
        (MockAnswer, "session__user"),
    ]
    for model, owner in same_shape:
        counts = [model.objects.filter(**{owner: p.user}).count() for p in (small, large)]
        assert counts[0] == counts[1] > 0, f"{model.__name__}: {counts}"
