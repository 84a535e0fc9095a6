"""The plan to an interview's day (cards/progress/readiness.py): the reviews and
new cards a day that get its topics there, on the interview's page and on the
dashboard, and a warning when the person's own pace will not get there."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from cards.models import ReviewDay
from tests.factories import make_card, make_interview, make_topic

pytestmark = pytest.mark.django_db


def interview_in(user, *, days: float, cards: int = 30, hours: float = 0):
    """An interview ``days`` (and ``hours``) from now over a topic of ``cards`` new cards."""
    topic = make_topic(owner=user, name="SQL")
    for n in range(cards):
        make_card(topic, user, front=f"Question {n}")
    interview = make_interview(
        user, scheduled_at=timezone.now() + timedelta(days=days, hours=hours)
    )
    interview.topics.set([topic])
    return interview, topic


def interview_on_day(user, *, days_ahead: int, cards: int = 30):
    """An interview at noon, in the person's zone, ``days_ahead`` calendar days from
    today there: the days left do not depend on the hour the test runs."""
    zone = ZoneInfo(Profile.objects.get(user=user).timezone)
    day = timezone.now().astimezone(zone).date() + timedelta(days=days_ahead)
    noon = datetime.combine(day, time(12), tzinfo=zone)
    interview, topic = interview_in(user, days=0, cards=cards)
    interview.scheduled_at = noon
    interview.save(update_fields=["scheduled_at"])
    return interview, topic


def plan_on(client, url: str) -> str:
    page = client.get(url).content.decode()
    start = page.index('data-testid="plan"')
    return " ".join(page[start : page.index("</div>", start)].split())


def test_the_plan_spreads_new_cards_over_the_days_before_their_reviews(client_in, user):
    interview, _topic = interview_on_day(user, days_ahead=10)
    plan = plan_on(client_in, interview.get_absolute_url())
    # 30 new cards started in the 3 days that leave each a week of reviews.
    assert "starting 10 new cards a day" in plan
    assert "in the 10 days left" in plan
    assert "plan-warning" not in plan
    assert "Your plan to the day" in client_in.get(interview.get_absolute_url()).content.decode()


def test_a_new_card_limit_too_low_is_warned_with_the_limit_that_works(client_in, user):
    Profile.objects.filter(user=user).update(new_cards_per_day=2)
    interview, _topic = interview_on_day(user, days_ahead=10)
    plan = plan_on(client_in, interview.get_absolute_url())
    assert (
        "At your limit of 2 new cards a day you would start 6 of the 30 new cards in time. "
        "Raise the limit to 10 in Settings, or cram the rest."
    ) in plan
    # The dashboard says the same.
    assert "Raise the limit to 10 in Settings" in plan_on(client_in, reverse("cards:progress"))


def test_a_plan_beyond_twice_the_recent_pace_is_warned(client_in, user):
    interview, topic = interview_in(user, days=3, hours=1, cards=40)
    today = timezone.localdate()
    # One review a day over the last two weeks.
    for back in range(1, 15):
        ReviewDay.objects.create(
            user=user, topic=topic, day=today - timedelta(days=back), reviews=1
        )
    plan = plan_on(client_in, interview.get_absolute_url())
    assert "more than twice the 1 a day you have done over the last 14 days" in plan


def test_without_any_reviews_no_pace_is_guessed(client_in, user):
    interview, _topic = interview_in(user, days=3, hours=1, cards=3)
    assert "more than twice" not in plan_on(client_in, interview.get_absolute_url())


def test_an_interview_later_today_has_no_days_left_to_plan(client_in, user):
    # A zone where it is not yet 21:00, so the interview fits in the same day there.
    zone = next(
        name
        for name in ("UTC", "Pacific/Kiritimati", "Etc/GMT+12")
        if timezone.now().astimezone(ZoneInfo(name)).hour < 21
    )
    Profile.objects.filter(user=user).update(timezone=zone)
    interview, _topic = interview_in(user, days=0, hours=2)
    plan = plan_on(client_in, interview.get_absolute_url())
    assert "The interview is today: there are no days left to plan." in plan
    assert "a day</strong>" not in plan
