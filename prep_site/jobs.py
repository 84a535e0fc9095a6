"""Work that outlives the request that started it (an import, a large restore):
a thread of the app server's process, its progress kept in the cache so that a
page on any app server can show it."""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import connections
from django.utils import timezone

# A running job whose progress has not moved for this long died with its process.
STALE_AFTER = timedelta(minutes=5)
PROGRESS_KEPT_SECONDS = 3600


def run_in_thread(name: str, work: Callable[[], object]) -> None:
    """Start ``work`` in a daemon thread; the thread's database connections are
    its own, and closed when it ends."""

    def run() -> None:
        try:
            work()
        finally:
            connections.close_all()

    threading.Thread(target=run, name=name, daemon=True).start()


@dataclass
class JobProgress:
    done: int
    total: int
    finished: bool = False

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0


def report_progress(key: str, done: int, total: int) -> None:
    """Keep a job's progress, with when it moved, for any app server to read."""
    cache.set(key, (done, total, timezone.now()), timeout=PROGRESS_KEPT_SECONDS)


def live_progress(key: str, *, total: int, since: datetime | None) -> JobProgress | None:
    """The progress kept under ``key`` (none yet: 0 of ``total``, as of
    ``since``), or None once it has been still for STALE_AFTER: the process
    running the job died, and the job with it."""
    done, total, at = cache.get(key) or (0, total, since)
    if at is not None and at < timezone.now() - STALE_AFTER:
        return None
    return JobProgress(done=done, total=total)
