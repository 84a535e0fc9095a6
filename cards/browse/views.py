"""The card browser (/cards/): every card the person studies, as a table."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

import cards.browse

from . import table
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
    except QueryError as error:
        context["error"] = error
        context["pointer"] = pointer(text, error.position)
    template = "cards/card_browser.html#results" if request.htmx else "cards/card_browser.html"
    return render(request, template, context)
