from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q
from django.utils.text import slugify
from taggit.forms import TagField

from prep_site.numbers import IdChoiceField

from .markdown import cloze_numbers, cloze_past_limit
from .models import MAX_FACE_LENGTH, MAX_TAGS_PER_CARD, Card, Topic, check_tags


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template writes the <form>
        self.helper.add_input(Submit("save", "Save topic"))

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            try:
                Topic.objects.check_room(self.owner)
            except forms.ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        slug = slugify(name, allow_unicode=True)[:90]
        if not slug:
            raise forms.ValidationError("Give the topic a name with at least one letter or digit.")
        # Names that differ only in case, spacing or punctuation share an address.
        clash = Topic.objects.visible_to(self.owner).filter(
            Q(name__iexact=name) | Q(owner=self.owner, slug=slug)
        )
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"You already have a topic called “{name}”.")
        return name

    def save(self, commit=True):
        topic = super().save(commit=False)
        topic.owner = self.owner
        topic.slug = slugify(topic.name, allow_unicode=True)[:90]
        if commit:
            topic.save()
        return topic


class CardForm(forms.ModelForm):
    tags = TagField(
        required=False,
        help_text=f"Separate tags with commas, e.g. “kafka, messaging” (at most "
        f"{MAX_TAGS_PER_CARD}).",
    )

    class Meta:
        model = Card
        fields = ["topic", "kind", "text_format", "front", "back", "tags", "suspended"]
        field_classes = {"topic": IdChoiceField}
        widgets = {
            "front": forms.Textarea(attrs={"rows": 5, "maxlength": MAX_FACE_LENGTH}),
            "back": forms.Textarea(attrs={"rows": 7, "maxlength": MAX_FACE_LENGTH}),
        }
        help_texts = {
            "front": "Markdown. Code in ``` fences, math in $$ … $$ or \\( … \\). "
            "For a cloze card, hide text like {{c1::this}}.",
            "back": "The answer (for a cloze card: optional extra notes).",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["topic"].queryset = Topic.objects.visible_to(user)
        self.fields["topic"].empty_label = None
        # A form sent without the format keeps the card's.
        self.fields["text_format"].required = False
        if self.instance.is_html:
            self.fields["front"].help_text = (
                "This card is HTML, as Anki writes it, not Markdown. Math goes in \\( … \\) "
                "or \\[ … \\]. For a cloze card, hide text like {{c1::this}}."
            )
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template writes the <form>
        self.helper.add_input(Submit("save", "Save card"))

    def clean_text_format(self):
        return self.cleaned_data["text_format"] or self.instance.text_format

    def clean_tags(self):
        tags = self.cleaned_data["tags"]
        check_tags(tags)
        return tags

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            try:
                Card.objects.check_room(self.user)
            except forms.ValidationError as error:
                self.add_error(None, error)
        kind = cleaned.get("kind")
        front = (cleaned.get("front") or "").strip()
        back = (cleaned.get("back") or "").strip()
        if kind == Card.Kind.CLOZE and cloze_past_limit(front):
            self.add_error("front", cloze_past_limit(front))
        elif kind == Card.Kind.CLOZE and front and not cloze_numbers(front):
            self.add_error(
                "front",
                "A cloze card needs at least one deletion, written like {{c1::answer}}.",
            )
        if kind in (Card.Kind.BASIC, Card.Kind.REVERSED) and not back:
            self.add_error("back", "Write the answer on the back of the card.")
        return cleaned
