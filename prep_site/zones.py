"""Time zones: the ones a person can choose, and one way to write a moment.

Every page, file and export that shows an interview's time writes it with
describe_moment: the moment in the zone it is shown in, labelled with that
zone, and, when the interview's own zone is another, the time there too."""

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings

from prep_site.when import format_datetime, format_time

# Zones most people pick, offered first.
COMMON_ZONES = [
    "UTC",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Africa/Lagos",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
]

# Names in the zone database that are no place a person lives: links kept for
# old systems, files of the database itself, and fixed offsets whose sign reads
# backwards (Etc/GMT+5 is five hours behind).
_ODD_PREFIXES = ("Etc/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")
_ODD_NAMES = {
    "Factory",
    "localtime",
    "posixrules",
    "posix",
    "right",
    "leapseconds",
    "CET",
    "CST6CDT",
    "EET",
    "EST",
    "EST5EDT",
    "GMT",
    "GMT+0",
    "GMT-0",
    "GMT0",
    "Greenwich",
    "HST",
    "MET",
    "MST",
    "MST7MDT",
    "PST8PDT",
    "UCT",
    "Universal",
    "WET",
    "Zulu",
}


@cache
def real_zone_names() -> tuple[str, ...]:
    """The IANA zones named after a place (Area/City), and UTC, sorted."""
    names = {
        name
        for name in available_timezones()
        if "/" in name
        and not name.startswith(_ODD_PREFIXES)
        and not name.startswith(("posix/", "right/"))
    }
    names -= _ODD_NAMES
    names.add("UTC")
    return tuple(sorted(names))


def _label(name: str) -> str:
    return name.replace("_", " ")


def zone_choices(keep: str | None = None) -> list:
    """Grouped choices for a zone field: the common zones, then every zone.
    ``keep`` (a zone already stored, though odd) stays choosable."""
    names = list(real_zone_names())
    if keep and keep not in names:
        names = sorted([*names, keep])
    common = [name for name in COMMON_ZONES if name in names]
    return [
        ("Common", [(name, _label(name)) for name in common]),
        ("All zones", [(name, _label(name)) for name in names]),
    ]


def zone_named(name: str) -> ZoneInfo:
    """The zone of that name, or the site's own when the name is unknown."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _zone_name(zone) -> str:
    return getattr(zone, "key", None) or str(zone)


def describe_moment(moment: datetime, *, shown_in, own_zone: str) -> str:
    """“Tue 8 Dec 2026, 10:00 (Europe/Paris) · 04:00 in America/New_York”: the
    moment in ``shown_in`` with that zone's name, then, when ``own_zone`` is
    another zone, the time there (with its date when the day differs)."""
    shown_name = _zone_name(shown_in)
    here = moment.astimezone(shown_in)
    text = f"{format_datetime(here, shown_in)} ({shown_name})"
    if own_zone and own_zone != shown_name:
        zone = zone_named(own_zone)
        there = moment.astimezone(zone)
        same_day = there.date() == here.date()
        when = format_time(there, zone) if same_day else format_datetime(there, zone)
        text += f" · {when} in {own_zone}"
    return text
