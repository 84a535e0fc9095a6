"""A made-up but realistic study history for one person, for tests and
benchmarks (``manage.py make_history``); see ``generate``."""

from .generate import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    HistoryRequestError,
    HistorySummary,
    generate_history,
)

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "HistoryRequestError",
    "HistorySummary",
    "generate_history",
]
