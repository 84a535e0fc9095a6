"""Downloads of cards as CSV or as a text file for Anki's importer."""

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from ..models import Topic
from .formats import exportable_cards, stream_anki, stream_csv, with_tags


def _download(stream, *, filename: str, content_type: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    # A person's cards: never kept by a shared cache.
    patch_cache_control(response, private=True, no_store=True)
    return response


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
