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
