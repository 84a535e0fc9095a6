"""The benchmark's database: a fresh one of either kind, the large study history
built in it through manage.py, and the PostgreSQL one dropped after the run."""

from __future__ import annotations

import subprocess
import time
import urllib.parse
from pathlib import Path

from .common import BIG, PYTHON, ROOT, SMALL, log

SECRET_KEY = "bench-only-secret-key-" + "not-for-production-" * 2


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


def fresh_database(db: str, pg_url: str | None, workdir: Path) -> dict:
    """Environment for a new, empty database of the given kind."""
    env = {
        "DJANGO_SETTINGS_MODULE": "prep_site.devtools.settings",
        "SECRET_KEY": SECRET_KEY,
        "BENCH_STATIC_ROOT": str(workdir / "static"),
        # The cache the workers share (sessions, the person), new with the database.
        "PREP_CACHE_DIR": str(workdir / "cache"),
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
