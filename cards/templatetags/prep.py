from datetime import timedelta

from django import template

from cards.scheduling import format_interval

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """3 h 05 min, 4 min 12 s, 9 s."""
    if not value:
        return "0 s"
    seconds = int(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds} s"
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
