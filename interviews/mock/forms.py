from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from prep_site.numbers import IdChoiceField, WholeNumberField

from ..models import (
    MAX_KEY_POINT_LENGTH,
    MAX_KEY_POINTS,
    MAX_MODEL_ANSWER_LENGTH,
    MAX_SYNONYMS,
    Interview,
    InterviewerQuestion,
    PracticeArea,
)
from .model_answers import normalize as normalize_model_answer
from .services import MAX_QUESTIONS, MAX_TIME_LIMIT, MIN_QUESTIONS, MIN_TIME_LIMIT


class StartMockForm(forms.Form):
    areas = forms.MultipleChoiceField(
        label="Practice areas",
        choices=PracticeArea.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    interview = IdChoiceField(
        label="Or rehearse for an upcoming interview",
        queryset=Interview.objects.none(),
        required=False,
        empty_label="None",
        help_text="With no area ticked, the interview's stage and topics decide the areas.",
    )
    count = WholeNumberField(
        label="Questions",
        initial=5,
        min_value=MIN_QUESTIONS,
        max_value=MAX_QUESTIONS,
        error_messages={
            "invalid": f"Ask for a whole number of questions, {MIN_QUESTIONS} to {MAX_QUESTIONS}.",
            "min_value": f"Ask for at least {MIN_QUESTIONS} question.",
            "max_value": f"Ask for at most {MAX_QUESTIONS} questions.",
            "required": f"Ask for {MIN_QUESTIONS} to {MAX_QUESTIONS} questions.",
        },
    )
    time_limit_seconds = WholeNumberField(
        label="Seconds per question",
        initial=120,
        min_value=MIN_TIME_LIMIT,
        max_value=MAX_TIME_LIMIT,
        help_text="When the time runs out, the answer is saved as it is.",
        error_messages={
            "invalid": f"Give the time in whole seconds, {MIN_TIME_LIMIT} to {MAX_TIME_LIMIT}.",
            "min_value": f"Give each question at least {MIN_TIME_LIMIT} seconds.",
            "max_value": f"Give each question at most {MAX_TIME_LIMIT} seconds (an hour).",
            "required": f"Give the time in whole seconds, {MIN_TIME_LIMIT} to {MAX_TIME_LIMIT}.",
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interview"].queryset = Interview.objects.owned_by(user).upcoming()
        self.fields["count"].widget.attrs.update(min=MIN_QUESTIONS, max=MAX_QUESTIONS)
        self.fields["time_limit_seconds"].widget.attrs.update(
            min=MIN_TIME_LIMIT, max=MAX_TIME_LIMIT, step=10
        )
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template writes the <form>
        self.helper.add_input(Submit("start", "Start the mock interview"))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("areas") and not cleaned.get("interview") and not self.errors:
            raise forms.ValidationError(
                "Choose at least one practice area, or an upcoming interview."
            )
        return cleaned


class QuestionForm(forms.ModelForm):
    key_points_text = forms.CharField(
        label="Key points",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"What a strong answer covers: one per line, 1 to {MAX_KEY_POINTS}. Other "
        "words that count for a point go after a bar, separated by commas: "
        "“Idempotent consumer | dedupe, exactly once”.",
        error_messages={"required": "Write at least one key point, one per line."},
    )

    class Meta:
        model = InterviewerQuestion
        fields = ["text", "area", "key_points_text", "star", "model_answer"]
        labels = {"text": "Question", "star": "Answer in the STAR frame"}
        help_texts = {
            "model_answer": "What a strong candidate might say, shown after your own answer "
            f"(optional, at most {MAX_MODEL_ANSWER_LENGTH:,} characters)."
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
            "model_answer": forms.Textarea(attrs={"rows": 6}),
        }
        error_messages = {
            "text": {"required": "Write the question."},
            "model_answer": {
                "max_length": f"A model answer has at most {MAX_MODEL_ANSWER_LENGTH:,} "
                "characters; this one has %(show_value)d."
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["key_points_text"].initial = "\n".join(
                " | ".join([point, ", ".join(words)]) if words else point
                for point, words in zip(
                    self.instance.key_points, self.instance.synonyms_for(), strict=True
                )
            )
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template writes the <form>
        self.helper.add_input(Submit("save", "Save question"))

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Write the question.")
        return text

    def clean_model_answer(self):
        return normalize_model_answer(self.cleaned_data["model_answer"])

    def clean_key_points_text(self) -> list[tuple[str, list[str]]]:
        """(key point, its synonyms) for each line: “point | word, other words”."""
        lines = [line.strip() for line in self.cleaned_data["key_points_text"].splitlines()]
        parsed = [_key_point_line(line) for line in lines if line.strip(" |")]
        points = [point for point, _words in parsed]
        if not points:
            raise forms.ValidationError("Write at least one key point, one per line.")
        if len(points) > MAX_KEY_POINTS:
            raise forms.ValidationError(
                f"A question has at most {MAX_KEY_POINTS} key points; you wrote {len(points)}."
            )
        too_long = [point for point in points if len(point) > MAX_KEY_POINT_LENGTH]
        if too_long:
            raise forms.ValidationError(
                f"A key point has at most {MAX_KEY_POINT_LENGTH} characters; "
                f"“{too_long[0][:40]}…” has {len(too_long[0]):,}."
            )
        for point, words in parsed:
            if not point:
                raise forms.ValidationError(
                    "Write each key point before its bar; other words for it go after the bar."
                )
            if len(words) > MAX_SYNONYMS:
                raise forms.ValidationError(
                    f"A key point has at most {MAX_SYNONYMS} other words; "
                    f"“{point[:40]}” has {len(words)}."
                )
            if any(len(word) > MAX_KEY_POINT_LENGTH for word in words):
                raise forms.ValidationError(
                    f"Other words for a key point have at most {MAX_KEY_POINT_LENGTH} "
                    "characters each."
                )
        return parsed

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            try:
                InterviewerQuestion.check_room(self.instance.owner_id)
            except forms.ValidationError as error:
                self.add_error(None, error)
        if "key_points_text" in cleaned:
            # Not a form field of the model: set here so the model's own
            # validation (and save) sees it.
            parsed = cleaned["key_points_text"]
            self.instance.key_points = [point for point, _words in parsed]
            synonyms = [words for _point, words in parsed]
            while synonyms and not synonyms[-1]:
                synonyms.pop()
            self.instance.key_point_synonyms = synonyms
        return cleaned


def _key_point_line(line: str) -> tuple[str, list[str]]:
    point, _bar, rest = line.partition("|")
    words = [word.strip() for word in rest.split(",")]
    return point.strip(), list(dict.fromkeys(word for word in words if word))


class AnswerForm(forms.Form):
    """The answer typed so far (autosave) or handed in (submit)."""

    text = forms.CharField(required=False, strip=False)


class ScoreForm(forms.Form):
    covered = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        error_messages={
            "invalid_choice": "Those key points are not part of this question; nothing was scored."
        },
    )

    def __init__(self, *args, key_points: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["covered"].choices = [(str(i), point) for i, point in enumerate(key_points)]
