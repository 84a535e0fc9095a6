"""Work that outlives the request that started it (an import, a large restore):
a thread of the app server's process, its progress kept in the cache so that a
page on any app server can show it."""

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections


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
