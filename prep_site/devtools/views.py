"""The benchmark's two yardsticks: the least a Django view on this server can
do, without and with the login."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse

BARE_PAGE = "<!doctype html><title>bare</title><p>ok</p>"


@login_not_required
def bare(request):
    return HttpResponse(BARE_PAGE)


def bare_signed_in(request):
    return HttpResponse(BARE_PAGE)
