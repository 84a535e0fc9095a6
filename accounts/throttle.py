"""How often anyone may try to log in, sign up or ask for a password reset.

django-axes already locks one username from one address after five wrong
passwords (settings: AXES_*). These limits count every attempt, right or wrong,
per client address and per account (the username or the e-mail address typed),
so that one address cannot try forty usernames, and forty addresses cannot try
one, and nobody can send a stranger thirty reset e-mails.

The counters live in the cache (django-ratelimit): in Redis when REDIS_URL is
set, which every app server shares. Without it each process counts on its own
(see the README, "Limits").
"""

from dataclasses import dataclass
from math import ceil

from django.shortcuts import render
from django_ratelimit.core import get_usage

from prep_site.client_address import client_address


def _address(group, request) -> str:
    return client_address(request) or "unknown"


def _typed(field: str):
    """The account a form names: case and spaces do not make a new one."""

    def key(group, request) -> str:
        return request.POST.get(field, "").strip().casefold()[:254]

    key.__name__ = f"typed_{field}"
    return key


@dataclass(frozen=True)
class Limit:
    count: int
    minutes: int
    per: str  # "address" or the name of the form field that names the account
    says: str  # what is limited, for the page that says so

    @property
    def rate(self) -> str:
        return f"{self.count}/{self.minutes}m"

    def key(self):
        return _address if self.per == "address" else _typed(self.per)


LOGIN = (
    Limit(30, 10, "address", "30 log-in attempts in 10 minutes from one address"),
    Limit(30, 60, "username", "30 log-in attempts in an hour for one account"),
)
SIGN_UP = (
    Limit(10, 60, "address", "10 sign-up attempts in an hour from one address"),
    Limit(5, 60, "email", "5 sign-up attempts in an hour with one e-mail address"),
)
PASSWORD_RESET = (
    Limit(10, 60, "address", "10 password-reset requests in an hour from one address"),
    Limit(3, 60, "email", "3 password-reset e-mails in an hour to one address"),
)

# The views they guard, by URL name. The admin's login is a way in too.
LIMITS_BY_URL_NAME = {
    "login": LOGIN,
    "admin:login": LOGIN,
    "accounts:signup": SIGN_UP,
    "password_reset": PASSWORD_RESET,
}


def exceeded(request, group: str, limits) -> tuple[Limit, int] | None:
    """Count this attempt against each limit; the first one it goes over, with
    the seconds until its window ends. Every counter counts even when an earlier
    one is over, so that waiting out one limit does not reset the others."""
    over = None
    for limit in limits:
        if limit.per != "address" and not request.POST.get(limit.per, "").strip():
            continue  # no account named: the address limit covers it
        usage = get_usage(
            request,
            group=f"{group}:{limit.per}",
            key=limit.key(),
            rate=limit.rate,
            method="POST",
            increment=True,
        )
        if usage and usage["should_limit"] and over is None:
            over = (limit, max(usage["time_left"], 1))
    return over


class ThrottleMiddleware:
    """Refuses a POST to a guarded view once a limit is reached, with a page (429)
    that says which limit and how long to wait."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST":
            return None
        name = request.resolver_match.view_name if request.resolver_match else None
        limits = LIMITS_BY_URL_NAME.get(name)
        if limits is None:
            return None
        over = exceeded(request, name, limits)
        if over is None:
            return None
        limit, seconds = over
        response = render(
            request,
            "registration/rate_limited.html",
            {"limit": limit, "minutes": ceil(seconds / 60)},
            status=429,
        )
        response["Retry-After"] = str(seconds)
        return response
