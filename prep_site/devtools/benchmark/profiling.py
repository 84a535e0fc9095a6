"""Measuring in this process, after the load: each page through the test client
with its queries and time, the bare view the same way, where a study request's
CPU time goes (cProfile), the study step's queries on both of its paths, and a
query's plan."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from .common import ENDPOINTS, Endpoint, Person

SPARE_PROMPTS = 120  # prompts kept out of the load, graded in process


@dataclass
class Capture:
    sql: str
    params: tuple
    ms: float


class QueryRecorder:
    """Every statement the connection runs, with its parameters and time."""

    def __init__(self):
        self.queries: list[Capture] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            self.queries.append(Capture(sql, tuple(params or ()), elapsed))


class ViewDriver:
    """Requests one person's pages in this process through the test client,
    grading prompts kept for it (the last lines of the grade file, far from
    where the load got to) with their review count of the moment."""

    def __init__(self, person: Person):
        from django.contrib.auth import get_user_model
        from django.test import Client

        self.person = person
        self.client = Client(SERVER_NAME="127.0.0.1")
        self.client.force_login(get_user_model().objects.get(pk=person.user_id))
        lines = Path(person.grade_file).read_text().splitlines()
        self.spare = [int(line.split()[0]) for line in lines[-SPARE_PROMPTS:]]

    def prepare(self, endpoint: Endpoint):
        """What to send, worked out before the clock starts."""
        from cards.models import Progress

        data = None
        if endpoint.method == "POST":
            prompt = self.spare.pop()
            progress = Progress.objects.filter(
                user_id=self.person.user_id, prompt_id=prompt
            ).first()
            data = {"prompt": prompt, "rating": 3, "reps": progress.reps if progress else 0}
        return data

    def call(self, endpoint: Endpoint, data) -> None:
        headers = {"HX-Request": "true"} if endpoint.htmx else {}
        path = self.person.path(endpoint.name)
        if endpoint.method == "POST":
            response = self.client.post(path, data, headers=headers)
        else:
            response = self.client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code} in process")


def profile_views(people: dict[str, Person], rounds: int) -> dict:
    """Each endpoint rendered in this process through the test client, per person:
    the queries it runs (the last round's) and the median time of ``rounds``."""
    from django.db import connection

    profile = {}
    for username, person in people.items():
        driver = ViewDriver(person)
        for endpoint in ENDPOINTS:
            times, recorder = [], None
            for round_number in range(rounds + 1):
                data = driver.prepare(endpoint)
                recorder = QueryRecorder()
                started = time.perf_counter()
                with connection.execute_wrapper(recorder):
                    driver.call(endpoint, data)
                if round_number:  # the first round warms caches and templates
                    times.append((time.perf_counter() - started) * 1000)
            profile[(endpoint.name, username)] = {
                "ms": statistics.median(times),
                "queries": recorder.queries,
            }
    return profile


# Where the time of a request goes: (label, file name ending, function name).
# Cumulative times: a line includes what it calls, so lines overlap.
CPU_AREAS = [
    ("whole request, middleware included", "django/core/handlers/base.py", "get_response"),
    ("  loading the session and the user", "django/contrib/auth/__init__.py", "get_user"),
    ("  the view", "cards/study/views.py", "study_session"),
    ("  the view", "cards/study/views.py", "study_grade"),
    ("    cards.study.services.grade_prompt", "cards/study/services.py", "grade_prompt"),
    ("    cards.study.services.next_prompt_for", "cards/study/services.py", "next_prompt_for"),
    ("    FSRS interval previews (4 reviews)", "cards/scheduling.py", "interval_previews"),
    ("    template rendering", "django/template/backends/django.py", "render"),
    ("      Markdown → HTML (card faces)", "cards/markdown.py", "render_markdown"),
    ("SQL: executing (driver and database)", "django/db/backends/utils.py", "_execute"),
    ("SQL: fetching rows", "psycopg/cursor.py", "fetchmany"),
    ("SQL: fetching rows", "psycopg/cursor.py", "fetchone"),
    ("SQL: fetching rows", "~", "<method 'fetchmany' of 'sqlite3.Cursor' objects>"),
    ("ORM: compiling querysets to SQL", "django/db/models/sql/compiler.py", "as_sql"),
    ("ORM: rows to model instances", "django/db/models/query.py", "from_db"),
    ("transaction commits", "django/db/backends/base/base.py", "commit"),
]


def bare_in_process(requests: int = 300) -> float:
    """The bare view through the test client, anonymous like wrk's: median ms."""
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get("/bare/")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[10:])


def cpu_profile(person: Person, endpoint: Endpoint, requests: int) -> list[tuple[str, float]]:
    """Milliseconds per request in each area of CPU_AREAS, under cProfile (which
    slows Python down; read the shares, not the absolute times)."""
    import cProfile
    import pstats

    driver = ViewDriver(person)
    for _ in range(3):
        driver.call(endpoint, driver.prepare(endpoint))
    profiler = cProfile.Profile()
    for _ in range(requests):
        data = driver.prepare(endpoint)
        profiler.enable()
        driver.call(endpoint, data)
        profiler.disable()
    stats = pstats.Stats(profiler).stats
    totals: dict[str, float] = {}
    for label, file_end, function in CPU_AREAS:
        for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.items():
            if name == function and filename.endswith(file_end):
                totals[label] = totals.get(label, 0.0) + cumulative * 1000 / requests
    return [
        (label, totals[label])
        for label in dict.fromkeys(a[0] for a in CPU_AREAS)
        if label in totals
    ]


def study_queries(person: Person) -> dict[str, list[Capture]]:
    """The queries of the next-card step as the app runs it: once as things
    are (due cards first), and once with every due or nearly due prompt moved a
    day on, inside a transaction that is rolled back, so the new-card and
    learning-step queries run too (with an unlimited new-card allowance)."""
    from datetime import UTC, timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import Q
    from django.utils import timezone

    from cards.models import Progress, StudySession, Topic
    from cards.study import services

    result = {}
    for label, clear_due in (
        ("study next card, as things are: the due-card path", False),
        ("study next card, nothing due (moved a day on, rolled back): the new-card path", True),
    ):
        now = timezone.now()
        with transaction.atomic():
            if clear_due:
                Progress.objects.filter(
                    user_id=person.user_id, due__lte=now + services.LEARN_AHEAD
                ).update(due=now + timedelta(days=1))
            session = StudySession.objects.get(pk=person.session_id)
            recorder = QueryRecorder()
            with connection.execute_wrapper(recorder):
                services.next_prompt_for(session=session, now=now, zone=UTC, new_per_day=10**9)
            transaction.set_rollback(True)
        result[label] = recorder.queries

    # A session over a set of topics no earlier session covered (the person's own
    # and the starter library's) walks once from the first of their cards to the
    # first new one; later sessions over those topics start where it got to.
    with transaction.atomic():
        topics = list(Topic.objects.filter(Q(owner_id=person.user_id) | Q(owner__isnull=True)))
        user = get_user_model().objects.get(pk=person.user_id)
        recorder = QueryRecorder()
        with connection.execute_wrapper(recorder):
            services.start_session(user=user, topics=topics)
        transaction.set_rollback(True)
    result["starting a session over topics never studied together (rolled back)"] = recorder.queries
    return result


def explain(capture: Capture) -> tuple[list[str], float]:
    """The plan of a query, and its time when run again here (median of 3, or
    once for a query that took over a second)."""
    from django.db import connection

    with connection.cursor() as cursor:
        times = []
        for _ in range(1 if capture.ms > 1000 else 3):
            started = time.perf_counter()
            cursor.execute(capture.sql, capture.params)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + capture.sql, capture.params)
            lines = [row[0] for row in cursor.fetchall()]
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + capture.sql, capture.params)
            rows = cursor.fetchall()
            depth = {0: -1}
            lines = []
            for node, parent, _unused, detail in rows:
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
    return lines, statistics.median(times)


def readable_sql(capture: Capture) -> str:
    sql = capture.sql
    for param in capture.params:
        if isinstance(param, str):
            value = "'" + param.replace("'", "''") + "'"
        elif hasattr(param, "isoformat"):
            value = f"'{param.isoformat()}'"
        else:
            value = repr(param)
        sql = sql.replace("%s", value, 1)
    return sql
