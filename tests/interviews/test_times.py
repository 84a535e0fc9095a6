"""An interview's time, written the same way on every page and file: in the
reader's zone, named, with the interview's own zone beside it when it differs."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from cards.models import Rating
from tests.factories import grade_card, make_card, make_interview, make_topic

pytestmark = pytest.mark.django_db

# 10:00 in New York on Tuesday 10 December 2030 is 15:00 UTC and 16:00 in Paris.
MOMENT = datetime(2030, 12, 10, 15, 0, tzinfo=UTC)
IN_PARIS = "Tue 10 Dec 2030, 16:00 (Europe/Paris) · 10:00 in America/New_York"


@pytest.fixture
def in_paris(user, client_in):
    """The reader lives in Paris (set before the first request reads it)."""
    Profile.objects.filter(user=user).update(timezone="Europe/Paris")
    return client_in


@pytest.fixture
def new_york_interview(user):
    """A New York interview whose day is still ahead, with a studied topic."""
    topic = make_topic(owner=user, name="Spark")
    grade_card(user, make_card(topic, user), Rating.GOOD, timezone.now() - timedelta(days=1))
    interview = make_interview(
        user, company="Acme", scheduled_at=MOMENT, timezone="America/New_York"
    )
    interview.topics.set([topic])
    return interview


def times_on(page: str) -> list[str]:
    marker = 'data-testid="interview-time">'
    found, start = [], page.find(marker)
    while start != -1:
        start += len(marker)
        found.append(page[start : page.index("<", start)].replace("&#x27;", "'"))
        start = page.find(marker, start)
    return found


def test_every_page_writes_the_same_moment_in_the_readers_zone(in_paris, new_york_interview):
    interview = new_york_interview
    pages = {
        "page": interview.get_absolute_url(),
        "list": reverse("interviews:list"),
        "print": reverse("interviews:checklist_print", args=[interview.pk]),
        "home": reverse("home"),
        "dashboard": reverse("cards:progress"),
    }
    for name, address in pages.items():
        response = in_paris.get(address)
        assert response.status_code == 200, name
        assert IN_PARIS in times_on(response.content.decode()), name


def test_the_print_view_no_longer_labels_a_converted_time_with_the_interviews_zone(
    in_paris, new_york_interview
):
    page = in_paris.get(
        reverse("interviews:checklist_print", args=[new_york_interview.pk])
    ).content.decode()
    assert "16:00 (America/New_York)" not in page
    assert "16:00 (Europe/Paris)" in page


def test_the_markdown_checklist_writes_the_moment_the_same_way(in_paris, new_york_interview):
    response = in_paris.get(reverse("interviews:checklist_markdown", args=[new_york_interview.pk]))
    assert f"Technical, {IN_PARIS}\n" in response.content.decode()


def test_a_reader_in_the_interviews_zone_sees_one_time(client_in, user):
    Profile.objects.filter(user=user).update(timezone="America/New_York")
    interview = make_interview(user, scheduled_at=MOMENT, timezone="America/New_York")
    page = client_in.get(interview.get_absolute_url()).content.decode()
    assert times_on(page) == ["Tue 10 Dec 2030, 10:00 (America/New_York)"]


def test_the_other_zone_gives_its_date_when_the_day_differs(in_paris, user):
    # 03:00 UTC: 04:00 on Tuesday in Paris, 22:00 on Monday in New York.
    late = make_interview(user, scheduled_at=MOMENT.replace(hour=3), timezone="America/New_York")
    page = in_paris.get(late.get_absolute_url()).content.decode()
    assert (
        "Tue 10 Dec 2030, 04:00 (Europe/Paris) · Mon 9 Dec 2030, 22:00 in America/New_York"
        in times_on(page)
    )


def test_the_calendar_file_holds_the_moment_in_utc(in_paris, new_york_interview):
    response = in_paris.get(reverse("interviews:calendar", args=[new_york_interview.pk]))
    assert b"DTSTART:20301210T150000Z" in response.content
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == MOMENT
