"""What a bulk action of the card browser reads from its form."""

from django import forms

from prep_site.numbers import IdChoiceField, read_id

from ..forms import CheckedTagField
from ..models import MAX_TAG_LENGTH, MAX_TAGS_PER_CARD, Card, Topic, UndoRecord
from .bulk import ACTIONS, MAX_SELECTED
from .syntax import MAX_LENGTH


class CardIdsField(forms.Field):
    """The ticked cards' ids: each a number an id column holds, at most
    MAX_SELECTED of them."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value] if value else []
        if len(values) > MAX_SELECTED:
            raise forms.ValidationError(
                f"One action takes at most {MAX_SELECTED:,} ticked cards; you ticked "
                f"{len(values):,}. Choose “all matching” for more."
            )
        ids = [read_id(str(each), Card) for each in values]
        if None in ids:
            raise forms.ValidationError("The selection names a card that does not exist.")
        return list(dict.fromkeys(ids))


class BulkForm(forms.Form):
    action = forms.ChoiceField(choices=ACTIONS.items())
    ids = CardIdsField(required=False)
    all = forms.BooleanField(required=False)
    confirmed = forms.BooleanField(required=False)  # bulk.ASKS_FIRST, asked by confirm.py
    q = forms.CharField(required=False, max_length=MAX_LENGTH, strip=False)
    topic = IdChoiceField(queryset=Topic.objects.none(), required=False)
    tags = CheckedTagField(required=False, max_length=MAX_TAGS_PER_CARD * (MAX_TAG_LENGTH + 2))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.owned_by(user)
        self.fields["topic"].error_messages["invalid_choice"] = (
            "Choose one of your own topics to move the cards to."
        )

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == "move" and "topic" in cleaned and cleaned["topic"] is None:
            self.add_error("topic", "Choose the topic to move the cards to.")
        if action in ("add_tags", "remove_tags") and "tags" in cleaned and not cleaned["tags"]:
            self.add_error("tags", "Write the tags, separated by commas.")
        if not cleaned.get("all") and "ids" in cleaned and not cleaned["ids"]:
            self.add_error(None, "Select at least one card first.")
        return cleaned

    def error_text(self) -> str:
        return " ".join(message for errors in self.errors.values() for message in errors)


class BulkUndoForm(forms.Form):
    undo = IdChoiceField(queryset=UndoRecord.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["undo"].queryset = UndoRecord.objects.filter(user=user)
        self.fields["undo"].error_messages["invalid_choice"] = (
            "That action was undone already, or a newer one took its place."
        )
