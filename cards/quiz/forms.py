from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Count
from django.utils.functional import SimpleLazyObject

from prep_site import words
from prep_site.numbers import IdsChoiceField, WholeNumberField

from ..models import Quiz, QuizItem, Topic
from ..services import studiable_per_topic

SIZE_MESSAGE = f"A quiz has between 1 and {Quiz.MAX_SIZE} cards."


class TopicChoiceField(IdsChoiceField):
    """Topics labelled with how many cards a quiz could draw from each:
    ``card_counts`` maps a topic's id to its count."""

    card_counts: dict[int, int]  # set by the form

    def label_from_instance(self, topic) -> str:
        return f"{topic.name} ({words.count(self.card_counts.get(topic.pk, 0), 'card')})"


class QuizStartForm(forms.Form):
    topics = TopicChoiceField(
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one topic for the quiz.",
            "invalid_choice": "Choose topics from the list.",
            "invalid_pk_value": "Choose topics from the list.",
        },
    )
    size = WholeNumberField(
        label="Number of cards",
        min_value=1,
        max_value=Quiz.MAX_SIZE,
        initial=10,
        error_messages={
            "required": SIZE_MESSAGE,
            "invalid": SIZE_MESSAGE,
            "min_value": SIZE_MESSAGE,
            "max_value": SIZE_MESSAGE,
        },
    )
    mode = forms.ChoiceField(
        label="Which cards",
        choices=[(value, label) for value, label in Quiz.Mode.choices if value != Quiz.Mode.CRAM],
        initial=Quiz.Mode.RANDOM,
        widget=forms.RadioSelect,
        help_text="Weakest first: the cards you hold least firmly, then ones never studied.",
    )
    count_as_reviews = forms.BooleanField(
        label="Also count as reviews",
        required=False,
        help_text="Grade each card in your study schedule too: right as Good, wrong as Again.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        topics = self.fields["topics"]
        topics.queryset = Topic.objects.visible_to(user).order_by("owner_id", "name")
        # Counted when the labels are first drawn, not for a valid submission.
        topics.card_counts = SimpleLazyObject(lambda: studiable_per_topic(user, Count("*")))
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template writes the <form>


class AnswerField(forms.CharField):
    def to_python(self, value):
        # Browsers count a line break as one character against the textarea's
        # maxlength but send it as two: count it as they do.
        return super().to_python(value).replace("\r\n", "\n")


class MarkForm(forms.Form):
    RIGHT, WRONG = "right", "wrong"

    item = WholeNumberField(min_value=1)
    result = forms.ChoiceField(
        choices=[(RIGHT, "I was right"), (WRONG, "I was wrong")],
        error_messages={"invalid_choice": "Mark the card right or wrong."},
    )
    typed_answer = AnswerField(
        required=False,
        max_length=QuizItem._meta.get_field("typed_answer").max_length,
        widget=forms.Textarea,
    )
    shown_at = WholeNumberField(required=False, min_value=0)

    @property
    def correct(self) -> bool:
        return self.cleaned_data["result"] == self.RIGHT
