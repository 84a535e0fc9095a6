"""A count and its noun, the one way pages, messages and charts write them:
"1 card", "12 cards", "1,000 reviews", "2 quizzes". Templates use Django's
pluralize filter, which agrees with this."""

from django.utils.translation import ngettext


def count(n: int, noun: str, plural: str = "") -> str:
    """ "1 card", "12 cards"; ``plural`` for a noun that takes more than an s."""
    return f"{n:,} {ngettext(noun, plural or f'{noun}s', n)}"
