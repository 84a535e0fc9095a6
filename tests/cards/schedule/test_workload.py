"""Your schedule's workload: reviews a day simulated at your retention and two
others, and the suggested minimum retention, over a generated history."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from accounts.models import Profile
from cards.models import SchedulerSettings
from cards.schedule import workload
from prep_site.devtools.history import generate_history
from tests.factories import settled_now

pytestmark = pytest.mark.django_db(transaction=True)

URL = reverse("cards:schedule")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def history(*, username: str = "alice"):
    generate_history(username=username, cards=60, reviews=300, days=60, seed=3, now=settled_now())
    return get_user_model().objects.get(username=username)


def rows(body: str) -> dict[str, list[float]]:
    """The workload table: retention heading -> its two averages."""
    table = body[body.index('data-testid="workload-table"') :]
    table = table[: table.index("</table>")]
    figure = r"<td[^>]*>([\d.]+)</td>"
    found = re.findall(rf'<th scope="row">([^<]+)</th>{figure}{figure}', table)
    return {head: [float(a), float(b)] for head, a, b in found}


def test_the_page_shows_the_workload_at_three_retentions(client):
    user = history()
    client.force_login(user)
    body = client.get(URL).content.decode()
    assert 'data-testid="workload-chart"' in body
    assert body.count("<polyline") == 3
    table = rows(body)
    assert list(table) == ["0.85", "0.90 (yours)", "0.95"]
    # More retention costs more reviews.
    assert 0 < table["0.85"][1] < table["0.90 (yours)"][1] < table["0.95"][1]
    assert "for your 60 cards at 2 new cards a day" in body  # the history's settings
    assert "starts all of them as new" in body


def test_the_suggested_minimum_is_in_the_allowed_range(client):
    user = history()
    client.force_login(user)
    body = client.get(URL).content.decode()
    found = re.search(r"Suggested minimum: ([\d.]+)\.", body)
    assert found
    assert 0.70 <= float(found.group(1)) <= 0.97
    assert "fewest reviews over 90 days" in body


def test_at_the_top_of_the_range_both_others_are_below(client):
    user = history()
    SchedulerSettings.objects.create(user=user, desired_retention=0.97)
    client.force_login(user)
    table = rows(client.get(URL).content.decode())
    assert list(table) == ["0.87", "0.92", "0.97 (yours)"]


def test_the_workload_follows_the_new_cards_a_day(client):
    user = history()
    client.force_login(user)
    few = rows(client.get(URL).content.decode())["0.90 (yours)"]
    Profile.objects.filter(user=user).update(new_cards_per_day=10)
    body = client.get(URL).content.decode()
    assert "at 10 new cards a day" in body
    assert rows(body)["0.90 (yours)"][0] > few[0]


def test_the_result_is_kept_in_the_cache_for_the_day(client, settings):
    # A cache in this process's memory, whose keys can be listed.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    user = history()
    client.force_login(user)
    client.get(URL)
    assert any(key.startswith(f"workload:{user.pk}:") for key in _cache_keys())


def _cache_keys() -> list[str]:
    # The locmem cache's keys carry a prefix and version: ":1:workload:..."
    return [key.split(":", 2)[2] for key in cache._cache]


def test_no_new_cards_a_day_says_so(client):
    user = history()
    Profile.objects.filter(user=user).update(new_cards_per_day=0)
    client.force_login(user)
    body = client.get(URL).content.decode()
    assert "With no new cards a day, the simulation has no reviews to show" in body
    assert "<polyline" not in body


def test_a_person_with_no_cards_sees_words_not_a_chart(client, django_user_model):
    from cards.models import Card

    Card.objects.filter(owner__isnull=True).delete()  # no starter library either
    user = django_user_model.objects.create_user("bob", password="pw-long-enough-1")
    client.force_login(user)
    body = client.get(URL).content.decode()
    assert "You have no cards to study yet, so there is no workload to show." in body
    assert "<polyline" not in body
    assert "Suggested minimum" not in body


def test_the_others_stay_in_range():
    for retention in (0.70, 0.72, 0.90, 0.95, 0.97):
        around = workload.others(retention)
        assert len(set(around)) == 2 and retention not in around
        assert all(0.70 <= r <= 0.97 for r in around)
