"""Reading a page's HTML in tests."""

import re

CHOICE = re.compile(r"<input\b[^>]*\btype=\"(?:checkbox|radio)\"[^>]*>")
STYLED = re.compile(r"\bclass=\"[^\"]*\b(?:form-check-input|btn-check)\b")


def choices(page: str) -> list[str]:
    """Every checkbox and radio on the page, as written."""
    return CHOICE.findall(page)


def unstyled_choices(page: str) -> list[str]:
    """The checkboxes and radios the design's form-check style does not reach."""
    return [tag for tag in choices(page) if not STYLED.search(tag)]
