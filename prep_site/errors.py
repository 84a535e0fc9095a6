"""Our answer to a refused CSRF check (settings.CSRF_FAILURE_VIEW).

Django's own page speaks to developers; ours tells the person what most likely
happened (the page was open from before they logged in or out) and what to do.
The reason Django gives ("CSRF token missing", …) names no secret, so it is shown.
"""

from django.shortcuts import render


def csrf_failure(request, reason: str = ""):
    return render(request, "403_csrf.html", {"reason": reason}, status=403)
