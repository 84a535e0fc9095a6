import zoneinfo

from django.utils import timezone

from .models import Profile

SESSION_KEY = "prep_timezone"


class UserTimezoneMiddleware:
    """Activates the person's time zone so 'today' and every time shown are theirs.
    The zone is kept in the session, so it costs no query per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            name = request.session.get(SESSION_KEY)
            if name is None:
                name = Profile.for_user(request.user).timezone
                request.session[SESSION_KEY] = name
            try:
                timezone.activate(zoneinfo.ZoneInfo(name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


def remember_timezone(request, name: str) -> None:
    request.session[SESSION_KEY] = name
