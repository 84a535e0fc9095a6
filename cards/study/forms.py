from django import forms
from django.contrib.contenttypes.models import ContentType
from taggit.models import Tag

from prep_site.numbers import IdsChoiceField, WholeNumberField

from ..models import Card, Rating, Topic
from .upcoming import MOST_KNOWN


class StudyStartForm(forms.Form):
    topics = IdsChoiceField(
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose at least one topic to study."},
    )
    own_only = forms.BooleanField(
        required=False,
        label="Only my own cards",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text="Leave out the starter library's cards in these topics.",
    )
    tags = IdsChoiceField(
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="Only cards with one of these tags; none ticked: every card.",
        error_messages={
            "invalid_choice": "No card of yours has the tag %(value)s; choose from the list.",
            "invalid_pk_value": "“%(pk)s” is not a tag; choose from the list.",
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.visible_to(user)
        # The tags on cards the person sees, each once.
        tagged = Card.objects.visible_to(user).values("pk")
        self.fields["tags"].queryset = (
            Tag.objects.filter(
                taggit_taggeditem_items__content_type=ContentType.objects.get_for_model(Card),
                taggit_taggeditem_items__object_id__in=tagged,
            )
            .distinct()
            .order_by("name")
        )


class GradeForm(forms.Form):
    prompt = WholeNumberField(min_value=1)
    rating = forms.TypedChoiceField(
        choices=Rating.choices,
        coerce=int,
        error_messages={
            "invalid_choice": "A grade must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)."
        },
    )
    reps = WholeNumberField(min_value=0)
    shown_at = WholeNumberField(required=False, min_value=0)
    # Sent by the study page's script: the grade's own key, when it was pressed
    # (ms since 1970), the cards it holds ("prompt:reps:version" each) and the
    # other prompts it has (on screen, waiting to be sent), comma-separated.
    key = forms.UUIDField(
        required=False,
        error_messages={"invalid": "The grade's key must be a UUID such as 1b4e28ba-2fa1-…."},
    )
    graded_at = WholeNumberField(required=False, min_value=0)
    held = forms.CharField(required=False, strip=True)
    known = forms.CharField(required=False, strip=True)

    def clean_held(self):
        held = []
        for entry in _entries(self.cleaned_data["held"], "held"):
            parts = entry.split(":")
            if len(parts) != 3 or not all(_number(part) for part in parts):
                raise forms.ValidationError(
                    f"A held card is written prompt:reps:version, not “{entry[:40]}”."
                )
            held.append(tuple(int(part) for part in parts))
        return held

    def clean_known(self):
        known = _entries(self.cleaned_data["known"], "known")
        if not all(_number(entry) for entry in known):
            raise forms.ValidationError("Known cards are prompt numbers, comma-separated.")
        return [int(entry) for entry in known]


def _number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 18


def _entries(text: str, name: str) -> list[str]:
    entries = [entry for entry in text.split(",") if entry] if text else []
    if len(entries) > MOST_KNOWN:
        raise forms.ValidationError(f"At most {MOST_KNOWN} {name} cards, not {len(entries)}.")
    return entries


class UndoForm(forms.Form):
    review = WholeNumberField(min_value=1)
