"""The searches a person keeps under a name (SavedSearch): what saving and
renaming one checks, and the list the browser and the navigation show."""

from django import forms
from django.db import IntegrityError, transaction

from ..models import MAX_SAVED_SEARCHES, MAX_SEARCH_NAME, SavedSearch
from .syntax import MAX_LENGTH, parse
from .terms import QueryError


def saved_searches(user) -> list[SavedSearch]:
    """The person's saved searches, by name: one query."""
    return list(SavedSearch.objects.filter(user=user).only("pk", "name", "text"))


class SearchNameForm(forms.Form):
    name = forms.CharField(
        max_length=MAX_SEARCH_NAME,
        error_messages={
            "required": "Give the search a name.",
            "max_length": f"A search's name has at most {MAX_SEARCH_NAME} characters.",
        },
    )

    def __init__(self, *args, user, renaming: SavedSearch | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.renaming = user, renaming

    def clean_name(self):
        name = self.cleaned_data["name"]
        others = SavedSearch.objects.filter(user=self.user, name__iexact=name)
        if self.renaming is not None:
            others = others.exclude(pk=self.renaming.pk)
        if others.exists():
            raise forms.ValidationError(f"You have a saved search named “{name}” already.")
        return name

    def error_text(self) -> str:
        return " ".join(message for errors in self.errors.values() for message in errors)


class SaveSearchForm(SearchNameForm):
    q = forms.CharField(
        max_length=MAX_LENGTH,
        strip=False,
        error_messages={
            "required": "Search for something first: an empty search shows every card.",
            "max_length": f"A search has at most {MAX_LENGTH} characters.",
        },
    )

    def clean_q(self):
        text = self.cleaned_data["q"]
        if not text.strip():
            raise forms.ValidationError(self.fields["q"].error_messages["required"])
        try:
            parse(text)
        except QueryError as error:
            raise forms.ValidationError(f"That search cannot be saved: {error.message}.") from None
        return text

    def clean(self):
        cleaned = super().clean()
        if SavedSearch.objects.filter(user=self.user).count() >= MAX_SAVED_SEARCHES:
            raise forms.ValidationError(
                f"You can keep up to {MAX_SAVED_SEARCHES} saved searches: delete one first."
            )
        return cleaned


def save_search(*, user, name: str, text: str) -> SavedSearch | None:
    """The new saved search; None when one of that name was saved meanwhile."""
    try:
        with transaction.atomic():
            return SavedSearch.objects.create(user=user, name=name, text=text)
    except IntegrityError:
        return None


def rename_search(search: SavedSearch, name: str) -> bool:
    """False when another search of the person took that name meanwhile."""
    try:
        with transaction.atomic():
            SavedSearch.objects.filter(pk=search.pk).update(name=name)
    except IntegrityError:
        return False
    search.name = name
    return True
