"""The card browser (/cards/): every card the person studies, as a table, and
the actions on many of its cards at once."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

import cards.browse

from ..exports.forms import FORMATS
from ..models import BulkJob
from . import bulk, confirm, jobs, searches, syntax, table, undo
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
        "export_formats": FORMATS,
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
    if data["action"] in bulk.ASKS_FIRST and not data["confirmed"]:
        return _ask_first(request, data, back)
    text = data["q"] if data["all"] else None
    try:
        if text is not None and jobs.matching_count(request.user, text) > jobs.BACKGROUND_ABOVE:
            job = jobs.start_bulk_job(
                user=request.user,
                action=data["action"],
                text=text,
                topic=data["topic"],
                tags=data["tags"],
            )
            return redirect(job)
        outcome = bulk.run_bulk_action(
            user=request.user,
            action=data["action"],
            ids=data["ids"],
            text=text,
            topic=data["topic"],
            tags=data["tags"],
        )
    except bulk.BulkRefused as error:
        messages.error(request, str(error))
        return redirect(back)
    undo = f"undo-{outcome.undo.pk}" if outcome.undo else ""
    messages.success(request, outcome.message, extra_tags=undo)
    return redirect(back)


def _ask_first(request, data: dict, back: str):
    """The page that says what the action will do, with the button that does it."""
    text = data["q"] if data["all"] else None
    try:
        question = confirm.ask(user=request.user, action=data["action"], ids=data["ids"], text=text)
    except bulk.BulkRefused as error:
        messages.error(request, str(error))
        return redirect(back)
    context = {
        "question": question,
        "action": data["action"],
        "ids": data["ids"],
        "all": data["all"],
        "text": data["q"],
        "back": back,
    }
    return render(request, "cards/card_bulk_confirm.html", context)


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


@require_safe
def card_bulk_job(request, pk: int):
    """A bulk action on many cards, on a worker: its progress, polled by htmx as
    a fragment, then its message and Undo button."""
    job = get_object_or_404(BulkJob.objects.filter(user=request.user), pk=pk)
    context = {"job": job, "back": back_to_browser(job.params.get("text"))}
    template = "cards/bulk_job.html#status" if request.htmx else "cards/bulk_job.html"
    return render(request, template, context)
