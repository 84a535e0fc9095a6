"""What the benchmark measures and with whom: the endpoints, the two people (a
big history and a small one), one measured result, and the log."""

from __future__ import annotations

import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PYTHON = sys.executable

BIG, SMALL = "big", "small"
SEARCH_QUERY = "bloom filter"


@dataclass
class Endpoint:
    name: str
    label: str
    method: str = "GET"
    htmx: bool = False


ENDPOINTS = [
    Endpoint("study_next", "study step: next card (htmx GET)", htmx=True),
    Endpoint("study_grade", "study step: grade (htmx POST)", method="POST", htmx=True),
    Endpoint("topic", "topic page"),
    Endpoint("search", f"search “{SEARCH_QUERY}”"),
    Endpoint("home", "home page"),
    Endpoint("progress", "progress dashboard"),
    Endpoint("interview", "interview checklist"),
]
STUDY_ENDPOINTS = ("study_next", "study_grade")
# Not a page of the app: the bare page behind the login, as the big person. What
# every signed-in page pays before its own work; no bar applies to it.
SIGNED_IN = Endpoint("bare_signed_in", "bare view, signed in")
# Nor this: a signed-in page of the site's layout alone, what every page renders
# around its own content. The share of it a page reaches says what is left.
LAYOUT = Endpoint("layout", "the layout alone, signed in")


@dataclass
class Person:
    """What the load needs to know about one benchmark user."""

    username: str
    user_id: int
    session_id: int
    topic_id: int
    interview_id: int
    cookie: str
    csrf: str
    grade_file: str
    grade_lines: int
    sanity_prompt: tuple[int, int]  # (prompt id, reps), kept out of the grade file

    def path(self, endpoint: str) -> str:
        return {
            "study_next": f"/study/{self.session_id}/",
            "study_grade": f"/study/{self.session_id}/grade/",
            "topic": f"/topics/{self.topic_id}/",
            "search": "/search/?" + urllib.parse.urlencode({"q": SEARCH_QUERY}),
            "home": "/",
            "progress": "/progress/",
            "interview": f"/interviews/{self.interview_id}/",
            "bare_signed_in": "/bare/signed-in/",
            "layout": "/bare/layout/",
        }[endpoint]


@dataclass
class Result:
    endpoint: str
    user: str  # "big", "small" or "" for the bare view
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    error_detail: dict = field(default_factory=dict)
    note: str = ""


def log(message: str) -> None:
    print(f"[benchmark {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"
