import pytest
from django.core.cache import cache

from tests.factories import make_topic, make_user


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: the progress of a job of an earlier
    test (whose id this test's database may give again) is not this test's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Files kept for background jobs go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list[str]:
    """The files kept under a media root, relative to it."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def user(db):
    return make_user("alice")


@pytest.fixture
def other_user(db):
    return make_user("mallory")


@pytest.fixture
def client_in(client, user):
    """The test client, logged in as ``user``. force_login, not login: django-axes
    refuses an authenticate() call that comes with no request, as client.login's does."""
    client.force_login(user)
    return client


@pytest.fixture
def topic(user):
    return make_topic(owner=user, name="Distributed systems")


@pytest.fixture
def htmx_headers():
    return {"HTTP_HX_REQUEST": "true"}
