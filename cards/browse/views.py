"""The card browser (/cards/): every card the person studies, as a table, and
the actions on many of its cards at once."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

import cards.browse

from . import bulk, searches, syntax, table, undo
from .forms import BulkForm, BulkUndoForm
from .syntax import pointer
from .terms import QueryError

# The columns the person chose last, kept for their next visit.
COLUMNS_KEPT = "card_browser_columns"


@require_safe
def card_browser(request):
    asked = request.GET.getlist("cols")
    columns = table.chosen_columns(asked, request.session.get(COLUMNS_KEPT))
    if table.read_columns(asked) and request.session.get(COLUMNS_KEPT) != list(columns):
        request.session[COLUMNS_KEPT] = list(columns)
    text = request.GET.get("q", "")
    sort = table.read_sort(request.GET.get("sort"))
    context = {
        "text": text,
        "sort": sort,
        "chosen": columns,
        "columns": table.COLUMNS.values(),
        "search_help": cards.browse.__doc__,
        "actions": bulk.ACTIONS,
    }
    try:
        context["table"] = table.browse_cards(
            user=request.user,
            text=text,
            sort=sort,
            columns=columns,
            page=request.GET.get("page"),
            now=timezone.now(),
        )
        if context["table"].rows:
            context["topics"] = bulk.topics_to_move_to(request.user)
    except QueryError as error:
        context["error"] = error
        context["pointer"] = pointer(text, error.position)
    if request.htmx:
        return render(request, "cards/card_browser.html#results", context)
    context["saved"] = searches.saved_searches(request.user)
    return render(request, "cards/card_browser.html", context)


def back_to_browser(text: str | None) -> str:
    address = reverse("cards:card_browser")
    return f"{address}?{urlencode({'q': text})}" if text else address


@require_POST
def card_bulk(request):
    form = BulkForm(request.POST, user=request.user)
    back = back_to_browser(request.POST.get("q", "")[: syntax.MAX_LENGTH])
    if not form.is_valid():
        messages.error(request, form.error_text())
        return redirect(back)
    data = form.cleaned_data
    try:
        outcome = bulk.run_bulk_action(
            user=request.user,
            action=data["action"],
            ids=data["ids"],
            text=data["q"] if data["all"] else None,
            topic=data["topic"],
            tags=data["tags"],
        )
    except bulk.BulkRefused as error:
        messages.error(request, str(error))
        return redirect(back)
    undo = f"undo-{outcome.undo.pk}" if outcome.undo else ""
    messages.success(request, outcome.message, extra_tags=undo)
    return redirect(back)


@require_POST
def card_bulk_undo(request):
    form = BulkUndoForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["undo"]))
        return redirect("cards:card_browser")
    try:
        messages.success(request, undo.undo_bulk_action(record=form.cleaned_data["undo"]))
    except bulk.BulkRefused as error:
        messages.error(request, str(error))
    return redirect("cards:card_browser")
