import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/", "/nowhere/"])
def test_every_page_forbids_inline_and_foreign_scripts(client, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_logged_in_pages_carry_no_inline_script(client_in, topic):
    for url in [
        "/",
        reverse("cards:topic_list"),
        reverse("cards:study_start"),
        topic.get_absolute_url(),
    ]:
        body = client_in.get(url).content.decode()
        assert "Content-Security-Policy" not in body
        for chunk in body.split("<script")[1:]:
            assert chunk.lstrip().startswith("src=") or ' src="' in chunk.split(">", 1)[0]


def project_routes():
    """Every URL of prep's own (the admin is Django's), with 1 for each id."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if not route.startswith("admin/"):
                    yield from walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                yield "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)

    return sorted(set(walk(get_resolver().url_patterns)))


def test_head_works_wherever_get_does(client_in, topic):
    """Uptime monitors ask with HEAD: no route refuses it while taking GET."""
    routes = project_routes()
    assert len(routes) > 50
    for url in routes:
        get, head = client_in.get(url), client_in.head(url)
        assert (get.status_code == 405) == (head.status_code == 405), url
    for url in ["/", reverse("cards:topic_list"), topic.get_absolute_url(), "/accounts/login/"]:
        get, head = client_in.get(url), client_in.head(url)
        assert head.status_code == get.status_code == 200, url
        assert head.content == b""


def test_head_on_the_home_page_while_signed_out(client):
    response = client.head("/")
    assert response.status_code == 200


def test_signed_in_pages_are_kept_by_no_shared_cache(client_in, topic):
    for url in ["/", topic.get_absolute_url(), reverse("accounts:settings"), "/nowhere/"]:
        directives = {d.strip() for d in client_in.get(url)["Cache-Control"].split(",")}
        assert {"private", "no-cache"} <= directives, url


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/nowhere/"])
def test_the_permissions_policy_turns_off_what_prep_does_not_use(client, url):
    policy = client.get(url)["Permissions-Policy"]
    features = dict(part.strip().split("=", 1) for part in policy.split(","))
    for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
        assert features[feature] == "()"
