"""The benchmark's own pieces (scripts/benchmark.sh, prep_site.devtools.benchmark),
without running wrk: its settings load, its bare view answers anyone, its
command line parses, and the figures wrk's reporter prints are read right."""

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
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bare/signed-in/")
    assert response.status_code == 200
    assert response.content.decode() == "<!doctype html><title>bare</title><p>ok</p>"
    # What every signed-in page pays: the session and the person.
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "django_session" in tables and "auth_user" in tables


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
    results = [Result("bare", "", 20_000, 2000.0, 7.0, 14.0, 25.0, 0)]
    for endpoint in ENDPOINTS:
        big_requests = 0 if endpoint.name == "progress" else 500
        results += [
            Result(endpoint.name, "big", big_requests, 50.0, 100.0, 120.0, 130.0, 0),
            Result(endpoint.name, "small", 500, 50.0, 50.0, 60.0, 70.0, 0),
        ]
    checks = {text: ok for ok, text in evaluate(results, 2000.0, {1: {"VmHWM": 70}})}
    assert checks["progress: no big request answered within the run"] is False
    assert checks["topic: big p50 100 ms is 2.00× small's 50.0 ms; needs ≤ 3×"] is True
    assert (
        checks["study_next (big) at 2% of the bare view's req/s (50 vs 2000); needs ≥ 50%"] is False
    )
    assert checks["peak worker memory (VmHWM) 70 MB; needs < 200 MB"] is True


@pytest.mark.db_independent
def test_the_study_bar_names_what_the_signed_in_bare_view_reaches():
    results = [
        Result("bare", "", 20_000, 2000.0, 7.0, 14.0, 25.0, 0),
        Result("bare_signed_in", "big", 9_000, 900.0, 15.0, 20.0, 25.0, 0),
    ]
    for endpoint in ENDPOINTS:
        for user in ("big", "small"):
            results.append(Result(endpoint.name, user, 500, 300.0, 50.0, 60.0, 70.0, 0))
    checks = {text: ok for ok, text in evaluate(results, 2000.0, {1: {"VmHWM": 70}})}
    assert (
        checks[
            "study_grade (big) at 15% of the bare view's req/s (300 vs 2000); needs ≥ 50% "
            "(the bare view signed in: 45%)"
        ]
        is False
    )
    # The yardstick itself has no bar of its own.
    assert not [text for text in checks if text.startswith("bare_signed_in")]
