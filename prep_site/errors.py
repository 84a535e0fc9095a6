"""Our answers to a refused CSRF check (settings.CSRF_FAILURE_VIEW) and to an
uncaught exception (handler500).

Django's own CSRF page speaks to developers; ours tells the person what most
likely happened (the page was open from before they logged in or out) and what
to do. The reason Django gives ("CSRF token missing", …) names no secret, so it
is shown.

When the database cannot be reached, every request fails, and most of them fail
in middleware (the session, the user, their time zone) before any view runs, so
a middleware's process_exception would never see it. Django hands every uncaught
exception, wherever it was raised, to handler500: there it is answered with 503
and Retry-After, which tells load balancers, crawlers and our htmx script that
the failure is temporary. Neither page touches the database.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

# The connection failed, was lost, or the database is busy (SQLite's "database
# is locked" is an OperationalError too): worth trying again shortly.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def csrf_failure(request, reason: str = ""):
    return render(request, "403_csrf.html", {"reason": reason}, status=403)


def database_unavailable(error: BaseException | None) -> bool:
    """Whether the error, or one it was raised from or while handling, is the
    database being out of reach."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DATABASE_UNAVAILABLE):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


@requires_csrf_token
def server_error(request):
    # Django calls the handler inside its ``except`` block, so the exception
    # being answered is the one being handled.
    if database_unavailable(sys.exc_info()[1]):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)
