from django import forms

from interviews.models import Interview
from prep_site.when import format_date

from .services import TRACKS

MOST_DAYS_AHEAD = 2 * 366


class WelcomeForm(forms.Form):
    track = forms.ChoiceField(
        label="What are you preparing for?",
        choices=[(key, track.label) for key, track in TRACKS.items()],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "required": "Choose what you are preparing for: backend, data and ML, or general.",
            "invalid_choice": "Choose backend, data and ML, or general.",
        },
    )
    interview_date = forms.DateField(
        label="Date of your next interview",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Optional. Your plan counts the days to it.",
        error_messages={"invalid": "Enter a date such as 2026-12-01, or leave it empty."},
    )
    company = forms.CharField(
        label="Company",
        required=False,
        max_length=Interview._meta.get_field("company").max_length,
        help_text="Optional.",
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["interview_date"].widget.attrs["min"] = today.isoformat()
        for name in ("interview_date", "company"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def full_clean(self):
        super().full_clean()
        for name in ("interview_date", "company"):
            if name in self.errors:
                self.fields[name].widget.attrs["class"] = "form-control is-invalid"

    def clean_interview_date(self):
        day = self.cleaned_data["interview_date"]
        if day is None:
            return None
        if day < self.today:
            raise forms.ValidationError(
                f"{format_date(day)} has passed: choose today or a later day, or leave it empty."
            )
        if (day - self.today).days > MOST_DAYS_AHEAD:
            raise forms.ValidationError(
                f"{format_date(day)} is more than two years away: choose a nearer day, "
                "or leave it empty and add the interview later."
            )
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("company") and not cleaned.get("interview_date"):
            self.add_error(
                "interview_date", "Give the date of the interview, or leave the company empty."
            )
        return cleaned
