from django import forms

from prep_site.numbers import IdsChoiceField, WholeNumberField

from ..models import Rating, Topic


class StudyStartForm(forms.Form):
    topics = IdsChoiceField(
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one topic to study."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.visible_to(user)


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


class UndoForm(forms.Form):
    review = WholeNumberField(min_value=1)
