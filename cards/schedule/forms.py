from django import forms

from ..models import SchedulerSettings
from ..models.scheduler import MAX_RETENTION, MIN_RETENTION


class RetentionForm(forms.ModelForm):
    class Meta:
        model = SchedulerSettings
        fields = ["desired_retention"]
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
