"""Forms of the checklists of questions to ask and of the question bank."""

from crispy_forms.helper import FormHelper
from django import forms

from prep_site.numbers import IdsChoiceField, read_id

from ..models import ChecklistItem, QuestionCategory, QuestionToAsk


class QuestionToAskForm(forms.ModelForm):
    class Meta:
        model = QuestionToAsk
        fields = ["category", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "maxlength": 500})}
        labels = {"text": "Question"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user  # for a new question: whose bank it joins
        self.fields["text"].strip = True
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and self.user is not None:
            try:
                QuestionToAsk.check_room(self.user)
            except forms.ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Write the question.")
        return text


class NewChecklistQuestionForm(forms.Form):
    text = forms.CharField(
        label="Your question",
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "What would you like to ask them?"}),
        error_messages={"required": "Write the question you want to ask."},
    )
    category = forms.ChoiceField(choices=QuestionCategory.choices, initial=QuestionCategory.ROLE)
    save_to_bank = forms.BooleanField(
        required=False, initial=True, label="Also keep it in my question bank"
    )


class AddFromBankForm(forms.Form):
    questions = IdsChoiceField(
        queryset=QuestionToAsk.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one question to add."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questions"].queryset = QuestionToAsk.objects.filter(user=user)


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["asked", "answer"]
        error_messages = {
            "answer": {"max_length": "Keep the answer under %(limit_value)d characters."}
        }


class ReorderForm(forms.Form):
    def __init__(self, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.item_ids = data.getlist("item") if data is not None else []

    def clean(self):
        item_ids = [read_id(pk, ChecklistItem) for pk in self.item_ids]
        if None in item_ids:
            raise forms.ValidationError("The new order names an item that does not exist.")
        self.cleaned_data["item_ids"] = item_ids
        return self.cleaned_data
