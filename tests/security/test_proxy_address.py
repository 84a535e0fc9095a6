"""Login throttling behind a load balancer: with PREP_PROXY_COUNT set, django-axes
counts failed logins against each client's own address (from X-Forwarded-For),
not against the balancer's, and a client cannot choose the address it is counted
against."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"
BALANCER = "10.0.0.5"  # every request reaches the app from here
FIRST_PROXY = "10.0.0.9"
ALICE_HOME = "198.51.100.1"
BOB_CAFE = "198.51.100.2"


def log_in(username: str, password: str, *, forwarded_for: str | None, via: str = BALANCER):
    headers = {"REMOTE_ADDR": via}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client().post(reverse("login"), {"username": username, "password": password}, **headers)


def fail_five_times(username: str, *, forwarded_for: str, via: str = BALANCER) -> list[int]:
    return [
        log_in(username, WRONG, forwarded_for=forwarded_for, via=via).status_code for _ in range(5)
    ]


@pytest.fixture
def one_balancer(settings):
    settings.PREP_PROXY_COUNT = 1


def test_two_clients_behind_the_balancer_are_throttled_separately(one_balancer, user):
    assert fail_five_times(user.username, forwarded_for=ALICE_HOME)[-1] == 429
    assert log_in(user.username, PASSWORD, forwarded_for=ALICE_HOME).status_code == 429
    # The same account from another client, through the same balancer, still logs in.
    assert log_in(user.username, PASSWORD, forwarded_for=BOB_CAFE).status_code == 302
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.ip_address == ALICE_HOME


def test_without_the_setting_everyone_behind_the_balancer_is_one_address(settings, user):
    """Why the setting exists: counted against the balancer's address, one
    person's guesses lock the account for everybody."""
    settings.PREP_PROXY_COUNT = 0
    fail_five_times(user.username, forwarded_for=ALICE_HOME)
    assert log_in(user.username, PASSWORD, forwarded_for=BOB_CAFE).status_code == 429
    assert AccessAttempt.objects.get(username=user.username).ip_address == BALANCER


def test_a_client_cannot_pick_the_address_it_is_counted_against(one_balancer, user):
    """The balancer appends the address it was reached from; whatever the client
    wrote to the left of it is ignored."""
    for pretend in ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", BOB_CAFE]:
        log_in(user.username, WRONG, forwarded_for=f"{pretend}, {ALICE_HOME}")
    assert log_in(user.username, PASSWORD, forwarded_for=ALICE_HOME).status_code == 429
    assert log_in(user.username, PASSWORD, forwarded_for=BOB_CAFE).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ALICE_HOME}


def test_behind_two_proxies_the_client_is_second_from_the_right(settings, user):
    settings.PREP_PROXY_COUNT = 2
    fail_five_times(user.username, forwarded_for=f"203.0.113.7, {ALICE_HOME}, {FIRST_PROXY}")
    assert (
        log_in(user.username, PASSWORD, forwarded_for=f"{ALICE_HOME}, {FIRST_PROXY}").status_code
        == 429
    )
    assert (
        log_in(user.username, PASSWORD, forwarded_for=f"{BOB_CAFE}, {FIRST_PROXY}").status_code
        == 302
    )


@pytest.mark.parametrize(
    "forwarded_for",
    [None, "", "unknown", f"{ALICE_HOME}:51234", "<script>", "999.1.1.1"],
    ids=["missing", "empty", "unknown", "with-port", "markup", "out-of-range"],
)
def test_a_header_that_is_not_an_address_falls_back_to_the_connection(
    one_balancer, user, forwarded_for
):
    """Nothing that is not an address is stored as one (PostgreSQL's inet column
    would refuse it mid-login)."""
    response = log_in(user.username, WRONG, forwarded_for=forwarded_for, via=BALANCER)
    assert response.status_code == 200
    assert AccessAttempt.objects.get(username=user.username).ip_address == BALANCER


def test_ipv6_clients_are_counted_by_their_address(one_balancer, user):
    fail_five_times(user.username, forwarded_for="2001:db8::1")
    assert log_in(user.username, PASSWORD, forwarded_for="2001:db8:0:0::1").status_code == 429
    assert log_in(user.username, PASSWORD, forwarded_for="2001:db8::2").status_code == 302
