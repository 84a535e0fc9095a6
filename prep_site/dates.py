"""The dates prep takes from a person or a file.

Every page shows a date in the reader's time zone, up to 14 hours either side of
UTC, and Python's dates end at the years 1 and 9999: a review restored at
9999-12-31T23:59Z cannot be shown east of UTC. So a date that comes in (a backup,
an interview's time) lies from the year 2000 (before the first Anki collections,
2006) to 2199 (a card reviewed today can fall due a hundred years on, FSRS's
longest interval)."""

from datetime import UTC, date, datetime

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)  # the first moment past the range
RANGE_TEXT = f"{EARLIEST.year} to {LATEST.year - 1}"


def in_range(value: date) -> bool:
    """Whether a date, or an aware date and time, lies in the years prep can show."""
    if isinstance(value, datetime):
        return EARLIEST <= value < LATEST
    return EARLIEST.date() <= value < LATEST.date()
