from crispy_forms.helper import FormHelper
from django import forms


class DeleteAccountForm(forms.Form):
    """The password again, and a tick that says the person means it."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="I understand that my account and everything in it will be deleted for good.",
        error_messages={"required": "Tick the box to say you want your account deleted."},
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template writes the <form>

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                "That is not your password. Nothing was deleted.", code="password_incorrect"
            )
        return password
