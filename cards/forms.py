from urllib.parse import urlencode

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q
from django.utils.text import slugify
from taggit.forms import TagField
from taggit.models import Tag
from taggit.utils import edit_string_for_tags, parse_tags

from prep_site.numbers import IdChoiceField, read_id

from .images.services import images_past_limit
from .markdown import cloze_numbers, cloze_past_limit
from .models import (
    MAX_FACE_LENGTH,
    MAX_TAG_LENGTH,
    MAX_TAGS_PER_CARD,
    Card,
    Topic,
    check_tags,
)


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


class CheckedTagField(TagField):
    """Tags separated by commas, refused past the most a card keeps or the
    longest a tag may be."""

    def clean(self, value):
        tags = super().clean(value)
        check_tags(tags)
        return tags


class CardForm(forms.ModelForm):
    tags = CheckedTagField(
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

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            try:
                Card.objects.check_room(self.user)
            except forms.ValidationError as error:
                self.add_error(None, error)
        check_cloze(self, cleaned)
        check_images(self, cleaned, card=self.instance, user=self.user)
        kind = cleaned.get("kind")
        back = (cleaned.get("back") or "").strip()
        if kind in (Card.Kind.BASIC, Card.Kind.REVERSED) and not back:
            self.add_error("back", "Write the answer on the back of the card.")
        return cleaned

    def next_card_query(self) -> str:
        """The query string of the next new card after "Save and add another": the
        same topic, tags, kind and text format (read back by ``initial_card``)."""
        cleaned = self.cleaned_data
        values = {
            "topic": cleaned["topic"].pk,
            "kind": cleaned["kind"],
            "text_format": cleaned["text_format"],
        }
        if cleaned["tags"]:
            values["tags"] = edit_string_for_tags([Tag(name=name) for name in cleaned["tags"]])
        return urlencode(values)


def check_images(form: forms.BaseForm, cleaned: dict, *, card: Card, user) -> None:
    """The card keeps no more images than a card may."""
    text_format = cleaned.get("text_format") or card.text_format
    shown = Card(pk=card.pk, front=cleaned.get("front") or "", back=cleaned.get("back") or "")
    shown.text_format = text_format
    if problem := images_past_limit(card=shown, user=user):
        form.add_error("front", problem)


def check_cloze(form: forms.BaseForm, cleaned: dict) -> None:
    """A cloze card's front needs a deletion, and numbers within MAX_CLOZE."""
    front = (cleaned.get("front") or "").strip()
    if cleaned.get("kind") != Card.Kind.CLOZE or not front:
        return
    if problem := cloze_past_limit(front):
        form.add_error("front", problem)
    elif not cloze_numbers(front):
        form.add_error(
            "front", "A cloze card needs at least one deletion, written like {{c1::answer}}."
        )


# The longest tag list read from an address: the most tags a card keeps, each
# as long as a tag may be, with room for the commas.
MAX_TAGS_IN_QUERY = MAX_TAGS_PER_CARD * (MAX_TAG_LENGTH + 4)


def initial_card(query, *, user) -> dict:
    """The new card form's starting values from its address (``?topic=…&kind=…
    &text_format=…&tags=…``, as ``CardForm.next_card_query`` writes them). A value
    that is not one the form would take is left out, never an error."""
    initial = {}
    topic_id = read_id(query.get("topic"), Topic)
    if topic_id is not None:
        initial["topic"] = Topic.objects.visible_to(user).filter(pk=topic_id).first()
    if query.get("kind") in Card.Kind.values:
        initial["kind"] = query["kind"]
    if query.get("text_format") in Card.TextFormat.values:
        initial["text_format"] = query["text_format"]
    tags = query.get("tags", "")
    if tags and len(tags) <= MAX_TAGS_IN_QUERY and "\x00" not in tags:
        names = parse_tags(tags)
        try:
            check_tags(names)
        except forms.ValidationError:
            names = []
        if names:
            initial["tags"] = edit_string_for_tags([Tag(name=name) for name in names])
    return initial


def _card_field(name: str, **kwargs) -> forms.Field:
    """The form field of a card's model field, as the card form has it."""
    return Card._meta.get_field(name).formfield(**kwargs)


class CardPreviewForm(forms.Form):
    """The editor's fields, read with the card form's limits, for a preview of
    ``card`` as it will be studied. Nothing is saved; the front may be empty yet.
    (Not a ModelForm: its second pass through the model's checks would ask the
    database again for the topic and both constraints at every key press.)"""

    topic = _card_field("topic", form_class=IdChoiceField, queryset=Topic.objects.none())
    kind = _card_field("kind")
    text_format = _card_field("text_format", required=False)
    front = _card_field("front", required=False)
    back = _card_field("back")

    def __init__(self, *args, card: Card, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.card = card
        self.fields["topic"].queryset = Topic.objects.visible_to(user)

    def clean_text_format(self):
        return self.cleaned_data["text_format"] or self.card.text_format

    def clean(self):
        cleaned = super().clean()
        check_cloze(self, cleaned)
        return cleaned

    def previewed_card(self) -> Card:
        """The card with the values sent, in memory only."""
        for name, value in self.cleaned_data.items():
            setattr(self.card, name, value)
        return self.card

    def error_messages(self) -> list[str]:
        """Each error, named by its field: "Front: Ensure this value has at most …"."""
        messages = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else None
            messages += [f"{label}: {error}" if label else error for error in errors]
        return messages
