"""Workflows of an interview itself: its calendar file and its time zone."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.utils import timezone

from .models import Interview, Status


def interview_calendar(interview: Interview, *, host: str) -> bytes:
    """An iCalendar file with the interview as one event."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//prep//interviews//EN")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", f"interview-{interview.pk}@{host}")
    event.add("summary", f"Interview: {interview.company}, {interview.role}")
    start = interview.scheduled_at
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=interview.duration_minutes))
    event.add("dtstamp", timezone.now())
    description = [f"Stage: {interview.get_stage_display()}"]
    description += interview.link_list()
    if interview.notes:
        description += ["", interview.notes]
    event.add("description", "\n".join(description))
    links = interview.link_list()
    if links:
        event.add("url", links[0])
    calendar.add_component(event)
    return calendar.to_ical()


def interview_days(sender, *, user_id: int, zone: ZoneInfo, now, **kwargs) -> set:
    """cards.balancing.light_days's receiver: the days, in the person's zone, of
    their upcoming interviews."""
    upcoming = Interview.objects.filter(
        user_id=user_id, status=Status.UPCOMING, scheduled_at__gte=now
    ).values_list("scheduled_at", flat=True)
    return {moment.astimezone(zone).date() for moment in upcoming}
