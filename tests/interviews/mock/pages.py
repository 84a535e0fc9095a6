"""Reaching the mock interview pages through the test client."""

from django.urls import reverse


def url(name, session_or_pk=None):
    if session_or_pk is None:
        return reverse(f"mock:{name}")
    return reverse(f"mock:{name}", args=[getattr(session_or_pk, "pk", session_or_pk)])


def body(response) -> str:
    return response.content.decode()


def post_answer(client, name, session, answer, **data):
    extra = data.pop("headers", {})
    follow = data.pop("follow", False)
    return client.post(url(name, session), {"answer": answer.pk, **data}, follow=follow, **extra)
