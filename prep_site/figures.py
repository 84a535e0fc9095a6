"""Figures kept per person in the cache every worker shares: what a page counts
over a whole collection and what changes only when the person writes (the
dashboard's, the cards per topic, the days studied).

Each person's figures are kept under a token of theirs; forgetting the token
forgets all of them at once. ``FiguresMiddleware`` forgets it after every
request of theirs that may write (any method but GET, HEAD, OPTIONS), and a job
that ends (an import, a restore) forgets its person's. A write to the admin
forgets everyone's: it may change the starter library every person sees. What
nothing forgets (a management command) is at most ``KEEP_SECONDS`` old.

A figure that depends on the day is kept with the day in its key; anything that
moves with the clock within a day (what is due this minute) is never kept.
"""

import secrets
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

KEEP_SECONDS = 600
EVERYONE = "figures:everyone"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

T = TypeVar("T")

# The tokens read during one request, by person: a page of several figures
# reads them once. None outside a request (a job reads them each time).
_read: ContextVar[dict | None] = ContextVar("figures_tokens", default=None)


def _token_key(user_id) -> str:
    return f"figures:{user_id}"


def _tokens(user_id) -> str:
    read = _read.get()
    if read is not None and user_id in read:
        return read[user_id]
    keys = [EVERYONE, _token_key(user_id)]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, secrets.token_hex(6), None)
            found[key] = cache.get(key, "")
    tokens = f"{found[EVERYONE]}.{found[_token_key(user_id)]}"
    if read is not None:
        read[user_id] = tokens
    return tokens


def kept(user_id, name: str, compute: Callable[[], T], *parts) -> T:
    """``compute()``'s value, kept for the person under ``name`` and ``parts``
    until they write."""
    key = ":".join(["figures", str(user_id), _tokens(user_id), name, *map(str, parts)])
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, KEEP_SECONDS)
    return value


def forget(key: str) -> None:
    """Drop a cached value now, and again once the transaction commits: a
    request may read the old rows meanwhile and keep them again."""
    _forget_read()
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def changed(user_id=None) -> None:
    """Forget the person's figures (everyone's with no person)."""
    forget(EVERYONE if user_id is None else _token_key(user_id))


def changed_by_request(request) -> None:
    """After a request that may have written: its transactions have ended, so
    forgetting once is enough. A write to the admin forgets everyone's."""
    everyone = request.path.startswith(reverse("admin:index"))
    _forget_read()
    cache.delete(EVERYONE if everyone else _token_key(request.user.pk))


def _forget_read() -> None:
    read = _read.get()
    if read is not None:
        read.clear()


class FiguresMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reading = _read.set({})
        try:
            response = self.get_response(request)
            if request.method not in SAFE_METHODS and request.user.is_authenticated:
                changed_by_request(request)
        finally:
            _read.reset(reading)
        return response
