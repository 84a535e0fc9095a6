"""The report: the table of figures, PASS/FAIL for the product's speed bars, the
in-process profile with the plans of the heaviest queries, and the summary of
several runs."""

from __future__ import annotations

import json
from pathlib import Path

from .browser import table as browser_table
from .common import BIG, ENDPOINTS, LAYOUT, SIGNED_IN, SMALL, Result, ms
from .load import WRK_CONNECTIONS, WRK_THREADS
from .profiling import explain, readable_sql
from .serving import GUNICORN_WORKERS

# Targets: the speed bars the product promises (the README's Benchmark section).
# Each page's req/s as a share of the signed-in bare page's, for the big person;
# the signed-in bare page's as a share of the bare page's.
SIGNED_IN_MIN_SHARE_OF_BARE = 0.6
PAGE_MIN_SHARE_OF_SIGNED_IN = 0.25
PAGE_MIN_SHARE = {"study_next": 0.5, "study_grade": 0.35}
BIG_OVER_SMALL_MAX = 3.0
WORKER_PEAK_MAX_MB = 200

SLOW_QUERY_MS = 1.0  # queries shown with their plan, beyond the study step's


def print_table(db: str, results: list[Result], bare_rps: float, people: dict) -> None:
    print()
    print(
        f"== {db}: wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS}, "
        f"gunicorn {GUNICORN_WORKERS} sync workers"
    )
    header = (
        f"{'endpoint':<36} {'user':<6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>6} {'×bare':>6} {'×signed-in':>10} {'big/small p50':>14}"
    )
    print(header)
    print("-" * len(header))
    by_key = {(r.endpoint, r.user): r for r in results}
    floor = by_key.get((SIGNED_IN.name, BIG))
    for r in results:
        label = next(
            (e.label for e in [SIGNED_IN, LAYOUT, *ENDPOINTS] if e.name == r.endpoint), r.endpoint
        )
        ratio = ""
        if r.user == BIG and (r.endpoint, SMALL) in by_key:
            small = by_key[(r.endpoint, SMALL)]
            answered = r.requests and small.requests and small.p50_ms
            ratio = f"{r.p50_ms / small.p50_ms:.2f}×" if answered else "n/a"
        print(
            f"{label:<36} {r.user or '-':<6} {r.rps:>8.1f} {ms(r.p50_ms):>8} {ms(r.p95_ms):>8} "
            f"{ms(r.p99_ms):>8} {r.errors:>6} {r.rps / bare_rps:>6.2f} "
            f"{signed_in_share(r, floor):>10} {ratio:>14}"
        )
        if r.note:
            print(f"{'':<36}   {r.note}")


def signed_in_share(result: Result, floor: Result | None) -> str:
    if floor is None or not floor.rps or result.endpoint.startswith("bare") or result is floor:
        return ""
    return f"{result.rps / floor.rps:.2f}"


def page_target(name: str) -> float:
    return PAGE_MIN_SHARE.get(name, PAGE_MIN_SHARE_OF_SIGNED_IN)


def evaluate(results: list[Result], bare_rps: float, memory: dict) -> list[tuple[bool, str]]:
    by_key = {(r.endpoint, r.user): r for r in results}
    checks = []
    floor = by_key.get((SIGNED_IN.name, BIG))
    if floor is None or not floor.rps:
        checks.append((False, "the signed-in bare page answered nothing: no page is measured"))
    else:
        share = floor.rps / bare_rps
        checks.append(
            (
                share >= SIGNED_IN_MIN_SHARE_OF_BARE,
                f"signed-in bare page at {share:.2f} of the bare page's req/s "
                f"({floor.rps:.0f} vs {bare_rps:.0f}); needs ≥ {SIGNED_IN_MIN_SHARE_OF_BARE:.2f}",
            )
        )
        for endpoint in ENDPOINTS:
            r = by_key[(endpoint.name, BIG)]
            share, target = r.rps / floor.rps, page_target(endpoint.name)
            checks.append(
                (
                    share >= target,
                    f"{endpoint.name} (big) at {share:.2f} of the signed-in bare page's req/s "
                    f"({r.rps:.0f} vs {floor.rps:.0f}); needs ≥ {target:.2f}",
                )
            )
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


def ratio_table(runs: list[dict]) -> None:
    """Each page's req/s as a share of the signed-in bare page's (the big
    person), one column per database, with its target."""
    columns = []
    for data in runs:
        rps = {(r["endpoint"], r["user"]): r["rps"] for r in data["results"]}
        floor = rps.get((SIGNED_IN.name, BIG)) or 0
        shares = {
            e.name: (rps[(e.name, BIG)] / floor if floor else 0.0)
            for e in ENDPOINTS
            if (e.name, BIG) in rps
        }
        shares[SIGNED_IN.name] = floor / data["bare_rps"] if data["bare_rps"] else 0.0
        if floor and (LAYOUT.name, BIG) in rps:
            shares[LAYOUT.name] = rps[(LAYOUT.name, BIG)] / floor
        columns.append((data["db"], shares))
    print(
        f"{'page (req/s ÷ signed-in bare)':<40}"
        + "".join(f"{db:>12}" for db, _ in columns)
        + f"{'target':>8}"
    )
    rows = [(e.label, e.name, page_target(e.name)) for e in ENDPOINTS]
    rows.append(("signed-in bare ÷ bare", SIGNED_IN.name, SIGNED_IN_MIN_SHARE_OF_BARE))
    # No target: what a page of the layout alone reaches, the most any page can.
    rows.append(("the layout alone (no target)", LAYOUT.name, None))
    for label, name, target in rows:
        cells = "".join(
            f"{shares[name]:>12.2f}" if name in shares else f"{'-':>12}" for _, shares in columns
        )
        aim = "≥ " + format(target, ".2f") if target is not None else "-"
        print(f"{label:<40}{cells}{aim:>8}")
    for data in runs:
        if data.get("browser"):
            print()
            print(f"[{data['db']}] key press to the next card in Chromium:")
            browser_table(data["browser"])


def summary(paths: list[str]) -> int:
    """The ratios and the PASS/FAIL lines of several runs together."""
    failed = False
    print()
    print("=" * 100)
    print("Summary")
    runs = []
    for path in paths:
        try:
            runs.append(json.loads(Path(path).read_text()))
        except (OSError, ValueError):
            print(f"FAIL  {path}: that run did not finish")
            failed = True
    if runs:
        ratio_table(runs)
        print()
    for data in runs:
        for check in data["checks"]:
            print(f"{'PASS' if check['ok'] else 'FAIL'}  [{data['db']}] {check['text']}")
            failed |= not check["ok"]
    return 1 if failed else 0
