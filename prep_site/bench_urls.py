"""The app's URLs plus ``bare/``: the least a Django view on this server can do,
the yardstick the benchmark measures every page against."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from prep_site.urls import urlpatterns as app_urlpatterns

BARE_PAGE = "<!doctype html><title>bare</title><p>ok</p>"


@login_not_required
def bare(request):
    return HttpResponse(BARE_PAGE)


urlpatterns = [path("bare/", bare, name="bench_bare"), *app_urlpatterns]
