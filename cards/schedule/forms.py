import re
from datetime import date

from django import forms
from django.utils import timezone

from prep_site import dates

from ..models import SchedulerSettings
from ..models.scheduler import MAX_LIGHT_DATES, MAX_RETENTION, MIN_RETENTION

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class RetentionForm(forms.ModelForm):
    light_weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Light days",
        help_text=(
            "Days you want fewer reviews on. A card whose next interval is three days or "
            "more falls due on the least busy day near it, and a light day counts as three "
            "times as busy as it is."
        ),
    )

    light_dates = forms.CharField(
        required=False,
        max_length=2_000,
        widget=forms.TextInput(attrs={"placeholder": "2026-12-24, 2026-12-31"}),
        label="Light dates",
        help_text=(
            f"Dates, such as 2026-12-24, that count as light in the same way; up to "
            f"{MAX_LIGHT_DATES}, separated by commas or spaces. Dates past are dropped."
        ),
    )

    class Meta:
        model = SchedulerSettings
        fields = ["desired_retention", "light_weekdays", "light_dates", "interview_days_light"]
        labels = {"desired_retention": "Desired retention"}
        help_texts = {
            "desired_retention": (
                f"The chance, from {MIN_RETENTION:.2f} to {MAX_RETENTION:.2f}, that you still "
                "remember a card when it comes due: higher means shorter intervals and more "
                "reviews a day."
            )
        }
        widgets = {
            "desired_retention": forms.NumberInput(
                attrs={"step": "0.01", "min": f"{MIN_RETENTION}", "max": f"{MAX_RETENTION}"}
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["light_dates"] = ", ".join(self.instance.light_dates)

    def clean_light_dates(self) -> list[str]:
        """The dates from today on, each once, in order."""
        today = timezone.localdate()
        days = set()
        for word in re.split(r"[\s,;]+", self.cleaned_data["light_dates"].strip()):
            if not word:
                continue
            try:
                day = date.fromisoformat(word)
            except ValueError:
                raise forms.ValidationError(
                    f"“{word[:20]}” is not a date: write dates as 2026-12-24."
                ) from None
            if not dates.in_range(day):
                raise forms.ValidationError(
                    f"{word} is out of range: dates go from {dates.RANGE_TEXT}."
                )
            if day >= today:
                days.add(day)
        if len(days) > MAX_LIGHT_DATES:
            raise forms.ValidationError(
                f"At most {MAX_LIGHT_DATES} light dates; you gave {len(days)}."
            )
        return [day.isoformat() for day in sorted(days)]


class OptimizeForm(forms.Form):
    """What a run of the optimizer does: the button pressed, and the tick box."""

    action = forms.ChoiceField(
        choices=[("optimize", "Optimize"), ("reschedule", "Reschedule my cards")],
        required=False,
        error_messages={"invalid_choice": "Choose Optimize or Reschedule my cards."},
    )
    then_reschedule = forms.BooleanField(
        required=False,
        label="Then reschedule my cards",
        help_text="Replays your grades with the parameters found, which moves due dates.",
    )

    def run(self) -> dict:
        """optimize_start's fit and reschedule."""
        if self.cleaned_data["action"] == "reschedule":
            return {"fit": False, "reschedule": True}
        return {"fit": True, "reschedule": self.cleaned_data["then_reschedule"]}
