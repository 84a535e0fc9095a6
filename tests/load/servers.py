"""The processes a load test runs against: Redis, gunicorn on production
settings, and, on PostgreSQL, a database server of the test's own.

The PostgreSQL server is started with the project's scripts/postgres.sh, in a
data directory and on a port of its own (PREP_PG_DIR, PREP_PG_PORT): the test
stops and restarts it in the middle of the run, and the server the rest of the
suite (and anyone else working in this checkout) uses must not go away with it.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_SCRIPT = ROOT / "scripts" / "postgres.sh"
SETTINGS = "tests.load.settings"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process for port {port} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on port {port}")


@contextmanager
def redis_server():
    server = shutil.which("redis-server")
    assert server, "redis-server is installed by scripts/test.sh (Debian's redis-server)"
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


class PrivatePostgres:
    """A PostgreSQL server for one test: start, stop and start again."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="prep-load-pg-", dir="/tmp"))
        self.env = {
            **os.environ,
            "PREP_PG_DIR": str(self.directory / "data"),
            "PREP_PG_PORT": str(free_port()),
        }
        self.url = ""

    def _script(self, command: str) -> str:
        result = subprocess.run(
            ["bash", str(POSTGRES_SCRIPT), command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode:
            raise RuntimeError(f"postgres.sh {command} failed:\n{result.stderr[-3000:]}")
        return result.stdout.strip()

    def start(self) -> str:
        # As root, the script runs the server as the postgres user, who must be
        # able to reach the data directory inside ours.
        self.directory.chmod(0o755)
        self.url = self._script("start")
        return self.url

    def stop(self) -> None:
        self._script("stop")

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)
            Path(f"{self.env['PREP_PG_DIR']}.lock").unlink(missing_ok=True)


@contextmanager
def private_postgres():
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.remove()


def django_env(database: dict, redis_url: str, static_root: Path) -> dict:
    """The environment of the app servers and of the scenario script (the static
    files collected into ``static_root``: the collected_static fixture)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "PREP_LOAD_SQLITE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "SECRET_KEY": "load-test-" + "s3cr3t" * 8,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "REDIS_URL": redis_url,
            "PYTHONPATH": str(ROOT),
            "PREP_TEST_STATIC_ROOT": str(static_root),
            **database,
        }
    )
    return env


def manage(env: dict, *args: str, timeout: float = 600) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=timeout,
        stdout=subprocess.DEVNULL,
    )


def scenario(env: dict, *args: str, timeout: float = 600, module: str = "tests.load.scenario"):
    """Run tests/load/scenario.py (or another such module) and return what it
    printed (JSON)."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise RuntimeError(f"scenario {args} failed:\n{result.stderr[-5000:]}")
    return json.loads(result.stdout)


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@dataclass
class Gunicorn:
    process: subprocess.Popen
    port: int
    log: Path
    workers: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The master's children: its workers."""
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except FileNotFoundError:
            children = subprocess.run(
                ["pgrep", "-P", str(pid)], capture_output=True, text=True
            ).stdout.split()
        return sorted(int(child) for child in children if _alive(int(child)))

    def kill_a_worker(self) -> int:
        victim = self.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def wait_for_workers(self, timeout: float = 60, *, replacing: int | None = None) -> list[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) == self.workers and replacing not in pids:
                return pids
            time.sleep(0.2)
        raise TimeoutError(f"gunicorn has {self.worker_pids()} workers, not {self.workers}")

    def log_tail(self, size: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""


@contextmanager
def gunicorn(env: dict, log: Path, *, workers: int = 3):
    port = free_port()
    with open(log, "w") as stderr:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "prep_site.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    server = Gunicorn(process=process, port=port, log=log, workers=workers)
    try:
        wait_for_port(port, process)
        server.wait_for_workers()
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
