"""One way to write a date and a time, on every page, message and e-mail.

A moment is shown in the reader's time zone (the one UserTimezoneMiddleware
activates, or a zone named by the caller):
- a date: "Tue 1 Dec 2026"
- a time: "14:39" ("14:39:05" for when a draft was saved)
- both: "Tue 1 Dec 2026, 14:39"
- on a chart's axis, where the year is plain: "3 Dec", "Dec"
- relative, where the distance matters more than the date (due dates, interview
  dates, last studied): "in 5 minutes", "2 hours ago", "tomorrow",
  "yesterday", "in 3 days", "2 weeks ago". Within the hour it counts minutes;
  past that, days on the reader's calendar: from 22:00, 01:00 is "tomorrow",
  not "in 3 hours".
The templates use them through the filters in cards/templatetags/when.py."""

from datetime import UTC, date, datetime, tzinfo

from django.utils import timezone

from prep_site import words

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _zone(zone: tzinfo | str | None) -> tzinfo:
    if zone is None or zone == "":
        return timezone.get_current_timezone()
    if isinstance(zone, str):
        from prep_site.zones import zone_named  # zones writes its moments with this module

        return zone_named(zone)
    return zone


def local(value: datetime, zone: tzinfo | str | None = None) -> datetime:
    """The moment in the reader's zone (or ``zone``). A naive one is a wall-clock
    time already (as typed in a form), and is shown as it is."""
    if timezone.is_naive(value):
        return value
    return value.astimezone(_zone(zone))


def _day(value: date | datetime, zone) -> date:
    return local(value, zone).date() if isinstance(value, datetime) else value


def format_date(value: date | datetime | None, zone: tzinfo | str | None = None) -> str:
    """ "Tue 1 Dec 2026"; a moment is first put in the reader's zone."""
    if value is None:
        return ""
    day = _day(value, zone)
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def format_short_date(value: date) -> str:
    """ "3 Dec": a day on a chart's axis, where the year and weekday are plain."""
    return f"{value.day} {MONTH_NAMES[value.month - 1]}"


def format_month(value: date) -> str:
    """ "Dec": a month on a chart's axis."""
    return MONTH_NAMES[value.month - 1]


def format_time(
    value: datetime | None, zone: tzinfo | str | None = None, *, seconds: bool = False
) -> str:
    """ "14:39", in the reader's zone; "14:39:05" with ``seconds``, for the time
    a draft was saved, so a second save within the minute shows."""
    if value is None:
        return ""
    moment = local(value, zone)
    text = f"{moment.hour:02d}:{moment.minute:02d}"
    return f"{text}:{moment.second:02d}" if seconds else text


def format_datetime(value: datetime | None, zone: tzinfo | str | None = None) -> str:
    """ "Tue 1 Dec 2026, 14:39", in the reader's zone."""
    if value is None:
        return ""
    moment = local(value, zone)
    return f"{format_date(moment, moment.tzinfo)}, {format_time(moment, moment.tzinfo)}"


def _ago_or_in(number: int, unit: str, future: bool) -> str:
    text = words.count(number, unit)
    return f"in {text}" if future else f"{text} ago"


def _days_apart(days: int) -> str:
    future, days = days > 0, abs(days)
    if days == 1:
        return "tomorrow" if future else "yesterday"
    if days < 14:
        return _ago_or_in(days, "day", future)
    if days < 60:
        return _ago_or_in(days // 7, "week", future)
    if days < 365:
        return _ago_or_in(days // 30, "month", future)
    return _ago_or_in(days // 365, "year", future)


def format_relative(
    value: date | datetime | None,
    zone: tzinfo | str | None = None,
    *,
    now: datetime | None = None,
) -> str:
    """How far the moment (or day) is from now, on the reader's calendar:
    "just now", "in 5 minutes", "2 hours ago", "today", "tomorrow",
    "yesterday", "in 3 days", "2 weeks ago", "in 4 months", "a year ago"."""
    if value is None:
        return ""
    now = local(now or timezone.now(), zone)
    if not isinstance(value, datetime):
        days = (value - now.date()).days
        return "today" if days == 0 else _days_apart(days)
    moment = local(value, zone)
    # In UTC: Python subtracts two times of one zone on the clock's face, an
    # hour off across a change of the clocks.
    seconds = (moment.astimezone(UTC) - now.astimezone(UTC)).total_seconds()
    future = seconds > 0
    minutes = int(abs(seconds) // 60)
    if minutes < 1:
        return "just now" if not future else "in less than a minute"
    if minutes < 60:
        return _ago_or_in(minutes, "minute", future)
    days = (moment.date() - now.date()).days
    if days == 0:
        return _ago_or_in(minutes // 60, "hour", future)
    return _days_apart(days)


def iso(value: date | datetime | None) -> str:
    """The value for a <time datetime="…"> attribute: ISO 8601, with the offset."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local(value).isoformat(timespec="seconds")
    return value.isoformat()
