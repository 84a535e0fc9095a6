from datetime import datetime, timedelta

from django import template
from django.utils import timezone

from cards.scheduling import format_interval
from prep_site import words
from prep_site.zones import describe_moment

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """3 h 05 min, 4 min 12 s, 9 s; a whole hour or minute without its zero:
    "2 h", "5 min"."""
    if not value:
        return "0 s"
    seconds = int(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    return f"{seconds} s"


@register.filter
def percent(value: float | None) -> str:
    return f"{round((value or 0) * 100)}%"


@register.filter
def percent_value(value: float | None) -> int:
    return round((value or 0) * 100)


@register.filter
def bucket(value: int) -> int:
    """A percentage rounded to a multiple of 5, for the width classes in prep.css
    (no inline styles: the Content-Security-Policy forbids them)."""
    return max(0, min(100, 5 * round(value / 5)))


@register.filter
def interval(value: timedelta) -> str:
    """The gap until a card is due again, as on the grade buttons."""
    return format_interval(value)


@register.filter
def seconds(milliseconds: int) -> str:
    return f"{(milliseconds or 0) / 1000:.1f} s"


@register.filter
def moment(value: datetime | None, own_zone: str = "") -> str:
    """An interview's time as every page writes it: in the reader's zone, named,
    and the time in the interview's own zone beside it when that is another."""
    if value is None:
        return ""
    return describe_moment(value, shown_in=timezone.get_current_timezone(), own_zone=own_zone)


@register.filter
def change(value: int, noun: str) -> str:
    """ "+25 points", "-1 point": a signed change, its noun agreeing with its size."""
    return words.change(value, noun)
