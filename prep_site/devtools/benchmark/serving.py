"""The server under load: gunicorn with the benchmark's settings on a free
loopback port, what its workers use and when they are done, and a first
request to every page before the clock starts."""

from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .common import ENDPOINTS, PYTHON, ROOT, Person

GUNICORN_WORKERS = 2


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
