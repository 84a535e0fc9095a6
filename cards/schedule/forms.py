from django import forms

from ..models import SchedulerSettings
from ..models.scheduler import MAX_RETENTION, MIN_RETENTION

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

    class Meta:
        model = SchedulerSettings
        fields = ["desired_retention", "light_weekdays"]
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
