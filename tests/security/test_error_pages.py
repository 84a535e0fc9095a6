"""Error pages are ours: they say what happened and where to go next, and show
nothing of the code, the settings or the error itself."""

import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.urls import get_resolver, path, reverse

from prep_site.urls import urlpatterns as site_urlpatterns
from tests.factories import make_interview

pytestmark = pytest.mark.django_db

# What a debug page or a careless template would show.
NEVER_SHOWN = [
    "Traceback",
    "Exception Value",
    "Using the URLconf",
    "SECRET_KEY",
    "DATABASES",
    "INSTALLED_APPS",
    "ALLOWED_HOSTS",
    str(settings.BASE_DIR),
    "site-packages",
]
SECRET_IN_ERROR = "db-password-hunter2"


def assert_ours_and_quiet(response, status: int, heading: str) -> str:
    page = response.content.decode()
    assert response.status_code == status
    assert heading in page
    assert 'href="/"' in page  # a way home
    for leak in [*NEVER_SHOWN, SECRET_IN_ERROR]:
        assert leak not in page, f"{leak!r} shown on the {status} page"
    return page


# Views that fail on purpose, on URLs only these tests have (pytest.mark.urls).


@login_not_required
def broken(request):
    raise RuntimeError(f"could not connect with {SECRET_IN_ERROR}")


@login_not_required
def forbidden(request):
    raise PermissionDenied(f"because of {SECRET_IN_ERROR}")


@login_not_required
def suspicious(request):
    raise SuspiciousOperation(f"odd input near {SECRET_IN_ERROR}")


urlpatterns = [
    path("test-errors/500/", broken),
    path("test-errors/403/", forbidden),
    path("test-errors/400/", suspicious),
    *site_urlpatterns,
]
with_failing_views = pytest.mark.urls(__name__)


# 404 ------------------------------------------------------------------------------------


def test_a_missing_page_is_our_404(client):
    page = assert_ours_and_quiet(client.get("/no/such/page/"), 404, "We couldn’t find that page")
    assert 'data-testid="error-page"' in page
    assert reverse("login") in page  # a visitor is offered the login


def test_someone_elses_object_is_our_404_and_names_nothing(client_in, other_user):
    theirs = make_interview(other_user, company="Initech")
    page = assert_ours_and_quiet(
        client_in.get(theirs.get_absolute_url()), 404, "We couldn’t find that page"
    )
    assert "Initech" not in page
    assert "matches the given query" not in page  # Http404's message, naming the model
    assert reverse("interviews:list") in page  # links for the logged-in person


# 500 ------------------------------------------------------------------------------------


def test_the_500_handler_renders_our_standalone_page(django_assert_num_queries):
    handler = get_resolver().resolve_error_handler(500)
    with django_assert_num_queries(0):
        response = handler(RequestFactory().get("/"))
    assert_ours_and_quiet(response, 500, "Something went wrong on our side")


def test_the_500_page_needs_nothing_that_could_be_what_broke():
    source = get_template("500.html").template.source
    for tag in ("{% extends", "{% include", "{% load", "{% url", "{% static", "{{"):
        assert tag not in source


@with_failing_views
def test_an_error_in_a_view_is_our_500():
    client = Client(raise_request_exception=False)
    assert_ours_and_quiet(client.get("/test-errors/500/"), 500, "Something went wrong on our side")


# 403 ------------------------------------------------------------------------------------


def test_a_refused_csrf_check_is_our_403(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": user.username, "password": "x"})
    page = assert_ours_and_quiet(response, 403, "That form has expired")
    assert "Nothing was saved" in page
    assert "CSRF verification failed" not in page  # Django's own page


@with_failing_views
def test_a_permission_denied_is_our_403(client):
    assert_ours_and_quiet(client.get("/test-errors/403/"), 403, "You can’t do that here")


# 400 ------------------------------------------------------------------------------------


def test_a_bad_host_is_our_400(client):
    response = client.get("/", HTTP_HOST="evil.example.com")
    page = assert_ours_and_quiet(response, 400, "We couldn’t understand that request")
    assert "evil.example.com" not in page


@with_failing_views
def test_suspicious_input_is_our_400(client):
    assert_ours_and_quiet(
        client.get("/test-errors/400/"), 400, "We couldn’t understand that request"
    )
