"""Reading the study page as a person sees it."""

import re


def header_counts(body: str) -> tuple[int, int]:
    """The header's "Due 2 · New left today 5", as (due, new left)."""
    due = re.search(r'data-testid="due-count">(\d+)<', body)
    new = re.search(r'data-testid="new-left">(\d+)<', body)
    return int(due.group(1)), int(new.group(1))
