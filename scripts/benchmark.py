#!/usr/bin/env python3
"""The speed benchmark of one database, run by scripts/benchmark.sh.

    .venv/bin/python scripts/benchmark.py --db sqlite [--quick]
    .venv/bin/python scripts/benchmark.py --db postgresql --pg-url postgres://... [--quick]

Builds a fresh database with a large history (``make_history``: a "big" person
with 100,000 cards and 1,000,000 reviews, a "small" one with 1,000 and 10,000),
serves the app with gunicorn (production settings, DEBUG off, 2 sync workers)
on 127.0.0.1 next to a bare Django view, drives every endpoint with wrk for a
fixed time and prints requests per second, latency percentiles, errors, the
ratio to the bare view and, big person against small, the ratio of median
latencies; then PASS/FAIL for the product's speed bars, the peak memory of
each gunicorn worker, the SQL each page runs and the plans of the heaviest
queries.

Everything it starts it stops, every wrk run is bounded by -d, the whole run
by --timeout, and it only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "scripts" / "bench"
PYTHON = sys.executable
SECRET_KEY = "bench-only-secret-key-" + "not-for-production-" * 2

WRK_THREADS = 2
WRK_CONNECTIONS = 16
WRK_TIMEOUT = "30s"  # a slow page is measured, not counted as an error
GUNICORN_WORKERS = 2

BIG, SMALL = "big", "small"
SIZES = {
    # user: (cards, reviews, seed)
    "full": {BIG: (100_000, 1_000_000, 1), SMALL: (1_000, 10_000, 2)},
    "quick": {BIG: (10_000, 100_000, 1), SMALL: (1_000, 10_000, 2)},
}
SECONDS = {"full": 10, "quick": 3}
SEARCH_QUERY = "bloom filter"
CHECKLIST_ITEMS = 15

# Targets (PRODUCT.md, "Bars the product must meet", and the benchmark issue).
STUDY_MIN_SHARE_OF_BARE = 0.5
BIG_OVER_SMALL_MAX = 3.0
WORKER_PEAK_MAX_MB = 200

SPARE_PROMPTS = 120  # prompts kept out of the load, graded in process
SLOW_QUERY_MS = 1.0  # queries shown with their plan, beyond the study step's


@dataclass
class Endpoint:
    name: str
    label: str
    method: str = "GET"
    htmx: bool = False


ENDPOINTS = [
    Endpoint("study_next", "study step: next card (htmx GET)", htmx=True),
    Endpoint("study_grade", "study step: grade (htmx POST)", method="POST", htmx=True),
    Endpoint("topic", "topic page"),
    Endpoint("search", f"search “{SEARCH_QUERY}”"),
    Endpoint("home", "home page"),
    Endpoint("progress", "progress dashboard"),
    Endpoint("interview", "interview checklist"),
]
STUDY_ENDPOINTS = ("study_next", "study_grade")
# Not a page of the app: the bare page behind the login, as the big person. What
# every signed-in page pays before its own work; no bar applies to it.
SIGNED_IN = Endpoint("bare_signed_in", "bare view, signed in")


@dataclass
class Person:
    """What the load needs to know about one benchmark user."""

    username: str
    user_id: int
    session_id: int
    topic_id: int
    interview_id: int
    cookie: str
    csrf: str
    grade_file: str
    grade_lines: int
    sanity_prompt: tuple[int, int]  # (prompt id, reps), kept out of the grade file

    def path(self, endpoint: str) -> str:
        return {
            "study_next": f"/study/{self.session_id}/",
            "study_grade": f"/study/{self.session_id}/grade/",
            "topic": f"/topics/{self.topic_id}/",
            "search": "/search/?" + urllib.parse.urlencode({"q": SEARCH_QUERY}),
            "home": "/",
            "progress": "/progress/",
            "interview": f"/interviews/{self.interview_id}/",
            "bare_signed_in": "/bare/signed-in/",
        }[endpoint]


@dataclass
class Result:
    endpoint: str
    user: str  # "big", "small" or "" for the bare view
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    error_detail: dict = field(default_factory=dict)
    note: str = ""


# wrk's report --------------------------------------------------------------------


def parse_report(output: str) -> dict:
    """The figures of scripts/bench/report.lua's ``BENCH {...}`` line in wrk's
    output: requests, rps, p50/p95/p99 in ms, errors by kind and their total."""
    for line in output.splitlines():
        if line.startswith("BENCH "):
            data = json.loads(line[len("BENCH ") :])
            break
    else:
        raise ValueError("no BENCH line in wrk's output:\n" + output[-2000:])
    errors = data["errors"]
    return {
        "requests": data["requests"],
        "seconds": data["duration_us"] / 1e6,
        "rps": data["rps"],
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "max_ms": data["max_us"] / 1000,
        "errors": sum(errors.values()),
        "error_detail": {kind: n for kind, n in errors.items() if n},
    }


# Small helpers ---------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[benchmark {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port}")


def manage(*args: str, env: dict, timeout: float) -> str:
    started = time.monotonic()
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    log(f"manage.py {' '.join(args)}: {time.monotonic() - started:.1f} s")
    return result.stdout


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


# The database --------------------------------------------------------------------------


def fresh_database(db: str, pg_url: str | None, workdir: Path) -> dict:
    """Environment for a new, empty database of the given kind."""
    env = {
        "DJANGO_SETTINGS_MODULE": "prep_site.devtools.settings",
        "SECRET_KEY": SECRET_KEY,
        "BENCH_STATIC_ROOT": str(workdir / "static"),
    }
    if db == "sqlite":
        path = workdir / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        env["BENCH_SQLITE_PATH"] = str(path)
        return env
    import psycopg

    parts = urllib.parse.urlsplit(pg_url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing a PostgreSQL server that is not on the loopback: {pg_url}")
    with psycopg.connect(pg_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute("DROP DATABASE IF EXISTS prep_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE prep_bench")
    env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path="/prep_bench"))
    return env


def drop_postgres_database(pg_url: str) -> None:
    """The benchmark's database takes a gigabyte at full size: gone after the run."""
    import psycopg

    try:
        with psycopg.connect(pg_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute("DROP DATABASE IF EXISTS prep_bench WITH (FORCE)")
    except psycopg.Error as error:
        log(f"could not drop prep_bench: {error}")


def build_history(env: dict, sizes: dict, db: str) -> None:
    manage("migrate", "--no-input", "-v0", env=env, timeout=600)
    manage("load_starter", env=env, timeout=600)
    for user in (BIG, SMALL):
        cards, reviews, seed = sizes[user]
        out = manage(
            "make_history",
            f"--cards={cards}",
            f"--reviews={reviews}",
            f"--user={user}",
            f"--seed={seed}",
            env=env,
            timeout=3600,
        )
        log(out.strip().splitlines()[-1])
    if db == "postgresql":
        # What autovacuum does by itself shortly after a bulk load; without it
        # the planner would be guessing about tables it has never seen.
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        log("VACUUM ANALYZE done")
    manage("collectstatic", "--no-input", "-v0", env=env, timeout=600)


# Inside Django: sessions, interviews, grade files ---------------------------------------


def setup_django(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare_person(username: str, workdir: Path) -> Person:
    from datetime import timedelta
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
        load_backend,
    )
    from django.contrib.auth.backends import ModelBackend
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils import timezone

    from accounts.middleware import SESSION_KEY as TIMEZONE_SESSION_KEY
    from accounts.models import Profile
    from cards import services
    from cards.models import Progress, Prompt, Topic
    from cards.study import services as study_services
    from interviews.checklists import services as interview_services
    from interviews.models import Interview, QuestionToAsk

    user = get_user_model().objects.get(username=username)
    topics = list(Topic.objects.filter(owner=user).order_by("name"))
    session = study_services.start_session(user=user, topics=topics)

    interview = Interview.objects.create(
        user=user,
        company="Acme Data",
        role="Backend engineer",
        scheduled_at=timezone.now() + timedelta(days=14),
        stage="technical",
    )
    interview.topics.set(topics[:3])
    interview_services.seed_question_bank(user=user)
    bank = list(
        QuestionToAsk.objects.filter(user=user)
        .order_by("category", "id")
        .values_list("pk", flat=True)[:CHECKLIST_ITEMS]
    )
    interview_services.checklist_add_from_bank(interview=interview, question_ids=bank)
    for n in range(len(bank), CHECKLIST_ITEMS):
        interview_services.checklist_add_new(
            interview=interview,
            text=f"What would my first project be? ({n})",
            category="role",
            save_to_bank=False,
        )

    # A logged-in session, as the login view would leave it, and a CSRF token:
    # Django accepts the unmasked secret in the header when it matches the cookie.
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if isinstance(load_backend(path), ModelBackend)
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[TIMEZONE_SESSION_KEY] = Profile.for_user(user).timezone
    store.save()
    csrf = _get_new_csrf_string()
    cookie = (
        f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"
    )

    # Every prompt of the session with its review count: due ones first (most
    # overdue first), then the rest of the studied ones, then the new ones.
    prompts = services.studiable_prompts(user_id=user.pk, topic_ids=[t.pk for t in topics])
    progress = {
        row[0]: row[1:]
        for row in Progress.objects.filter(user=user).values_list("prompt_id", "reps", "due")
    }
    studied, new = [], []
    for prompt_id, card_id in prompts.order_by("card_id", "ordinal").values_list("pk", "card_id"):
        if prompt_id in progress:
            reps, due = progress[prompt_id]
            studied.append((due, prompt_id, reps))
        else:
            new.append((card_id, prompt_id, 0))
    studied.sort()
    lines = [(prompt_id, reps) for _, prompt_id, reps in studied + new]
    sanity = lines.pop()  # for the server check, out of the load's way
    grade_file = workdir / f"grades-{username}.txt"
    grade_file.write_text("".join(f"{p} {r}\n" for p, r in lines))
    assert Prompt.objects.filter(pk=sanity[0]).exists()

    return Person(
        username=username,
        user_id=user.pk,
        session_id=session.pk,
        topic_id=topics[0].pk,
        interview_id=interview.pk,
        cookie=cookie,
        csrf=csrf,
        grade_file=str(grade_file),
        grade_lines=len(lines),
        sanity_prompt=sanity,
    )


def recorded_grades(person: Person) -> int:
    from cards.models import ReviewLog

    return ReviewLog.objects.filter(session_id=person.session_id).count()


# The server ---------------------------------------------------------------------------


class Gunicorn:
    def __init__(self, env: dict, workdir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "gunicorn.log"
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).with_name("gunicorn")),
                "prep_site.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(GUNICORN_WORKERS),
                "--worker-class",
                "sync",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log_path, "w"),  # noqa: SIM115
        )
        wait_for_port(self.port, self.process)

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def worker_memory(self) -> dict[int, dict[str, float]]:
        """VmHWM (peak resident set) and VmRSS of each worker, in MB."""
        memory = {}
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            values = dict(re.findall(r"^(VmHWM|VmRSS):\s+(\d+) kB", status, re.MULTILINE))
            memory[pid] = {k: int(v) / 1024 for k, v in values.items()}
        return memory

    def worker_cpu_ticks(self) -> int:
        ticks = 0
        for pid in self.workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks

    def accept_queue(self) -> int:
        """Connections waiting for a worker to accept them (the listening
        socket's receive queue in /proc/net/tcp)."""
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, state, queues = fields[1], fields[3], fields[4]
            if state == "0A" and int(local.split(":")[1], 16) == self.port:
                return int(queues.split(":")[1], 16)
        return 0

    def settle(self, *, at_least: float, limit: float = 180) -> float:
        """Wait until the requests a wrk run left behind are done, so they do not
        weigh on the next run: nothing waiting to be accepted, the workers using
        no CPU and the database running nothing, twice in a row."""
        from django.db import connection

        started = time.monotonic()
        time.sleep(at_least)
        calm = 0
        while calm < 2 and time.monotonic() - started < limit:
            before = self.worker_cpu_ticks()
            time.sleep(0.25)
            busy = self.worker_cpu_ticks() != before or self.accept_queue() > 0
            if not busy and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                        "AND pid <> pg_backend_pid() AND datname = current_database()"
                    )
                    busy = cursor.fetchone()[0] > 0
            calm = 0 if busy else calm + 1
        return time.monotonic() - started

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def fetch(url: str, *, person: Person | None, data: dict | None = None, htmx=False):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body)
    if person is not None:
        request.add_header("Cookie", person.cookie)
        request.add_header("X-CSRFToken", person.csrf)
    if htmx:
        request.add_header("HX-Request", "true")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        response = urllib.request.build_opener(NoRedirect).open(request, timeout=120)
    except urllib.error.HTTPError as error:
        response = error
    return response.status, response.read().decode(errors="replace")


def check_and_warm(server: Gunicorn, people: dict[str, Person]) -> None:
    """Every URL answers 200 with the page (not a login redirect), and each
    worker has rendered each page once before the clock starts."""
    status, page = fetch(server.url + "/bare/", person=None)
    assert status == 200 and "ok" in page, (status, page[:300])
    for person in people.values():
        for endpoint in ENDPOINTS:
            url = server.url + person.path(endpoint.name)
            if endpoint.method == "POST":
                prompt, reps = person.sanity_prompt
                status, page = fetch(
                    url,
                    person=person,
                    data={"prompt": prompt, "rating": 3, "reps": reps},
                    htmx=True,
                )
                assert status == 200 and "study-card" in page, (url, status, page[:500])
                continue
            for _ in range(4):
                status, page = fetch(url, person=person, htmx=endpoint.htmx)
                assert status == 200, (url, status, page[:500])
            if endpoint.name == "study_next":
                assert "study-card" in page, page[:500]
            elif endpoint.name == "home":
                assert "Log out" in page or "logout" in page, "home page is not logged in"


def run_wrk(url: str, *, seconds: int, person: Person | None, endpoint: Endpoint | None, logf):
    command = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{WRK_CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        WRK_TIMEOUT,
        "--latency",
    ]
    if person is not None:
        command += ["-H", f"Cookie: {person.cookie}", "-H", f"X-CSRFToken: {person.csrf}"]
    if endpoint is not None and endpoint.htmx:
        command += ["-H", "HX-Request: true"]
    if endpoint is not None and endpoint.method == "POST":
        command += ["-s", str(BENCH_DIR / "grade.lua"), url]
        command += ["--", person.grade_file, person.path(endpoint.name), str(WRK_THREADS)]
    else:
        command += ["-s", str(BENCH_DIR / "report.lua"), url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    logf.write(f"$ {' '.join(command)}\n{result.stdout}{result.stderr}\n")
    logf.flush()
    if result.returncode:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr[-2000:]}")
    return parse_report(result.stdout)


# Queries and plans ----------------------------------------------------------------------


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


# The report --------------------------------------------------------------------------


def print_table(db: str, results: list[Result], bare_rps: float, people: dict) -> None:
    print()
    print(
        f"== {db}: wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS}, "
        f"gunicorn {GUNICORN_WORKERS} sync workers"
    )
    header = (
        f"{'endpoint':<36} {'user':<6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>6} {'×bare':>6} {'big/small p50':>14}"
    )
    print(header)
    print("-" * len(header))
    by_key = {(r.endpoint, r.user): r for r in results}
    for r in results:
        label = next((e.label for e in [SIGNED_IN, *ENDPOINTS] if e.name == r.endpoint), r.endpoint)
        ratio = ""
        if r.user == BIG and (r.endpoint, SMALL) in by_key:
            small = by_key[(r.endpoint, SMALL)]
            answered = r.requests and small.requests and small.p50_ms
            ratio = f"{r.p50_ms / small.p50_ms:.2f}×" if answered else "n/a"
        print(
            f"{label:<36} {r.user or '-':<6} {r.rps:>8.1f} {ms(r.p50_ms):>8} {ms(r.p95_ms):>8} "
            f"{ms(r.p99_ms):>8} {r.errors:>6} {r.rps / bare_rps:>6.2f} {ratio:>14}"
        )
        if r.note:
            print(f"{'':<36}   {r.note}")


def evaluate(results: list[Result], bare_rps: float, memory: dict) -> list[tuple[bool, str]]:
    by_key = {(r.endpoint, r.user): r for r in results}
    checks = []
    floor = by_key.get((SIGNED_IN.name, BIG))
    for name in STUDY_ENDPOINTS:
        r = by_key[(name, BIG)]
        share = r.rps / bare_rps
        text = (
            f"{name} (big) at {share:.0%} of the bare view's req/s "
            f"({r.rps:.0f} vs {bare_rps:.0f}); needs ≥ {STUDY_MIN_SHARE_OF_BARE:.0%}"
        )
        if floor is not None:
            text += f" (the bare view signed in: {floor.rps / bare_rps:.0%})"
        checks.append((share >= STUDY_MIN_SHARE_OF_BARE, text))
    for endpoint in ENDPOINTS:
        big, small = by_key[(endpoint.name, BIG)], by_key[(endpoint.name, SMALL)]
        if not big.requests or not small.requests:
            # a page that answers nothing within the run is not measured, and
            # certainly not within the bar
            who = "big" if not big.requests else "small"
            checks.append((False, f"{endpoint.name}: no {who} request answered within the run"))
            continue
        ratio = big.p50_ms / small.p50_ms if small.p50_ms else float("inf")
        checks.append(
            (
                ratio <= BIG_OVER_SMALL_MAX,
                f"{endpoint.name}: big p50 {ms(big.p50_ms)} ms is {ratio:.2f}× small's "
                f"{ms(small.p50_ms)} ms; needs ≤ {BIG_OVER_SMALL_MAX:.0f}×",
            )
        )
    silent = [f"{r.endpoint}/{r.user or 'bare'}" for r in results if not r.requests]
    if silent:
        checks.append((False, "no request answered within the run: " + ", ".join(silent)))
    errors = sum(r.errors for r in results)
    detail = ", ".join(f"{r.endpoint}/{r.user or 'bare'}: {r.errors}" for r in results if r.errors)
    checks.append((errors == 0, f"errors: {errors}" + (f" ({detail})" if detail else "")))
    peak = max((m.get("VmHWM", 0) for m in memory.values()), default=0)
    checks.append(
        (
            bool(memory) and peak < WORKER_PEAK_MAX_MB,
            f"peak worker memory (VmHWM) {peak:.0f} MB; needs < {WORKER_PEAK_MAX_MB} MB",
        )
    )
    return checks


def print_profile(db: str, profile: dict, study: dict, bare_ms: float, cpu: dict) -> None:
    print()
    print(f"== {db}: each page rendered in-process, one at a time (test client), median of 3")
    print(f"(the bare view, anonymous, takes {bare_ms:.2f} ms this way)")
    print(
        f"{'endpoint':<12} {'big ms':>8} {'small ms':>9} {'big/small':>9} "
        f"{'queries big':>12} {'queries small':>14}"
    )
    for endpoint in ENDPOINTS:
        big, small = profile[(endpoint.name, BIG)], profile[(endpoint.name, SMALL)]
        print(
            f"{endpoint.name:<12} {ms(big['ms']):>8} {ms(small['ms']):>9} "
            f"{big['ms'] / small['ms']:>8.2f}× {len(big['queries']):>12} "
            f"{len(small['queries']):>14}"
        )

    for name, areas in cpu.items():
        print()
        print(f"== {db}: where a {name} request of the big user spends its time (cProfile,")
        print("   ms per request, cumulative: a line includes the lines under it)")
        for label, value in areas:
            print(f"  {label:<44} {value:8.2f}")

    print()
    print(f"== {db}: the heaviest queries for the big user, with their plans")
    seen = set()
    sections = [(label, queries, True) for label, queries in study.items()]
    sections += [(e.name, profile[(e.name, BIG)]["queries"], False) for e in ENDPOINTS]
    for label, queries, every in sections:
        selects = [q for q in queries if q.sql.lstrip().upper().startswith("SELECT")]
        if every:
            shown = selects
        else:
            shown = sorted(
                (q for q in selects if q.ms >= SLOW_QUERY_MS), key=lambda q: q.ms, reverse=True
            )[:5]
        total = sum(q.ms for q in queries)
        print()
        print(
            f"--- {label}: {len(queries)} queries, {total:.1f} ms of SQL"
            + ("; every SELECT:" if every else f"; SELECTs over {SLOW_QUERY_MS:g} ms:")
        )
        if not shown:
            print("  (none)")
        for capture in shown:
            # the same statement again (times rounded to the day): its plan is above
            key = (capture.sql, tuple(str(p)[:10] for p in capture.params))
            if key in seen:
                print(f"  [{capture.ms:.1f} ms] (its plan is above) {capture.sql[:110]}…")
                continue
            seen.add(key)
            lines, again = explain(capture)
            print(f"  [{capture.ms:.1f} ms in the view; {again:.1f} ms run again]")
            print("  " + readable_sql(capture))
            print("    plan:")
            for line in lines:
                print("      " + line)


# The run ---------------------------------------------------------------------------------


def run(args) -> int:
    mode = "quick" if args.quick else "full"
    sizes = SIZES[mode]
    seconds = args.seconds or SECONDS[mode]
    workdir = Path(tempfile.mkdtemp(prefix=f"prep-bench-{args.db}-"))
    log(f"{args.db}, {mode} size, {seconds} s per endpoint; work files in {workdir}")
    load_before = os.getloadavg()[0]
    log(f"load average before: {load_before:.2f} (2 cores here: others' work skews it)")
    server = None
    try:
        env = {**os.environ, **fresh_database(args.db, args.pg_url, workdir)}
        started = time.monotonic()
        build_history(env, sizes, args.db)
        build_seconds = time.monotonic() - started
        setup_django(env)
        from django.db import connections

        people = {user: prepare_person(user, workdir) for user in (BIG, SMALL)}
        connections.close_all()

        server = Gunicorn(env, workdir)
        log(f"gunicorn on {server.url}, workers {server.workers()}")
        check_and_warm(server, people)

        results: list[Result] = []
        wrk_log = open(workdir / "wrk.log", "w")  # noqa: SIM115

        def measure(endpoint: Endpoint | None, person: Person | None) -> Result:
            url = server.url + (person.path(endpoint.name) if endpoint else "/bare/")
            figures = run_wrk(url, seconds=seconds, person=person, endpoint=endpoint, logf=wrk_log)
            result = Result(
                endpoint=endpoint.name if endpoint else "bare",
                user=person.username if person else "",
                requests=figures["requests"],
                rps=figures["rps"],
                p50_ms=figures["p50_ms"],
                p95_ms=figures["p95_ms"],
                p99_ms=figures["p99_ms"],
                errors=figures["errors"],
                error_detail=figures["error_detail"],
            )
            waited = server.settle(at_least=min(figures["max_ms"] / 1000, 60))
            log(
                f"{result.endpoint:<12} {result.user or '-':<6} {result.rps:8.1f} req/s "
                f"p50 {ms(result.p50_ms)} ms, errors {result.errors}; settled in {waited:.1f} s"
            )
            return result

        bare_first = measure(None, None)
        results.append(bare_first)
        signed_in = measure(SIGNED_IN, people[BIG])
        results.append(signed_in)
        # Reading pages first, both people in turn; the grades last, as they change
        # what is due.
        for endpoint in ENDPOINTS:
            if endpoint.method == "POST":
                continue
            for user in (BIG, SMALL):
                results.append(measure(endpoint, people[user]))
        grade = next(e for e in ENDPOINTS if e.method == "POST")
        for user in (BIG, SMALL):
            before = recorded_grades(people[user])
            result = measure(grade, people[user])
            recorded = recorded_grades(people[user]) - before
            rounds = result.requests / max(people[user].grade_lines, 1)
            result.note = (
                f"{recorded} grades recorded for {result.requests} answered requests "
                f"(requests still in flight when wrk stopped count too); "
                f"{rounds:.1f} passes over the session's {people[user].grade_lines} prompts"
            )
            connections.close_all()
            results.append(result)
        bare_last = measure(None, None)
        bare_last.endpoint = "bare (again, at the end)"
        results.append(bare_last)
        memory = server.worker_memory()
        load_after = os.getloadavg()[0]
        server.stop()
        server = None
        wrk_log.close()

        bare_rps = (bare_first.rps + bare_last.rps) / 2
        # the table's rows in endpoint order, the bare view on top
        ordered = [bare_first, bare_last, signed_in] + [
            r for e in ENDPOINTS for r in results if r.endpoint == e.name
        ]

        profile = profile_views(people, rounds=3)
        study = study_queries(people[BIG])
        bare_ms = bare_in_process()
        cpu = {
            e.name: cpu_profile(people[BIG], e, requests=30)
            for e in ENDPOINTS
            if e.name in STUDY_ENDPOINTS
        }

        print()
        print("=" * 100)
        print(
            f"prep benchmark on {args.db} ({mode}): big = {sizes[BIG][0]:,} cards / "
            f"{sizes[BIG][1]:,} reviews, small = {sizes[SMALL][0]:,} / {sizes[SMALL][1]:,}; "
            f"{seconds} s per endpoint; history built in {build_seconds:.0f} s"
        )
        if args.db == "postgresql":
            print("PostgreSQL: VACUUM ANALYZE after the load (as autovacuum would); fsync off")
        else:
            print("SQLite: WAL, production options; no ANALYZE (the app never runs one)")
        print(
            f"load average (1 min) {load_before:.2f} before the build, {load_after:.2f} after the "
            "load: 2 cores, shared with wrk and whatever else runs here"
        )
        print(
            f"bare view: {bare_first.rps:.0f} req/s at the start, {bare_last.rps:.0f} at the end;"
        )
        print(f"ratios use their mean, {bare_rps:.0f} req/s")
        print_table(args.db, ordered, bare_rps, people)
        print()
        print("gunicorn workers after the load:")
        for pid, m in sorted(memory.items()):
            print(
                f"  worker {pid}: peak RSS (VmHWM) {m.get('VmHWM', 0):.1f} MB, "
                f"now {m.get('VmRSS', 0):.1f} MB"
            )
        checks = evaluate(ordered, bare_rps, memory)
        print()
        for ok, text in checks:
            print(f"{'PASS' if ok else 'FAIL'}  [{args.db}] {text}")
        print_profile(args.db, profile, study, bare_ms, cpu)
        print(flush=True)
        if args.json_out:
            Path(args.json_out).write_text(
                json.dumps(
                    {
                        "db": args.db,
                        "mode": mode,
                        "bare_rps": bare_rps,
                        "results": [r.__dict__ for r in ordered],
                        "memory": {str(pid): m for pid, m in memory.items()},
                        "checks": [{"ok": ok, "text": text} for ok, text in checks],
                    },
                    indent=1,
                )
            )
        return 0 if all(ok for ok, _ in checks) else 1
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: BLE001  (Django may not be set up yet)
                pass
            if args.db == "postgresql":
                drop_postgres_database(args.pg_url)
            for path in sorted(workdir.rglob("*"), reverse=True):
                if path.is_file() and path.suffix != ".log":
                    path.unlink()
                elif path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
            log(f"logs kept in {workdir}")


def summary(paths: list[str]) -> int:
    """The PASS/FAIL lines of several runs together."""
    failed = False
    print()
    print("=" * 100)
    print("Summary")
    for path in paths:
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, ValueError):
            print(f"FAIL  {path}: that run did not finish")
            failed = True
            continue
        for check in data["checks"]:
            print(f"{'PASS' if check['ok'] else 'FAIL'}  [{data['db']}] {check['text']}")
            failed |= not check["ok"]
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", help="an existing database on the loopback server, as admin")
    parser.add_argument("--quick", action="store_true", help="10,000 cards, 3 s per endpoint")
    parser.add_argument("--seconds", type=int, help="seconds per endpoint")
    parser.add_argument("--timeout", type=int, default=5400, help="the whole run, seconds")
    parser.add_argument("--json-out", help="write the figures here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the database and work files")
    parser.add_argument("--summary", nargs="+", metavar="JSON", help="only print a summary")
    args = parser.parse_args()
    if args.summary:
        return summary(args.summary)
    if not args.db:
        parser.error("--db is required")
    if args.db == "postgresql" and not args.pg_url:
        parser.error("--pg-url is required for PostgreSQL")

    def out_of_time(signum, frame):
        raise TimeoutError(f"the benchmark ran out of time ({args.timeout} s) or was stopped")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.signal(signal.SIGTERM, out_of_time)
    signal.alarm(args.timeout)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
