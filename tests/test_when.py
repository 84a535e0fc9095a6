"""Dates and times written one way everywhere: in the reader's zone, "Tue 1 Dec
2026" for a date, "14:39" for a time, and relative ("in 3 days") on the
person's own calendar where the distance matters."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from accounts.models import Profile
from cards.models import Rating, StudySession
from prep_site.when import (
    format_date,
    format_datetime,
    format_month,
    format_relative,
    format_short_date,
    format_time,
    iso,
)
from tests.factories import grade_card, make_card, make_interview, make_topic

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
# 14:39 UTC on Tuesday 1 December 2026: 15:39 in Paris, 09:39 in New York.
MOMENT = datetime(2026, 12, 1, 14, 39, tzinfo=UTC)


def test_a_moment_is_written_in_the_zone_it_is_shown_in():
    assert format_datetime(MOMENT, "UTC") == "Tue 1 Dec 2026, 14:39"
    assert format_datetime(MOMENT, PARIS) == "Tue 1 Dec 2026, 15:39"
    assert format_time(MOMENT, "Asia/Kolkata") == "20:09"
    # Late in the evening in New York is already the next day in Tokyo.
    evening = datetime(2026, 12, 1, 23, 30, tzinfo=NEW_YORK)
    assert format_date(evening, "Asia/Tokyo") == "Wed 2 Dec 2026"
    assert format_date(evening, NEW_YORK) == "Tue 1 Dec 2026"


def test_the_active_zone_is_the_default():
    with timezone.override(NEW_YORK):
        assert format_datetime(MOMENT) == "Tue 1 Dec 2026, 09:39"
        assert iso(MOMENT) == "2026-12-01T09:39:00-05:00"


def test_a_date_a_naive_wall_time_and_nothing():
    assert format_date(date(2027, 1, 4)) == "Mon 4 Jan 2027"
    # A wall-clock time typed in a form is written as typed, in no zone.
    assert format_datetime(datetime(2031, 3, 9, 2, 30)) == "Sun 9 Mar 2031, 02:30"
    assert format_time(MOMENT, "UTC", seconds=True) == "14:39:00"
    assert format_date(None) == format_time(None) == format_relative(None) == iso(None) == ""
    assert iso(date(2027, 1, 4)) == "2027-01-04"


def test_a_charts_axis_writes_the_day_without_a_leading_zero():
    assert format_short_date(date(2026, 12, 3)) == "3 Dec"
    assert format_short_date(date(2027, 1, 24)) == "24 Jan"
    assert format_month(date(2027, 5, 31)) == "May"


def test_the_clocks_going_forward_and_back():
    # Paris skips 02:00-03:00 on 29 March 2026, and has 02:00-03:00 twice on 25 October.
    assert format_time(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), PARIS) == "01:30"
    assert format_time(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), PARIS) == "03:30"
    assert format_time(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), PARIS) == "02:30"
    assert format_time(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), PARIS) == "02:30"
    # Noon to noon over the night the clocks go forward is 23 hours, but a day.
    now = datetime(2026, 3, 28, 12, 0, tzinfo=PARIS)
    assert format_relative(datetime(2026, 3, 29, 12, 0, tzinfo=PARIS), PARIS, now=now) == (
        "tomorrow"
    )
    # 00:30 to 04:30 that night is 4 hours on the clock's face, 3 apart.
    night = datetime(2026, 3, 29, 0, 30, tzinfo=PARIS)
    later = datetime(2026, 3, 29, 4, 30, tzinfo=PARIS)
    assert format_relative(later, PARIS, now=night) == "in 3 hours"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 12, 1, 14, 39, 30, tzinfo=PARIS), "just now"),
        (datetime(2026, 12, 1, 14, 39, 30, tzinfo=PARIS) - timedelta(minutes=1), "1 minute ago"),
        (datetime(2026, 12, 1, 14, 44, 30, tzinfo=PARIS), "in 5 minutes"),
        (datetime(2026, 12, 1, 12, 10, tzinfo=PARIS), "2 hours ago"),
        (datetime(2026, 12, 1, 23, 59, tzinfo=PARIS), "in 9 hours"),
        (datetime(2026, 12, 2, 0, 1, tzinfo=PARIS), "tomorrow"),
        (datetime(2026, 11, 30, 23, 59, tzinfo=PARIS), "yesterday"),
        (datetime(2026, 12, 4, 8, 0, tzinfo=PARIS), "in 3 days"),
        (datetime(2026, 11, 21, 8, 0, tzinfo=PARIS), "10 days ago"),
        (datetime(2026, 12, 22, 8, 0, tzinfo=PARIS), "in 3 weeks"),
        (datetime(2027, 3, 1, 8, 0, tzinfo=PARIS), "in 3 months"),
        (datetime(2025, 11, 1, 8, 0, tzinfo=PARIS), "1 year ago"),
    ],
)
def test_relative_counts_minutes_then_hours_then_the_persons_days(moment, expected):
    now = datetime(2026, 12, 1, 14, 39, 30, tzinfo=PARIS)
    assert format_relative(moment, PARIS, now=now) == expected


def test_tomorrow_is_on_the_persons_calendar():
    # 22:00 in New York on 30 November is 03:00 UTC on 1 December.
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    moment = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 01:00 in New York on 1 December
    assert format_relative(moment, NEW_YORK, now=now) == "tomorrow"
    assert format_relative(moment, "UTC", now=now) == "in 3 hours"
    # Half an hour across midnight stays in minutes.
    assert format_relative(
        now + timedelta(minutes=30), NEW_YORK, now=now + timedelta(hours=1, minutes=50)
    ) == ("1 hour ago")
    assert format_relative(date(2026, 11, 30), NEW_YORK, now=now) == "today"
    assert format_relative(date(2026, 12, 1), NEW_YORK, now=now) == "tomorrow"
    assert format_relative(date(2026, 11, 29), NEW_YORK, now=now) == "yesterday"


def test_the_time_element_carries_the_iso_value_and_the_full_date():
    template = Template(
        '{% load when %}{{ m|when }}|{{ m|when:"relative" }}|{{ m|day:"Asia/Tokyo" }}'
    )
    with timezone.override(PARIS):
        text = template.render(Context({"m": timezone.now() + timedelta(days=3, hours=1)}))
    full, relative, tokyo = text.split("|")
    assert re.fullmatch(
        r'<time datetime="[^"]+\+01:00">\w{3} \d+ \w{3} \d{4}, \d\d:\d\d</time>', full
    )
    assert re.fullmatch(
        r'<time datetime="[^"]+" title="\w{3} \d+ \w{3} \d{4}, \d\d:\d\d">in 3 days</time>',
        relative,
    )
    assert re.fullmatch(r"\w{3} \d+ \w{3} \d{4}", tokyo)


# Pages


@pytest.fixture
def in_new_york(user, client_in):
    Profile.objects.filter(user=user).update(timezone="America/New_York")
    return client_in


@pytest.mark.django_db
def test_a_cards_page_writes_its_due_date_and_reviews_one_way(in_new_york, user):
    card = make_card(make_topic(owner=user), user)
    graded_at = timezone.now() - timedelta(hours=2)
    progress = grade_card(user, card, Rating.GOOD, graded_at)

    page = in_new_york.get(card.get_absolute_url()).content.decode()

    due = progress.due.astimezone(NEW_YORK)
    assert f"({format_datetime(due, NEW_YORK)})" in page
    assert f'<time datetime="{due.isoformat(timespec="seconds")}" title="' in page
    assert f">{format_relative(due, NEW_YORK)}</time>" in page
    reviewed = graded_at.astimezone(NEW_YORK)
    assert f">{format_datetime(reviewed, NEW_YORK)}</time>" in page
    assert "a.m." not in page and "p.m." not in page


@pytest.mark.django_db
def test_the_home_page_says_how_long_ago_the_last_session_was(in_new_york, user):
    StudySession.objects.create(user=user)
    StudySession.objects.filter(user=user).update(started_at=timezone.now() - timedelta(hours=2))

    page = in_new_york.get("/").content.decode()

    assert re.search(
        r'Last session <time datetime="[^"]+-0[45]:00" title="[^"]+">2 hours ago</time>', page
    )


@pytest.mark.django_db
def test_the_interview_list_says_how_far_off_each_interview_is(in_new_york, user):
    make_interview(user, scheduled_at=timezone.now() + timedelta(days=3, hours=1))
    make_interview(user, scheduled_at=timezone.now() + timedelta(days=30))

    page = in_new_york.get("/interviews/").content.decode()

    assert re.search(r">in 3 days</time>", page)
    assert re.search(r">in 4 weeks</time>", page)
