"""What an export of the card browser's selection reads from its form."""

from django import forms

from ..browse.forms import CardIdsField
from ..browse.syntax import MAX_LENGTH

FORMATS = {"csv": "CSV", "anki": "Anki text"}


class SelectionExportForm(forms.Form):
    format = forms.ChoiceField(choices=FORMATS.items())
    ids = CardIdsField(required=False)
    all = forms.BooleanField(required=False)
    q = forms.CharField(required=False, max_length=MAX_LENGTH, strip=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all") and "ids" in cleaned and not cleaned["ids"]:
            self.add_error(None, "Select at least one card first.")
        return cleaned

    def error_text(self) -> str:
        return " ".join(message for errors in self.errors.values() for message in errors)
