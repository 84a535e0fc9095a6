"""The benchmark's yardsticks: the least a Django view on this server can do,
without and with the login, and a signed-in page of nothing but the site's
layout (the navigation, the messages, the footer) that every page renders."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render

BARE_PAGE = "<!doctype html><title>bare</title><p>ok</p>"


@login_not_required
def bare(request):
    return HttpResponse(BARE_PAGE)


def bare_signed_in(request):
    return HttpResponse(BARE_PAGE)


def layout_signed_in(request):
    return render(request, "devtools/layout.html")
