from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import URLValidator
from django.forms.fields import BaseTemporalField
from django.utils import timezone

from cards.models import Topic
from prep_site import dates
from prep_site.numbers import IdsChoiceField, WholeNumberField
from prep_site.when import format_datetime, format_time
from prep_site.zones import zone_choices

from .models import Interview

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class WallTimeField(forms.DateTimeField):
    """A date and time as a clock shows it, in no zone yet: the form reads it in
    the zone chosen beside it, not in the person's own (where it may not exist)."""

    def to_python(self, value):
        if isinstance(value, datetime):
            return timezone.make_naive(value) if timezone.is_aware(value) else value
        if value in self.empty_values:
            return None
        return BaseTemporalField.to_python(self, value)


def exists_in(naive: datetime, zone: ZoneInfo) -> bool:
    """Whether the clocks of ``zone`` show this time (they skip some as they go forward)."""
    moment = naive.replace(tzinfo=zone)
    return moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


def missing_wall_time(naive: datetime, zone: ZoneInfo) -> str | None:
    """Why a wall-clock time does not exist in ``zone``, or None if it does."""
    if exists_in(naive, zone):
        return None
    skipped = (
        naive.replace(tzinfo=zone, fold=1).utcoffset() - naive.replace(tzinfo=zone).utcoffset()
    )
    minute = timedelta(minutes=1)
    start = naive.replace(second=0, microsecond=0)
    while not exists_in(start - minute, zone):
        start -= minute
    end = start + skipped
    shown = format_time if skipped < timedelta(hours=12) else format_datetime
    return (
        f"{format_datetime(naive)} does not exist in {zone.key}: the "
        f"clocks go forward from {shown(start)} to {shown(end)} then. "
        f"Choose a time before {shown(start)} or from {shown(end)}."
    )


class InterviewForm(forms.ModelForm):
    scheduled_at = WallTimeField(
        label="Date and time",
        input_formats=[
            DATETIME_INPUT,
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M:%S",
        ],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
        error_messages={"invalid": "Enter a date and time, e.g. 2026-12-01 14:30."},
    )
    timezone = forms.ChoiceField(
        label="Time zone",
        error_messages={"invalid_choice": "Choose a time zone from the list, e.g. Europe/Paris."},
    )

    class Meta:
        model = Interview
        fields = [
            "company",
            "role",
            "scheduled_at",
            "timezone",
            "duration_minutes",
            "stage",
            "status",
            "links",
            "notes",
            "topics",
        ]
        field_classes = {"duration_minutes": WholeNumberField, "topics": IdsChoiceField}
        widgets = {
            "links": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 5}),
            "topics": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["topics"].queryset = Topic.objects.visible_to(user)
        self.helper = FormHelper()
        self.helper.form_tag = False
        # A new interview starts in the person's own zone; a zone stored before
        # (even one no longer offered) stays choosable.
        zone_name = self.instance.timezone if self.instance.pk else None
        if zone_name is None:
            # (The model's default, UTC, is in self.initial already: replace it.)
            zone_name = timezone.get_current_timezone_name()
            self.initial["timezone"] = zone_name
        self.fields["timezone"].choices = zone_choices(keep=zone_name)
        if self.instance.pk:
            # Show the time as it is where the interview happens.
            local = self.instance.scheduled_at.astimezone(ZoneInfo(self.instance.timezone))
            self.initial["scheduled_at"] = local.replace(tzinfo=None)

    def clean_links(self):
        links = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        check = URLValidator(schemes=["http", "https"])
        for number, link in enumerate(links, start=1):
            try:
                check(link)
            except forms.ValidationError:
                raise forms.ValidationError(
                    f"Link {number} (“{link[:60]}”) is not a web address starting with "
                    "http:// or https://."
                ) from None
        return "\n".join(links)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            try:
                Interview.objects.check_room(self.user)
            except forms.ValidationError as error:
                self.add_error(None, error)
        naive, zone_name = cleaned.get("scheduled_at"), cleaned.get("timezone")
        if naive and zone_name:
            self._place_in_zone(cleaned, naive, ZoneInfo(zone_name))
        return cleaned

    def _place_in_zone(self, cleaned, naive: datetime, zone: ZoneInfo) -> None:
        """The wall-clock time in the interview's zone, whatever the person's own
        zone. A time the clocks skip there is refused; a time they show twice (as
        they go back) is the first, unless the interview already is the second."""
        moment = cleaned["scheduled_at"] = naive.replace(tzinfo=zone)
        if not dates.in_range(moment):  # (first: the years past it overflow in UTC)
            self.add_error("scheduled_at", f"Choose a date in the years {dates.RANGE_TEXT}.")
            return
        if problem := missing_wall_time(naive, zone):
            self.add_error("scheduled_at", problem)
            return
        stored = self.instance.scheduled_at if self.instance.pk else None
        if stored is not None and stored.astimezone(zone).replace(tzinfo=None) == naive:
            moment = stored
        cleaned["scheduled_at"] = moment.astimezone(UTC)


class CramForm(forms.Form):
    MOVE, LEAVE = "move", "leave"
    schedule = forms.ChoiceField(
        label="Your study schedule",
        choices=[
            (MOVE, "Move due dates: each answer counts as a review"),
            (LEAVE, "Leave my schedule alone: answers are practice only"),
        ],
        initial=LEAVE,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "required": "Choose whether the cram moves your due dates or leaves them alone.",
            "invalid_choice": "Choose whether the cram moves your due dates or leaves them alone.",
        },
    )

    @property
    def move_due_dates(self) -> bool:
        return self.cleaned_data["schedule"] == self.MOVE
