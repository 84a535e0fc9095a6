"""Driving the load: wrk against one URL for a fixed time, with the lua scripts
beside this module (lua/report.lua prints the figures, lua/grade.lua posts the
grades), and reading the figures back from its output."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .common import Endpoint, Person

LUA_DIR = Path(__file__).resolve().parent / "lua"
WRK_THREADS = 2
WRK_CONNECTIONS = 16
WRK_TIMEOUT = "30s"  # a slow page is measured, not counted as an error


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
        command += ["-s", str(LUA_DIR / "grade.lua"), url]
        command += ["--", person.grade_file, person.path(endpoint.name), str(WRK_THREADS)]
    else:
        command += ["-s", str(LUA_DIR / "report.lua"), url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    logf.write(f"$ {' '.join(command)}\n{result.stdout}{result.stderr}\n")
    logf.flush()
    if result.returncode:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr[-2000:]}")
    return parse_report(result.stdout)


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
