import zoneinfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.models import User
from django.core.validators import MaxLengthValidator

from prep_site.numbers import WholeNumberField

from .models import NewCardOrder, NewCardSource, NewCardSpread, Profile


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label="E-mail", required=False, help_text="Optional: only used to reset your password."
    )

    # Filled in by the browser (static/js/timezone.js); UTC when it is not.
    timezone = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]

    def __init__(self, *args, autofocus: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not autofocus:  # on the landing page, below what it says of prep
            self.fields["username"].widget.attrs.pop("autofocus", None)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template writes the <form>
        # The labels are short: none breaks, at the hyphen of "E-mail" or anywhere.
        self.helper.label_class = "text-nowrap"
        self.helper.add_input(Submit("signup", "Create account"))

    def clean_timezone(self) -> str:
        name = self.cleaned_data.get("timezone", "")
        return name if name in zoneinfo.available_timezones() else "UTC"


class LoginForm(AuthenticationForm):
    """Django's login form, with the username's length checked before the login is
    tried: Django only sets the box's maxlength, and a refused login is written down
    (django-axes) in a column that holds 255 characters."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


ORDER_LABELS = {
    "new_card_spread": "New cards across topics",
    "new_card_source": "Your cards and the starter library",
    "new_card_order": "Order of new cards",
}


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = [
            "new_cards_per_day",
            "new_card_spread",
            "new_card_source",
            "new_card_order",
            "timezone",
            "daily_email",
            "daily_email_hour",
            "followup_cards_auto",
        ]
        field_classes = {"new_cards_per_day": WholeNumberField}
        widgets = {
            "new_card_spread": forms.RadioSelect,
            "new_card_source": forms.RadioSelect,
            "new_card_order": forms.RadioSelect,
        }
        labels = ORDER_LABELS
        error_messages = {
            name: {
                "invalid_choice": f"{ORDER_LABELS[name]} is one of "
                + " or ".join(f"“{label}”" for label in choices.labels)
                + "; “%(value)s” is none of them."
            }
            for name, choices in (
                ("new_card_spread", NewCardSpread),
                ("new_card_source", NewCardSource),
                ("new_card_order", NewCardOrder),
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form sent without one of the order settings keeps what is set.
        for name in [*ORDER_LABELS, "daily_email_hour"]:
            self.fields[name].required = False
        self.fields["daily_email_hour"].error_messages["invalid_choice"] = (
            "The hour to send it is a whole hour from 0 to 23; “%(value)s” is not one."
        )
        if not self._has_email():
            self.fields[
                "daily_email"
            ].help_text = "Your account has no e-mail address, so there is nowhere to send it."
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template writes the <form>
        self.helper.add_input(Submit("save", "Save settings"))

    def _has_email(self) -> bool:
        user = getattr(self.instance, "user", None)  # a form without a profile has none
        return bool(user and user.email)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("daily_email") and not self._has_email():
            self.add_error(
                "daily_email",
                "The daily e-mail needs an e-mail address on your account, and it has none.",
            )
        for name in ORDER_LABELS:
            if not cleaned.get(name) and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        if cleaned.get("daily_email_hour") in (None, "") and "daily_email_hour" not in self.errors:
            cleaned["daily_email_hour"] = self.instance.daily_email_hour
        return cleaned
