"""The benchmark's own pieces (scripts/benchmark.sh, prep_site.devtools.benchmark),
without running wrk: its settings load, its bare view answers anyone, its
command line parses, and the figures wrk's reporter prints are read right."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prep_site.devtools.benchmark.common import ENDPOINTS, Result
from prep_site.devtools.benchmark.load import LUA_DIR, parse_report
from prep_site.devtools.benchmark.report import evaluate

ROOT = Path(__file__).resolve().parents[2]

SAMPLE_WRK_OUTPUT = """\
Running 3s test @ http://127.0.0.1:40000/bare/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     7.71ms    3.02ms  40.11ms   80.12%
  6890 requests in 3.00s, 2.01MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   2296.10
Transfer/sec:    686.40KB
BENCH {"requests":6890,"duration_us":3000712,"bytes":2107624,"rps":2296.12,\
"p50_us":7010,"p95_us":12504,"p99_us":19876,"max_us":40110,"mean_us":7712.4,\
"errors":{"connect":0,"read":1,"write":0,"status":3,"timeout":0}}
"""


@pytest.mark.db_independent
def test_bench_settings_import_as_production_over_plain_http():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prep_site.devtools.settings",
        "BENCH_SQLITE_PATH": "/tmp/prep-bench-settings-check.sqlite3",
    }
    env.pop("SECRET_KEY", None)
    env.pop("DATABASE_URL", None)
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.ROOT_URLCONF, bool(s.SECRET_KEY), "
        "s.DATABASES['default']['NAME'], s.STORAGES['staticfiles']['BACKEND'], "
        "'prep_site.devtools' in s.INSTALLED_APPS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "['127.0.0.1']",
        "False",
        "False",
        "False",
        "prep_site.devtools.urls",
        "True",
        "/tmp/prep-bench-settings-check.sqlite3",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "True",
    ]


def test_make_history_is_a_command_under_the_bench_settings():
    """The benchmark builds its history with ``manage.py make_history``."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prep_site.devtools.settings",
        "BENCH_SQLITE_PATH": "/tmp/prep-bench-settings-check.sqlite3",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "help", "make_history"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--reviews" in result.stdout


@pytest.mark.django_db
def test_bare_view_answers_without_login(settings):
    settings.ROOT_URLCONF = "prep_site.devtools.urls"
    response = Client().get("/bare/")
    assert response.status_code == 200
    assert response.content.decode() == "<!doctype html><title>bare</title><p>ok</p>"


@pytest.mark.django_db
def test_signed_in_bare_view_needs_login_and_loads_the_person(settings, user):
    settings.ROOT_URLCONF = "prep_site.devtools.urls"
    client = Client()
    response = client.get("/bare/signed-in/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    client.force_login(user)
    assert client.get("/bare/signed-in/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bare/signed-in/")
    assert response.status_code == 200
    assert response.content.decode() == "<!doctype html><title>bare</title><p>ok</p>"
    # What every signed-in page pays: the session and the person, both kept in
    # the cache after the first request, so no query at all.
    assert queries.captured_queries == []


@pytest.mark.django_db
def test_the_layout_yardstick_is_the_sites_layout_behind_the_login(settings, user):
    settings.ROOT_URLCONF = "prep_site.devtools.urls"
    client = Client()
    assert client.get("/bare/layout/").status_code == 302
    client.force_login(user)
    response = client.get("/bare/layout/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Layout · prep</title>" in page
    assert "Log out" in page  # the navigation of a signed-in person


@pytest.mark.django_db
def test_app_pages_still_need_login_under_the_bench_urls(settings):
    settings.ROOT_URLCONF = "prep_site.devtools.urls"
    response = Client().get("/progress/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.db_independent
def test_command_line_needs_a_database_and_starts_nothing_without_one():
    """What scripts/benchmark.sh runs, checked without building anything."""
    command = [sys.executable, "-m", "prep_site.devtools.benchmark"]
    result = subprocess.run(
        [*command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    for option in ("--db", "--pg-url", "--quick", "--timeout", "--json-out", "--summary"):
        assert option in result.stdout
    result = subprocess.run(
        [*command, "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "--db is required" in result.stderr
    result = subprocess.run(
        [*command, "--db", "postgresql"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "--pg-url is required" in result.stderr


@pytest.mark.db_independent
def test_report_parser_reads_the_bench_line():
    figures = parse_report(SAMPLE_WRK_OUTPUT)
    assert figures["requests"] == 6890
    assert figures["rps"] == pytest.approx(2296.12)
    assert figures["seconds"] == pytest.approx(3.000712)
    assert (figures["p50_ms"], figures["p95_ms"], figures["p99_ms"]) == (7.01, 12.504, 19.876)
    assert figures["errors"] == 4
    assert figures["error_detail"] == {"read": 1, "status": 3}


@pytest.mark.db_independent
def test_report_parser_refuses_output_without_the_bench_line():
    with pytest.raises(ValueError, match="no BENCH line"):
        parse_report("Running 3s test @ http://127.0.0.1:1/\n")


@pytest.mark.db_independent
def test_lua_scripts_are_where_the_benchmark_looks():
    for name in ("report.lua", "grade.lua"):
        assert (LUA_DIR / name).is_file()
    assert 'dofile(here .. "report.lua")' in (LUA_DIR / "grade.lua").read_text()


@pytest.mark.db_independent
def test_a_page_that_answers_nothing_in_the_run_fails_its_bar():
    results = [
        Result("bare", "", 20_000, 2000.0, 7.0, 14.0, 25.0, 0),
        Result("bare_signed_in", "big", 9_000, 900.0, 15.0, 20.0, 25.0, 0),
    ]
    for endpoint in ENDPOINTS:
        big_requests = 0 if endpoint.name == "progress" else 500
        results += [
            Result(endpoint.name, "big", big_requests, 50.0, 100.0, 120.0, 130.0, 0),
            Result(endpoint.name, "small", 500, 50.0, 50.0, 60.0, 70.0, 0),
        ]
    checks = {text: ok for ok, text in evaluate(results, 2000.0, {1: {"VmHWM": 70}})}
    assert checks["progress: no big request answered within the run"] is False
    assert checks["topic: big p50 100 ms is 2.00× small's 50.0 ms; needs ≤ 3×"] is True
    assert checks["peak worker memory (VmHWM) 70 MB; needs < 200 MB"] is True


@pytest.mark.db_independent
def test_each_page_is_measured_against_the_signed_in_bare_page_with_its_bar():
    results = [
        Result("bare", "", 20_000, 2000.0, 7.0, 14.0, 25.0, 0),
        Result("bare_signed_in", "big", 9_000, 1000.0, 15.0, 20.0, 25.0, 0),
    ]
    rps = {"study_next": 500.0, "study_grade": 340.0, "topic": 250.0, "progress": 240.0}
    for endpoint in ENDPOINTS:
        for user in ("big", "small"):
            results.append(
                Result(endpoint.name, user, 500, rps.get(endpoint.name, 300.0), 5.0, 6.0, 7.0, 0)
            )
    checks = {text: ok for ok, text in evaluate(results, 2000.0, {1: {"VmHWM": 70}})}
    signed_in = "signed-in bare page at 0.50 of the bare page's req/s (1000 vs 2000); needs ≥ 0.60"
    assert checks[signed_in] is False
    page = "{} (big) at {:.2f} of the signed-in bare page's req/s ({:.0f} vs 1000); needs ≥ {:.2f}"
    assert checks[page.format("study_next", 0.5, 500, 0.5)] is True
    assert checks[page.format("study_grade", 0.34, 340, 0.35)] is False
    assert checks[page.format("topic", 0.25, 250, 0.25)] is True
    assert checks[page.format("progress", 0.24, 240, 0.25)] is False
    assert checks[page.format("home", 0.3, 300, 0.25)] is True


@pytest.mark.db_independent
def test_the_summary_shows_each_ratio_on_both_databases_with_its_target(tmp_path, capsys):
    from prep_site.devtools.benchmark.report import summary

    paths = []
    for db, floor in (("sqlite", 1000.0), ("postgresql", 800.0)):
        results = [{"endpoint": "bare_signed_in", "user": "big", "rps": floor}]
        results.append({"endpoint": "layout", "user": "big", "rps": floor / 2})
        results += [{"endpoint": e.name, "user": "big", "rps": 400.0} for e in ENDPOINTS]
        path = tmp_path / f"{db}.json"
        path.write_text(
            json.dumps(
                {
                    "db": db,
                    "bare_rps": 1600.0,
                    "results": results,
                    "checks": [{"ok": True, "text": "x"}],
                    "browser": {"prefetch": [4.0] * 30 + [9.0], "no prefetch": [300.0] * 31},
                }
            )
        )
        paths.append(str(path))
    assert summary(paths) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(
        line.split()[-4:] == ["0.40", "0.50", "≥", "0.50"] for line in lines if "next card" in line
    )
    assert any(
        line.split()[-4:] == ["0.62", "0.50", "≥", "0.60"]
        for line in lines
        if "signed-in bare ÷" in line
    )
    assert any(
        line.split()[-3:] == ["0.50", "0.50", "-"] for line in lines if "layout alone" in line
    )
    assert lines.count("prefetch        31      4.0      4.0      9.0") == 2
    assert lines.count("no prefetch     31    300.0    300.0    300.0") == 2
    assert summary([*paths, str(tmp_path / "missing.json")]) == 1


@pytest.mark.db_independent
def test_the_key_press_bar_needs_enough_cards_and_one_frame_at_p95():
    from prep_site.devtools.benchmark.browser import check

    fast = [5.0] * 95 + [40.0] * 5
    assert check({"prefetch": fast, "no prefetch": [300.0]})[0]
    slow = [5.0] * 90 + [40.0] * 10
    ok, text = check({"prefetch": slow, "no prefetch": [300.0]})
    assert not ok and "p95 40.0 ms over 100 cards" in text and "needs ≤ 16 ms" in text
    ok, text = check({"prefetch": [1.0] * 5, "no prefetch": []})
    assert not ok and "only 5 cards graded" in text
