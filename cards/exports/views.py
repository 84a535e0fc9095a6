"""Downloads of cards as CSV or as a text file for Anki's importer."""

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from ..browse.bulk import BulkRefused
from ..browse.syntax import MAX_LENGTH
from ..browse.views import back_to_browser
from ..models import Topic
from .formats import exportable_cards, selected_cards, stream_anki, stream_csv, with_tags
from .forms import SelectionExportForm


def _download(stream, *, filename: str, content_type: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    # A person's cards: never kept by a shared cache.
    patch_cache_control(response, private=True, no_store=True)
    return response


_CSV = "text/csv; charset=utf-8"
_TEXT = "text/plain; charset=utf-8"


def _topic(request, pk: int) -> Topic:
    return get_object_or_404(Topic.objects.visible_to(request.user), pk=pk)


@require_safe
def export_csv(request):
    return _download(
        stream_csv(with_tags(exportable_cards(user=request.user))),
        filename="prep-cards.csv",
        content_type="text/csv; charset=utf-8",
    )


@require_safe
def export_anki(request):
    return _download(
        stream_anki(exportable_cards(user=request.user)),
        filename="prep-cards-anki.txt",
        content_type="text/plain; charset=utf-8",
    )


@require_safe
def topic_export_csv(request, pk: int):
    topic = _topic(request, pk)
    return _download(
        stream_csv(with_tags(exportable_cards(user=request.user, topic=topic))),
        filename=f"prep-{topic.slug}.csv",
        content_type="text/csv; charset=utf-8",
    )


@require_safe
def topic_export_anki(request, pk: int):
    topic = _topic(request, pk)
    return _download(
        stream_anki(exportable_cards(user=request.user, topic=topic)),
        filename=f"prep-{topic.slug}-anki.txt",
        content_type="text/plain; charset=utf-8",
    )


@require_POST
def selection_export(request):
    """The card browser's selection (the ticked cards, or all that match its
    search) as a download; back to the browser with the reason when refused."""
    form = SelectionExportForm(request.POST)
    back = back_to_browser(request.POST.get("q", "")[:MAX_LENGTH])
    if not form.is_valid():
        messages.error(request, form.error_text())
        return redirect(back)
    data = form.cleaned_data
    try:
        cards = selected_cards(
            user=request.user, ids=data["ids"], text=data["q"] if data["all"] else None
        )
    except BulkRefused as error:
        messages.error(request, str(error).replace("nothing was changed", "nothing was exported"))
        return redirect(back)
    name = f"prep-cards-{timezone.localdate():%Y-%m-%d}"
    if data["format"] == "anki":
        return _download(stream_anki(cards), filename=f"{name}-anki.txt", content_type=_TEXT)
    return _download(stream_csv(with_tags(cards)), filename=f"{name}.csv", content_type=_CSV)
