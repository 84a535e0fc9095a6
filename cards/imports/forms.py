"""Forms of the import: the upload, the confirmation, and the form every row of
an imported file is validated with."""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from taggit.utils import parse_tags

from prep_site.numbers import IdChoiceField
from prep_site.uploads import is_package

from ..markdown import cloze_numbers, cloze_past_limit
from ..models import MAX_FACE_LENGTH, MAX_TAG_LENGTH, MAX_TAGS_PER_CARD, ImportJob, Topic

IMPORT_EXTENSIONS = ["csv", "tsv", "txt", "apkg", "colpkg"]
MAX_TOPIC_NAME = Topic._meta.get_field("name").max_length
# The tags column as written: every tag at its longest, quoted, with a separator.
MAX_TAGS_TEXT = MAX_TAGS_PER_CARD * (MAX_TAG_LENGTH + 4)
# The separators Quizlet's export offers; "custom" takes the text typed beside it.
TERM_SEPARATORS = {"tab": "\t", "comma": ","}
ROW_SEPARATORS = {"newline": "\n", "semicolon": ";"}
MAX_SEPARATOR_LENGTH = 10


def _separator_fields(label: str, choices: list[tuple[str, str]]):
    """A Quizlet separator: one of Quizlet's choices, or the text typed as custom."""
    choice = forms.ChoiceField(
        choices=[*choices, ("custom", "Custom")],
        initial=choices[0][0],
        widget=forms.RadioSelect,
        label=label,
        required=False,
    )
    custom = forms.CharField(
        max_length=MAX_SEPARATOR_LENGTH,
        required=False,
        strip=False,  # " - " is a separator, spaces and all
        label=f"{label}, custom",
        help_text="Used when Custom is chosen. Spaces count: “ - ” is a space, a dash and a space.",
    )
    return choice, custom


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        validators=[FileExtensionValidator(IMPORT_EXTENSIONS)],
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{e}" for e in IMPORT_EXTENSIONS)}
        ),
        error_messages={
            "empty": "The file is empty: there is nothing in it to import.",
            "required": "Choose a file to import.",
        },
        help_text="CSV or TSV in UTF-8 (columns front, back, topic, tags, with or without a "
        "header line), Anki's “Notes in Plain Text” export (.txt), an Anki deck (.apkg) or "
        "a whole Anki collection (.colpkg).",
    )
    topic = IdChoiceField(
        queryset=Topic.objects.none(),
        required=False,
        label="Default topic",
        empty_label="— none: the file names the topics —",
        help_text="For rows that name no topic.",
    )
    new_topic = forms.CharField(
        max_length=MAX_TOPIC_NAME,
        required=False,
        label="… or a new topic",
        help_text="Created when you confirm the import.",
    )
    file_format = forms.ChoiceField(
        choices=[
            ("", "Tell from the file: CSV, TSV, Anki text or an Anki deck"),
            ("quizlet", "Quizlet export: the text of Export, saved as a .txt file"),
        ],
        initial="",
        required=False,
        widget=forms.RadioSelect,
        label="Format",
    )
    term_separator, term_custom = _separator_fields(
        "Quizlet: between term and definition", [("tab", "Tab"), ("comma", "Comma")]
    )
    row_separator, row_custom = _separator_fields(
        "Quizlet: between rows", [("newline", "New line"), ("semicolon", "Semicolon")]
    )

    def __init__(self, *args, user, max_bytes: int, package_max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes, self.package_max_bytes = max_bytes, package_max_bytes
        self.fields["topic"].queryset = Topic.objects.visible_to(user).order_by("owner_id", "name")
        self.fields["file"].widget.attrs["data-max-bytes"] = str(max_bytes)
        self.fields["file"].widget.attrs["data-package-max-bytes"] = str(package_max_bytes)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template writes the <form>
        self.helper.disable_csrf = True  # and its token

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if is_package(upload.name) and upload.size > self.package_max_bytes:
            raise forms.ValidationError(
                f"The package is larger than {filesizeformat(self.package_max_bytes)}, the most "
                "an import takes. In Anki, choose Tools, Check Media and delete the unused "
                "files, then export again; or export without “Include media”, or one subdeck at "
                "a time."
            )
        if not is_package(upload.name) and upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"The file is larger than {filesizeformat(self.max_bytes)}, the most an import "
                "takes. Split it into smaller files."
            )
        return upload

    def clean_new_topic(self):
        name = " ".join(self.cleaned_data["new_topic"].split())
        if name and not slugify(name, allow_unicode=True):
            raise forms.ValidationError("Give the topic a name with at least one letter or digit.")
        return name

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("topic") and cleaned.get("new_topic"):
            self.add_error("new_topic", "Choose a default topic or name a new one, not both.")
        topic = cleaned.get("topic")
        cleaned["default_topic"] = topic.name if topic else cleaned.get("new_topic", "")
        cleaned["reading"] = self._reading(cleaned) if cleaned.get("file_format") else {}
        return cleaned

    def _reading(self, cleaned) -> dict:
        """How to read a Quizlet export: the separators as chosen in Quizlet."""
        term = self._separator(cleaned, "term", TERM_SEPARATORS)
        row = self._separator(cleaned, "row", ROW_SEPARATORS)
        if term and row and (term in row or row in term):
            self.add_error(
                "row_custom",
                "The separator between rows must differ from the one between term and definition.",
            )
        upload = cleaned.get("file")
        if upload and upload.name.lower().endswith((".apkg", ".colpkg")):
            self.add_error("file", "An Anki deck or collection is not a Quizlet export.")
        if not cleaned["default_topic"] and "new_topic" not in self.errors:
            self.add_error(
                "topic",
                "A Quizlet export names no topic: choose a default topic or name a new one.",
            )
        return {"format": "quizlet", "term": term, "row": row}

    def _separator(self, cleaned, which: str, named: dict[str, str]) -> str:
        choice = cleaned.get(f"{which}_separator") or next(iter(named))
        if choice != "custom":
            return named[choice]
        custom = cleaned.get(f"{which}_custom", "")
        if not custom:
            self.add_error(f"{which}_custom", "Type the custom separator you chose in Quizlet.")
        return custom


class ImportConfirmForm(forms.Form):
    on_duplicate = forms.ChoiceField(
        choices=ImportJob.OnDuplicate.choices,
        initial=ImportJob.OnDuplicate.SKIP,
        widget=forms.RadioSelect,
        label="Cards you already have (same front in the same topic)",
    )


class _SharedCharField(forms.CharField):
    """A field the row form never changes, so every row's form shares it. Django
    deep-copies each field for every form instance, and at 50,000 rows those
    copies cost more than the validation itself."""

    def __deepcopy__(self, memo):
        return self


class ImportRowForm(forms.Form):
    """One row of an imported file, as text. ``topic`` is the row's topic name (or
    the default topic's); the error messages complete “Line 4: …”."""

    front = _SharedCharField(
        max_length=MAX_FACE_LENGTH,
        error_messages={
            "required": "the front is empty",
            "max_length": "the front has %(show_value)d characters; a card face holds at most "
            "%(limit_value)d",
        },
    )
    back = _SharedCharField(
        max_length=MAX_FACE_LENGTH,
        required=False,
        error_messages={
            "max_length": "the back has %(show_value)d characters; a card face holds at most "
            "%(limit_value)d",
        },
    )
    topic = _SharedCharField(
        max_length=MAX_TOPIC_NAME,
        required=False,
        error_messages={
            "max_length": "the topic name has %(show_value)d characters; the most is "
            "%(limit_value)d",
        },
    )
    tags = _SharedCharField(
        max_length=MAX_TAGS_TEXT,
        required=False,
        error_messages={
            "max_length": "the tags have %(show_value)d characters; the most is %(limit_value)d"
        },
    )

    def __init__(self, data, *, tag_names: list[str] | None = None):
        super().__init__(data)
        # Tags given as names (a format that keeps them apart, such as Anki's),
        # so that a name with a quote or a comma stays whole.
        self.tag_names = tag_names

    def clean_topic(self) -> str:
        name = " ".join(self.cleaned_data["topic"].split())
        if not name:
            raise forms.ValidationError(
                "no topic: give the file a topic column or choose a default topic"
            )
        if not slugify(name, allow_unicode=True):
            raise forms.ValidationError(
                f"the topic name “{name}” needs at least one letter or digit"
            )
        return name

    def clean_tags(self) -> list[str]:
        tags: dict[str, str] = {}
        if self.tag_names is None:
            names = parse_tags(self.cleaned_data["tags"])
        else:
            names = [name.strip() for name in self.tag_names if name.strip()]
        for tag in names:
            if len(tag) > MAX_TAG_LENGTH:
                raise forms.ValidationError(
                    f"the tag “{tag[:40]}…” is longer than {MAX_TAG_LENGTH} characters"
                )
            tags.setdefault(tag.lower(), tag)
        if len(tags) > MAX_TAGS_PER_CARD:
            raise forms.ValidationError(
                f"the row has {len(tags):,} tags; a card has at most {MAX_TAGS_PER_CARD}"
            )
        return list(tags.values())

    def clean(self):
        cleaned = super().clean()
        front, back = cleaned.get("front"), cleaned.get("back")
        past_limit = cloze_past_limit(front or "")
        if past_limit:  # the row's reasons start in lower case
            self.add_error("front", past_limit[0].lower() + past_limit[1:])
        elif front and back == "" and not cloze_numbers(front):
            self.add_error(
                "back",
                "the back is empty (only a cloze card, with {{c1::…}} on the front, can do "
                "without one)",
            )
        return cleaned

    def reason(self) -> str:
        """All of the row's errors in one sentence."""
        return "; ".join(message for errors in self.errors.values() for message in errors)
