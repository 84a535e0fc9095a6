"""The card browser's saved searches (save, rename, delete, the navigation's
menu of them) and studying or quizzing the cards a search finds. The views
glue HTTP to searches.py and from_search.py."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ..models import SavedSearch
from . import from_search, searches, syntax
from .terms import QueryError
from .views import back_to_browser


def _text(request) -> str:
    return request.POST.get("q", "")[: syntax.MAX_LENGTH]


@require_safe
def saved_search_menu(request):
    """The navigation's list of the person's saved searches, fetched when its
    menu opens (so other pages read none)."""
    context = {"saved": searches.saved_searches(request.user)}
    return render(request, "cards/_saved_search_menu.html", context)


@require_POST
def saved_search_create(request):
    form = searches.SaveSearchForm(request.POST, user=request.user)
    text = _text(request)
    if not form.is_valid():
        messages.error(request, form.error_text())
        return redirect(back_to_browser(text))
    data = form.cleaned_data
    saved = searches.save_search(user=request.user, name=data["name"], text=data["q"])
    if saved is None:
        messages.error(request, f"You have a saved search named “{data['name']}” already.")
    else:
        messages.success(request, f"Saved the search as “{saved.name}”.")
    return redirect(back_to_browser(text))


def _own_search(request, pk: int) -> SavedSearch:
    return get_object_or_404(SavedSearch.objects.filter(user=request.user), pk=pk)


@require_POST
def saved_search_rename(request, pk: int):
    saved = _own_search(request, pk)
    form = searches.SearchNameForm(request.POST, user=request.user, renaming=saved)
    if not form.is_valid():
        messages.error(request, form.error_text())
    elif searches.rename_search(saved, form.cleaned_data["name"]):
        messages.success(request, f"Renamed the search to “{saved.name}”.")
    else:
        messages.error(request, f"You have a saved search named “{form.cleaned_data['name']}”.")
    return redirect(back_to_browser(saved.text))


@require_POST
def saved_search_delete(request, pk: int):
    saved = _own_search(request, pk)
    saved.delete()
    messages.success(request, f"Deleted the saved search “{saved.name}”; its cards stay.")
    return redirect(back_to_browser(_text(request)))


def _start_from_search(request, start):
    """Run ``start`` (from_search.study_search or quiz_search) on the posted
    search and open what it made; back to the browser, in words, when the
    search cannot be read or finds nothing."""
    text = _text(request)
    try:
        made = start(user=request.user, text=text, now=timezone.now())
    except (QueryError, from_search.SearchRefused) as error:
        messages.error(request, getattr(error, "message", str(error)))
        return redirect(back_to_browser(text))
    return redirect(made)


@require_POST
def search_study(request):
    return _start_from_search(request, from_search.study_search)


@require_POST
def search_quiz(request):
    return _start_from_search(request, from_search.quiz_search)
