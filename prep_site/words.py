"""A count and its noun, the one way pages, messages and charts write them:
"1 card", "12 cards", "1,000 reviews", "2 quizzes". Templates use Django's
pluralize filter, which agrees with this."""

from django.utils.translation import ngettext


def count(n: int, noun: str, plural: str = "") -> str:
    """ "1 card", "12 cards"; ``plural`` for a noun that takes more than an s."""
    return f"{n:,} {ngettext(noun, plural or f'{noun}s', n)}"


def change(n: int, noun: str, plural: str = "") -> str:
    """A signed change and its noun: "+25 points", "-1 point", "no change in
    points". The noun agrees with the size of the change, not its sign."""
    if n == 0:
        return f"no change in {plural or f'{noun}s'}"
    return f"{'+' if n > 0 else '-'}{count(abs(n), noun, plural)}"
