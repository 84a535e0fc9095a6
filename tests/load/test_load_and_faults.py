"""Load and faults, nothing lost.

Fifty clients, each a person with their own cards, interview checklist and
mock interview, work against gunicorn (production settings, three workers,
sessions in Redis, collected static files) on 127.0.0.1 for PREP_LOAD_SECONDS
(60 by default): they read pages, grade cards, edit checklist answers and save
mock answers, as fast as the server answers. During the run one gunicorn
worker is killed with SIGKILL and, on PostgreSQL, the database server is
stopped and started again.

Then:
- outside the moments of those faults, no answer is a 5xx and no request goes
  unanswered;
- while the database is away, what the app answers is its own error page, not
  a traceback, and it recovers by itself once the database is back;
- every grade the app acknowledged is in the database exactly once (a grade
  that got no answer is retried, as a person would, and never counted twice),
  and every review has its progress (nothing half-written);
- every checklist answer and mock answer holds the last text acknowledged, or
  a later one whose answer was lost in the fault.

The run is on SQLite (the embedded configuration: WAL, IMMEDIATE transactions)
or on PostgreSQL, whichever the suite runs on. On PostgreSQL the server is one
of the test's own (scripts/postgres.sh with a data directory and port of its
own), so that stopping it takes nothing away from anyone else.
"""

import os
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.load import servers
from tests.load.client import run_clients

pytestmark = pytest.mark.load

SECONDS = float(os.environ.get("PREP_LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("PREP_LOAD_CLIENTS", "50"))
WORKERS = 3
OUTAGE_SECONDS = 4.0
# A request that was in flight when a fault hit, or sent within this long of it,
# belongs to the fault.
GRACE = 2.0
ERROR_PAGE = "Something went wrong on our side"  # templates/500.html


class Faults:
    """When each fault began and ended, on the clients' clock."""

    def __init__(self):
        self.windows: list[tuple[str, float, float]] = []
        self.notes: list[str] = []

    def add(self, name: str, start: float, end: float) -> None:
        self.windows.append((name, start, end + GRACE))

    def of(self, call) -> str | None:
        # A request that overlaps both is put down to the longer fault, the database's.
        for name, start, end in sorted(self.windows, key=lambda w: w[1] - w[2]):
            if call.start <= end and call.end >= start:
                return name
        return None


def inject_faults(app, database, start: float, faults: Faults) -> None:
    """Kill a worker a fifth of the way in; on PostgreSQL, stop the database at
    two fifths and start it again OUTAGE_SECONDS later."""
    time.sleep(max(start + SECONDS * 0.2 - time.monotonic(), 0))
    before = app.worker_pids()
    killed_at = time.monotonic()
    victim = app.kill_a_worker()
    faults.add("worker killed", killed_at, killed_at)
    after = app.wait_for_workers(replacing=victim)
    assert victim not in after and len(after) == WORKERS, (before, after)
    faults.notes.append(
        f"worker {victim} killed (SIGKILL) at {killed_at - start:.1f}s; "
        f"replaced after {time.monotonic() - killed_at:.1f}s"
    )
    if database is None:
        return
    time.sleep(max(start + SECONDS * 0.4 - time.monotonic(), 0))
    stopped_at = time.monotonic()
    database.stop()
    down_at = time.monotonic()
    time.sleep(OUTAGE_SECONDS)
    database.start()
    back_at = time.monotonic()
    faults.add("database restarted", stopped_at, back_at)
    faults.notes.append(
        f"PostgreSQL stopped at {stopped_at - start:.1f}s (down after {down_at - stopped_at:.1f}s),"
        f" started again at {back_at - start:.1f}s"
    )


def test_fifty_clients_a_killed_worker_and_a_database_restart_lose_nothing(
    backend, collected_static, tmp_path, record_property
):
    database_env, database = backend
    with servers.redis_server() as redis_url:
        env = servers.django_env(database_env, redis_url, collected_static)
        servers.manage(env, "migrate", "--no-input", "-v0")
        specs = servers.scenario(env, "setup", str(CLIENTS))
        assert len(specs) == CLIENTS

        with servers.gunicorn(env, tmp_path / "gunicorn.log", workers=WORKERS) as app:
            faults = Faults()
            clients, calls, start, threads = run_clients(specs, app.port, SECONDS)
            injector_error: list[BaseException] = []

            def injector():
                try:
                    inject_faults(app, database, start, faults)
                except BaseException as error:  # reported below
                    injector_error.append(error)

            fault_thread = threading.Thread(target=injector, name="faults", daemon=True)
            fault_thread.start()
            for thread in threads:
                thread.join(timeout=SECONDS + 120)
            fault_thread.join(timeout=120)
            elapsed = time.monotonic() - start
            assert not any(thread.is_alive() for thread in threads), "a client did not stop"
            assert not injector_error, injector_error
            for client in clients:
                assert client.failure is None, (client.number, repr(client.failure))
            # Recovered by itself: every client's pages answer again.
            for client in clients:
                answer = client.browser.request("after", "GET", f"/study/{client.spec['study']}/")
                assert answer.status == 200
            gunicorn_log = app.log_tail()

        state = servers.scenario(env, "verify")

    # Every answer ------------------------------------------------------------------------------
    during: Counter = Counter()
    bad_outside, unclear = [], []
    for call in calls:
        fault = faults.of(call)
        failed = call.error is not None or (call.status or 0) >= 500
        if fault:
            if failed:
                during[fault] += 1
            if call.status and call.status >= 500:
                clear = ERROR_PAGE in call.body if error_page_exists() else True
                if "Traceback" in call.body or not clear:
                    unclear.append((call.path, call.status, call.body[:500]))
        elif failed or call.status not in (200, 204, 302):
            bad_outside.append((call.path, call.status, call.error, call.body[:300]))
    outage = [c for c in calls if faults.of(c) == "database restarted" and (c.status or 0) >= 500]
    after_outage = [
        c
        for c in calls
        if database and c.status == 200 and c.start > max(end for _, _, end in faults.windows)
    ]

    # Every write -------------------------------------------------------------------------------
    rows = Counter(tuple(row) for row in state["reviews"])
    doubled = sum(count - 1 for count in rows.values() if count > 1)
    acked = set().union(*(c.ledger.acked for c in clients))
    confirmed = set().union(*(c.ledger.confirmed for c in clients))
    unknown = set().union(*(c.ledger.unknown for c in clients))
    lost_grades = sorted((acked | confirmed) - set(rows))
    unexplained = sorted(set(rows) - acked - confirmed - unknown)
    half_written = []
    reviews_of = Counter((user, prompt) for user, prompt, _number in rows)
    for user, prompt, reps in state["progress"]:
        numbers = sorted(n for (u, p, n) in rows if (u, p) == (user, prompt))
        if numbers != list(range(1, reps + 1)):
            half_written.append((user, prompt, reps, numbers))
    if sum(reviews_of.values()) != sum(reps for _, _, reps in state["progress"]):
        half_written.append("reviews without progress")

    lost_texts = []
    acked_texts = 0
    for kind, stored in (("items", state["items"]), ("answers", state["answers"])):
        for client in clients:
            for target, sent in getattr(client.ledger, kind).items():
                acked_at = [i for i, (_text, outcome) in enumerate(sent) if outcome == "acked"]
                acked_texts += len(acked_at)
                last = acked_at[-1] if acked_at else -1
                allowed = {text for text, outcome in sent[last + 1 :] if outcome == "unknown"}
                allowed.add(sent[last][0] if acked_at else "")
                if stored[str(target)] not in allowed:
                    lost_texts.append((kind, target, stored[str(target)], sorted(allowed)))

    writes = len(acked) + len(confirmed) + acked_texts
    five_xx_outside = sum(1 for c in bad_outside if (c[1] or 0) >= 500)
    # Printed after the run (tests/conftest.py), from whichever process ran the test.
    record_property(
        "report",
        (
            f"[load] {'PostgreSQL' if database else 'SQLite'}: {CLIENTS} clients, "
            f"{elapsed:.0f}s, {len(calls)} requests ({len(calls) / elapsed:.0f}/s), "
            f"5xx outside the faults: {five_xx_outside}, other failures outside: "
            f"{len(bad_outside) - five_xx_outside}, errors during the faults: {dict(during)} "
            f"(database outage answers: {len(outage)} error pages), acknowledged writes: "
            f"{writes} ({len(acked)} grades + {len(confirmed)} grades confirmed on retry + "
            f"{acked_texts} texts), unknown grades: {len(unknown)} "
            f"({len(unknown & set(rows))} of them recorded), lost: "
            f"{len(lost_grades) + len(lost_texts)}, doubled: {doubled}"
        ),
    )
    for note in faults.notes:
        record_property("report", f"[load] {note}")

    assert not bad_outside, (
        f"{len(bad_outside)} failures outside the faults: {bad_outside[:5]}\n{gunicorn_log}"
    )
    assert not unclear, f"the error pages were not clear: {unclear[:3]}"
    assert not lost_grades, f"acknowledged grades lost: {lost_grades[:10]}"
    assert not doubled, f"{doubled} grades recorded twice"
    assert not unexplained, f"reviews nobody sent: {unexplained[:10]}"
    assert not half_written, f"half-written grades: {half_written[:10]}"
    assert not lost_texts, f"acknowledged texts lost: {lost_texts[:5]}"
    assert len(acked) > CLIENTS and acked_texts > CLIENTS, "the run did too little to tell"
    assert during["worker killed"] <= WORKERS, dict(during)
    if database:
        assert outage, "no request saw the database away: the fault was not observed"
        assert after_outage, "nothing succeeded after the database came back"


def error_page_exists() -> bool:
    return (Path(servers.ROOT) / "templates" / "500.html").exists()


@pytest.mark.db_independent  # settings read from a URL; no database is opened
def test_a_sqlite_database_url_keeps_the_sqlite_options(monkeypatch, tmp_path):
    from prep_site.settings.base import database_from_environment

    monkeypatch.delenv("DATABASE_URL", raising=False)
    embedded = database_from_environment(tmp_path / "embedded.sqlite3")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'url.sqlite3'}")
    from_url = database_from_environment(tmp_path / "unused.sqlite3")
    assert from_url["ENGINE"] == embedded["ENGINE"]
    assert from_url.get("OPTIONS", {}) == embedded["OPTIONS"]
