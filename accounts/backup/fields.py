"""The keys of a backup's rows: how each is read from the database, written to the
file, and checked when a restore reads it back.

A section (sections.Section) lists its keys once, as these fields, in the order
the file has them. A field either sets the model attribute of its name on the
restored row (``on_model``) or hands its checked value to the section's writer
(a reference, the topics of a row, child rows…) in ``Checked.values``.
"""

import functools
import math
import zoneinfo
from collections.abc import Iterable
from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError
from django.db import models

from prep_site import dates

from .file import BackupRejected

STARTER = "starter:"
# What an export gives for a row that is left out of the backup (a card whose
# topic is someone else's, a review of a prompt the card no longer asks…).
LEFT_OUT = object()


def when_text(value: datetime | None) -> str | None:
    """In UTC with microseconds, as "2026-01-02T03:04:05.006789Z". Formatted by
    hand: strftime takes longer, and a backup can hold millions of these."""
    if value is None:
        return None
    v = value.astimezone(UTC)
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d}T"
        f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}Z"
    )


# Checking values ---------------------------------------------------------------------------


def kind_of(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def problem(where: str, message: str) -> BackupRejected:
    return BackupRejected(f"{where}: {message}")


def check_text(value: str, where: str) -> str:
    if "\x00" in value:
        raise problem(where, "contains a null character, which cannot be stored")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise problem(where, "contains an unpaired surrogate, which is not text") from None
    return value


def out_of_range(where: str, value: str) -> BackupRejected:
    return problem(where, f"“{value}” is not in the years prep can show ({dates.RANGE_TEXT})")


def parse_when(value: str, where: str) -> datetime:
    if len(value) > 40:
        raise problem(where, "is not a date and time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise problem(where, f"“{value}” is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise problem(where, f"“{value}” has no time zone (write it in UTC, ending in Z)")
    if not dates.in_range(moment):
        raise out_of_range(where, value)
    return moment.astimezone(UTC)


@functools.cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class Row:
    """One object of the document, read field by field. Every field is required
    and no other is allowed, so a misspelt or missing one is reported, not lost."""

    def __init__(self, value, where: str, fields: Iterable[str]):
        fields = tuple(fields)
        if not isinstance(value, dict):
            raise problem(where, f"must be an object {{…}}, not {kind_of(value)}")
        for name in value:
            if name not in fields:
                raise problem(f"{where}.{name}", "is not a field of this part of a backup")
        for name in fields:
            if name not in value:
                raise problem(f"{where}.{name}", "missing")
        self.value, self.where = value, where

    def place(self, name: str) -> str:
        return f"{self.where}.{name}"

    def _get(self, name: str, check, expected: str, null: bool):
        value = self.value[name]
        if value is None and null:
            return None
        if not check(value):
            raise problem(self.place(name), f"must be {expected}, not {kind_of(value)}")
        return value

    def text(self, name: str, *, null: bool = False) -> str | None:
        value = self._get(name, lambda v: isinstance(v, str), "a text", null)
        return value if value is None else check_text(value, self.place(name))

    def integer(self, name: str, *, null: bool = False) -> int | None:
        return self._get(
            name,
            lambda v: isinstance(v, int) and not isinstance(v, bool),
            "a whole number",
            null,
        )

    def number(self, name: str, *, null: bool = False) -> float | None:
        value = self._get(
            name,
            lambda v: isinstance(v, int | float) and not isinstance(v, bool),
            "a number",
            null,
        )
        if value is None:
            return None
        try:
            value = float(value)
        except OverflowError:
            raise problem(self.place(name), "is too large") from None
        if not math.isfinite(value):
            raise problem(self.place(name), "must be a finite number")
        return value

    def boolean(self, name: str, *, null: bool = False) -> bool | None:
        return self._get(name, lambda v: isinstance(v, bool), "true or false", null)

    def when(self, name: str, *, null: bool = False) -> datetime | None:
        value = self._get(name, lambda v: isinstance(v, str), "a date and time", null)
        return value if value is None else parse_when(value, self.place(name))

    def array(self, name: str) -> list:
        return self._get(name, lambda v: isinstance(v, list), "a list […]", False)


def validate_model(instance: models.Model, where: str, *, exclude: Iterable[str] = ()) -> None:
    """The model's own field rules (lengths, choices, ranges), with the error
    naming the row. Keys are resolved separately and constraints are the
    database's, so both are left out here."""
    exclude = set(exclude)
    for model_field in instance._meta.concrete_fields:
        if model_field.is_relation:
            exclude.add(model_field.name)
        # TextField.max_length is only a widget hint to Django; a restore holds to it.
        elif isinstance(model_field, models.TextField) and model_field.max_length:
            value = getattr(instance, model_field.attname)
            if isinstance(value, str) and len(value) > model_field.max_length:
                raise problem(
                    f"{where}.{model_field.name}",
                    f"is {len(value):,} characters long; the limit is {model_field.max_length:,}",
                )
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise problem(f"{where}.{name}", " ".join(messages)) from None


# Fields --------------------------------------------------------------------------------------


class Field:
    """One key of a row. ``column`` is what the export reads of the database row
    (a ``values_list`` name); ``dump`` turns it into the file's value, ``load``
    checks the file's value and returns what the restore keeps."""

    on_model = True  # ``load``'s value is the model attribute ``name``
    validated = True  # the model's full_clean checks it (JSON fields are checked here)
    stored = True  # a column of the model that the backup keeps

    def __init__(self, name: str, *, null: bool = False):
        self.name, self.null = name, null

    @property
    def column(self) -> str:
        return self.name

    def prepare(self, export, rows: models.QuerySet) -> None:
        """Read ahead what ``dump`` looks up (before the section's rows are read)."""

    def dump(self, export, value):
        return value

    def load(self, row: Row, restore):
        raise NotImplementedError

    def model_fields(self) -> tuple[str, ...]:
        """The model's fields this key stands for (see tests: every field is declared)."""
        return (self.name,) if self.stored else ()


class Text(Field):
    def load(self, row, restore):
        return row.text(self.name, null=self.null)


class Integer(Field):
    def load(self, row, restore):
        return row.integer(self.name, null=self.null)


class Number(Field):
    def __init__(self, name: str, *, null: bool = False, between: tuple[int, int] | None = None):
        super().__init__(name, null=null)
        self.between = between

    def load(self, row, restore):
        value = row.number(self.name, null=self.null)
        if value is not None and self.between is not None:
            low, high = self.between
            if not low <= value <= high:
                raise problem(row.place(self.name), f"must be between {low} and {high}")
        return value


class Boolean(Field):
    def load(self, row, restore):
        return row.boolean(self.name, null=self.null)


class When(Field):
    """A date and time, written in UTC."""

    def dump(self, export, value):
        return when_text(value)

    def load(self, row, restore):
        return row.when(self.name, null=self.null)


class Day(Field):
    """A date, as 2026-11-25."""

    def dump(self, export, value):
        return value.isoformat()

    def load(self, row, restore):
        value = row.text(self.name)
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise problem(row.place(self.name), "must be a date such as 2026-11-25") from None
        if not dates.in_range(day):
            raise out_of_range(row.place(self.name), value)
        return day


class TimeZone(Text):
    def load(self, row, restore):
        value = super().load(row, restore)
        if value not in time_zones():
            raise problem(row.place(self.name), f"“{value}” is not a time zone")
        return value


class TextList(Field):
    """A list of texts (a JSON field), from ``choices`` if given."""

    validated = False

    def __init__(self, name: str, *, choices: Iterable[str] | None = None):
        super().__init__(name)
        self.choices = None if choices is None else tuple(choices)

    def dump(self, export, value):
        return list(value)

    def load(self, row, restore):
        values = []
        for n, value in enumerate(row.array(self.name)):
            place = f"{row.place(self.name)}[{n}]"
            if not isinstance(value, str):
                raise problem(place, f"must be a text, not {kind_of(value)}")
            if self.choices is not None and value not in self.choices:
                raise problem(place, f"“{value}” is not one of {', '.join(self.choices)}")
            values.append(check_text(value, place))
        return values


class TextLists(Field):
    """A list of lists of texts (a JSON field), such as the synonyms of each key point."""

    validated = False

    def dump(self, export, value):
        return [list(each) for each in value]

    def load(self, row, restore):
        values = []
        for n, each in enumerate(row.array(self.name)):
            place = f"{row.place(self.name)}[{n}]"
            if not isinstance(each, list):
                raise problem(place, f"must be a list […], not {kind_of(each)}")
            for k, value in enumerate(each):
                if not isinstance(value, str):
                    raise problem(f"{place}[{k}]", f"must be a text, not {kind_of(value)}")
                check_text(value, f"{place}[{k}]")
            values.append(list(each))
        return values


class IndexList(Field):
    """A list of small whole numbers (a JSON field): indexes into another list;
    with ``null``, null too (nothing recorded)."""

    validated = False

    def __init__(self, name: str, *, largest: int, what: str, null: bool = False):
        super().__init__(name, null=null)
        self.largest, self.what = largest, what

    def dump(self, export, value):
        return None if value is None else list(value)

    def load(self, row, restore):
        if self.null and row.value[self.name] is None:
            return None
        values = row.array(self.name)
        for k, index in enumerate(values):
            if not isinstance(index, int) or isinstance(index, bool):
                raise problem(f"{row.place(self.name)}[{k}]", f"must be {self.what}")
            if not 0 <= index <= self.largest:
                raise problem(f"{row.place(self.name)}[{k}]", f"must be {self.what}")
        return values


class DayList(Field):
    """A list of dates (a JSON field of "2026-11-25" texts), at most ``longest``."""

    validated = False

    def __init__(self, name: str, *, longest: int):
        super().__init__(name)
        self.longest = longest

    def dump(self, export, value):
        return list(value)

    def load(self, row, restore):
        values = row.array(self.name)
        if len(values) > self.longest:
            raise problem(row.place(self.name), f"has {len(values)} dates; at most {self.longest}")
        for k, value in enumerate(values):
            place = f"{row.place(self.name)}[{k}]"
            try:
                day = date.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                day = None
            if day is None:
                raise problem(place, "must be a date such as 2026-11-25")
            if not dates.in_range(day):
                raise out_of_range(place, value)
        return sorted(set(values))


class Id(Field):
    """The row's id inside the file ("t1", "c17"): what other rows point at it by.
    Given to the rows the section exports, in their order, with ``prefix``."""

    on_model = False

    def __init__(self, prefix: str):
        super().__init__("id")
        self.prefix = prefix

    @property
    def column(self) -> str:
        return "pk"

    def model_fields(self) -> tuple[str, ...]:
        return (self.section.model._meta.pk.name,)  # the file id stands for it

    def dump(self, export, value):
        return export.own_ids[self.section.name][value]

    def load(self, row, restore):
        value = row.text("id")
        if not value or len(value) > 40 or value.startswith(STARTER):
            raise problem(row.place("id"), "must be a short id such as “c12”")
        seen = restore.file_ids[self.section.name]
        if value in seen:
            raise problem(row.place("id"), f"“{value}” is used twice")
        seen[value] = True
        return value


class Ref(Field):
    """A reference to a row of the section ``to``, by its file id, or, when that
    section has starter rows, "starter:<key>". A row whose reference the export
    cannot give (it points at someone else's row) is left out, unless ``null``."""

    on_model = False

    def __init__(self, name: str, to: str, *, null: bool = False):
        super().__init__(name, null=null)
        self.to = to

    @property
    def column(self) -> str:
        return f"{self.name}_id"

    def dump(self, export, value):
        ref = export.ref(self.to, value)
        return LEFT_OUT if ref is None and not self.null else ref

    def load(self, row, restore):
        value = row.value[self.name]
        if value is None and self.null:
            return None
        target = restore.sections[self.to]
        if not isinstance(value, str):
            raise problem(row.place(self.name), f"must be {target.ref_kind}, not {kind_of(value)}")
        target.check_ref(restore, value, row.place(self.name))
        return value


class TopicList(Field):
    """The topics a row is about (a many-to-many field), as a sorted list of refs."""

    on_model = False

    def __init__(self, name: str = "topics", *, to: str = "topics"):
        super().__init__(name)
        self.to = to

    @property
    def column(self) -> str:
        return "pk"

    def prepare(self, export, rows):
        many = rows.model._meta.get_field(self.name)
        source, target = f"{many.m2m_field_name()}_id", f"{many.m2m_reverse_field_name()}_id"
        pairs = many.remote_field.through.objects.filter(**{f"{source}__in": rows.values("pk")})
        lists = {}
        for owner_pk, topic_pk in pairs.values_list(source, target):
            lists.setdefault(owner_pk, []).append(topic_pk)
        export.keep(self, lists)

    def dump(self, export, value):
        refs = (export.ref(self.to, pk) for pk in export.kept(self).get(value, ()))
        return sorted(ref for ref in refs if ref)

    def load(self, row, restore):
        section = restore.sections[self.to]
        refs = []
        for n, value in enumerate(row.array(self.name)):
            place = f"{row.place(self.name)}[{n}]"
            if not isinstance(value, str):
                raise problem(place, f"must be {section.ref_kind}, not {kind_of(value)}")
            section.check_ref(restore, value, place)
            refs.append(value)
        if len(set(refs)) != len(refs):
            raise problem(row.place(self.name), f"names {section.one} twice")
        return refs
