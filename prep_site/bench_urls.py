"""The app's URLs plus two yardsticks the benchmark measures every page against:
``bare/``, the least a Django view on this server can do, and ``bare/signed-in/``,
the same page behind the login, which costs what every signed-in page pays
before its own work (the session, the person, their time zone)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from prep_site.urls import urlpatterns as app_urlpatterns

BARE_PAGE = "<!doctype html><title>bare</title><p>ok</p>"


@login_not_required
def bare(request):
    return HttpResponse(BARE_PAGE)


def bare_signed_in(request):
    return HttpResponse(BARE_PAGE)


urlpatterns = [
    path("bare/", bare, name="bench_bare"),
    path("bare/signed-in/", bare_signed_in, name="bench_bare_signed_in"),
    *app_urlpatterns,
]
