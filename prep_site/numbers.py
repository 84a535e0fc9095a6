"""Whole numbers and ids read from what a person sends: a query string, a form
value, a path. One way for the whole project, so that no view reads one by hand.

Python's ``int`` and ``str.isdigit`` take more than a person types: ``"²".isdigit()``
is true but ``int("²")`` fails, ``int("١٢")`` is 12, and ``int("9" * 30)`` is a number
no database column holds (SQLite raises OverflowError past 2**63, PostgreSQL refuses
it past the column's range). Here a number is ASCII digits with an optional minus
sign, within the range of the column it is compared with; anything else is the
default (for a form field, a form error)."""

import re

from django import forms
from django.db import connection, models

WHOLE_NUMBER = re.compile(r"-?[0-9]{1,20}")  # ASCII only; 20 digits is past any column


def column_range(field: models.Field) -> tuple[int, int]:
    """The values the database can hold in ``field``'s column (an id's too)."""
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return (-(2**63) if low is None else low, 2**63 - 1 if high is None else high)


def read_int(value, *, low: int, high: int, default=None):
    """``value`` as a whole number from ``low`` to ``high``; ``default`` otherwise."""
    if not isinstance(value, str) or not WHOLE_NUMBER.fullmatch(value.strip()):
        return default
    number = int(value)
    return number if low <= number <= high else default


def read_id(value, model: type[models.Model], default=None):
    """``value`` as the id of a ``model`` row: a positive number its column can
    hold; ``default`` otherwise (the view shows its 404 or its page without it)."""
    return read_int(value, low=1, high=column_range(model._meta.pk)[1], default=default)


class WholeNumberField(forms.IntegerField):
    """An IntegerField that takes ASCII digits only and never a number past the
    range of a 64-bit column (bounded further by ``max_value`` where given)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = read_int(str(value), low=-(2**63), high=2**63 - 1)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that looks up only ids the column can hold."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if read_id(str(value), self.queryset.model) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that looks up only ids the column can hold:
    Django's own sends any number to the ``IN (...)`` of its query."""

    def _check_values(self, value):
        for pk in value if isinstance(value, (list, tuple)) else [value]:
            if read_id(str(pk), self.queryset.model) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:20]},
                )
        return super()._check_values(value)


class IdConverter:
    """The ``<id:pk>`` of a path: the id of a row, ASCII digits within the range of
    a 64-bit id column (DEFAULT_AUTO_FIELD). Past it, the path matches nothing (a 404)
    instead of reaching a query the database cannot run."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > 2**63 - 1:
            raise ValueError(value)  # Django reads it as "no match"
        return number

    def to_url(self, value) -> str:
        return str(value)
