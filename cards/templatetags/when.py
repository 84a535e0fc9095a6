"""Dates and times in templates, written by prep_site/when.py.

Plain text (for e-mails, SVG titles, attributes):
    {{ value|day }}        Tue 1 Dec 2026
    {{ value|clock }}      14:39
    {{ value|day_time }}   Tue 1 Dec 2026, 14:39
    {{ value|relative }}   in 3 days
Each takes a zone name to show the moment there instead of in the reader's zone.

An HTML <time> element, with the ISO value for machines and, when the text is
shorter, the date and time in full as its title: {{ value|when }} (date and
time), {{ value|when:"day" }}, {{ value|when:"clock" }}, {{ value|when:"relative" }},
and {{ value|when:"saved" }} (the time to the second, for a draft's save)."""

from datetime import date, datetime

from django import template
from django.utils.html import format_html

from prep_site import when as w

register = template.Library()

STYLES = {
    "": w.format_datetime,
    "day": w.format_date,
    "clock": w.format_time,
    "saved": lambda value: w.format_time(value, seconds=True),
    "relative": w.format_relative,
}


@register.filter
def day(value: date | datetime | None, zone: str = "") -> str:
    return w.format_date(value, zone)


@register.filter
def clock(value: datetime | None, zone: str = "") -> str:
    return w.format_time(value, zone)


@register.filter
def day_time(value: datetime | None, zone: str = "") -> str:
    return w.format_datetime(value, zone)


@register.filter
def relative(value: date | datetime | None, zone: str = "") -> str:
    return w.format_relative(value, zone)


@register.filter
def when(value: date | datetime | None, style: str = "") -> str:
    """<time datetime="2026-12-01T14:39:00+01:00" title="Tue 1 Dec 2026, 14:39">in 3 days</time>"""
    if value is None:
        return ""
    full = w.format_datetime(value) if isinstance(value, datetime) else w.format_date(value)
    text = STYLES[style](value)
    if text == full:
        return format_html('<time datetime="{}">{}</time>', w.iso(value), text)
    return format_html('<time datetime="{}" title="{}">{}</time>', w.iso(value), full, text)


@register.filter
def iso(value: date | datetime | None) -> str:
    """The ISO 8601 value, for a script or a <time datetime="…"> written by hand."""
    return w.iso(value)
