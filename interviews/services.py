"""Workflows of an interview itself: its calendar file and its time zone."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar

from .models import Interview, Status


def interview_calendar(interview: Interview) -> bytes:
    """An iCalendar file with the interview as one event. The event keeps its id
    whatever address the file is fetched from and after a restore; each change
    to what it shows raises its SEQUENCE, so a calendar importing the file again
    updates the event instead of adding a second one. With no METHOD, DTSTAMP
    is when the event last changed (RFC 5545, 3.8.7.2), like LAST-MODIFIED: the
    same interview gives the same file."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//prep//interviews//EN")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    changed = interview.ical_changed_at or interview.created_at
    event.add("uid", str(interview.ical_uid))
    event.add("sequence", interview.ical_sequence)
    event.add("dtstamp", changed)
    event.add("created", interview.created_at)
    event.add("last-modified", changed)
    event.add("summary", f"Interview: {interview.company}, {interview.role}")
    start = interview.scheduled_at
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=interview.duration_minutes))
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
