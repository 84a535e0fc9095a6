"""The speed benchmark of one database, run by scripts/benchmark.sh.

The run, start to end (``run``), and its command line (``main``); the package's
docstring tells the whole story."""

from __future__ import annotations

import argparse
import json
import os
import signal
import tempfile
import time
from pathlib import Path

from . import browser
from .common import (
    BIG,
    ENDPOINTS,
    LAYOUT,
    SIGNED_IN,
    SMALL,
    STUDY_ENDPOINTS,
    Endpoint,
    Person,
    Result,
    log,
    ms,
)
from .database import build_history, drop_postgres_database, fresh_database
from .load import run_wrk
from .people import prepare_person, recorded_grades, refresh_grades, setup_django
from .profiling import bare_in_process, cpu_profile, profile_views, study_queries
from .report import evaluate, print_profile, print_table, summary
from .serving import Gunicorn, check_and_warm

SIZES = {
    # user: (cards, reviews, seed)
    "full": {BIG: (100_000, 1_000_000, 1), SMALL: (1_000, 10_000, 2)},
    "quick": {BIG: (10_000, 100_000, 1), SMALL: (1_000, 10_000, 2)},
}
SECONDS = {"full": 10, "quick": 3}
# Cards graded in the browser in each mode (held cards, then none held), and
# the time spent reading each answer: the quick run stays within minutes. The
# quick history has about 55 cards to study today (due and new) in all.
BROWSER_CARDS = {"full": 200, "quick": 25}
BROWSER_THINK_MS = {"full": 300, "quick": 100}


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
        # What the person feels first, while the big person still has cards due.
        feel = None
        if not args.no_browser:
            feel = browser.measure_under_load(
                server.url,
                people[BIG],
                workdir,
                cards=BROWSER_CARDS[mode],
                think_ms=BROWSER_THINK_MS[mode],
            )
            # The grades the load posts, with the review counts the browser left.
            people[BIG] = refresh_grades(people[BIG], workdir)

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
        layout = measure(LAYOUT, people[BIG])
        results.append(layout)
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
        ordered = [bare_first, bare_last, signed_in, layout] + [
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
        if feel is not None:
            browser.report(feel, loaded=True)
            checks.append(browser.check(feel))
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
                        "browser": feel,
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


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m prep_site.devtools.benchmark", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", help="an existing database on the loopback server, as admin")
    parser.add_argument("--quick", action="store_true", help="10,000 cards, 3 s per endpoint")
    parser.add_argument("--seconds", type=int, help="seconds per endpoint")
    parser.add_argument("--timeout", type=int, default=5400, help="the whole run, seconds")
    parser.add_argument("--json-out", help="write the figures here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the database and work files")
    parser.add_argument(
        "--no-browser", action="store_true", help="leave out the key-press timing in Chromium"
    )
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
