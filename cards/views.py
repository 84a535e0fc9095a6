"""Topics and cards (/topics/..., /cards/...) and the search over them (/search/)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from prep_site import words
from prep_site.numbers import read_id

from . import services
from .forms import CardForm, CardPreviewForm, TopicForm, initial_card
from .images.services import pending_addresses, save_card_and_images
from .models import MAX_IMAGES_PER_CARD, MAX_MEDIA_BYTES, Card, CardMedia, Topic
from .models.media import kind_of
from .preview import preview_card

# The tags of each card listed, as a plain list (``card.tag_list``): a tag
# manager made per card costs more than the rest of a list's row.
TAG_LIST = Prefetch("tags", to_attr="tag_list")

CARDS_PER_PAGE = 50

# What the editor says of the images a card may keep.
IMAGE_LIMITS = {"image_max_bytes": MAX_MEDIA_BYTES, "images_per_card": MAX_IMAGES_PER_CARD}


# Topics ---------------------------------------------------------------------


@require_safe
def topic_list(request):
    topics = services.topics_with_card_counts(request.user)
    return render(request, "cards/topic_list.html", {"topics": topics})


@require_http_methods(["GET", "HEAD", "POST"])
def topic_create(request):
    form = TopicForm(request.POST if request.method == "POST" else None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        topic = form.save()
        messages.success(request, f"Topic “{topic.name}” created. Add its first card.")
        return redirect(f"{reverse('cards:card_create')}?topic={topic.pk}")
    return render(request, "cards/topic_form.html", {"form": form})


@require_safe
def topic_detail(request, pk: int):
    topic = get_object_or_404(Topic.objects.visible_to(request.user), pk=pk)
    cards = (
        Card.objects.visible_to(request.user)
        .filter(topic=topic)
        .prefetch_related(TAG_LIST)
        .order_by("id")
    )
    page = Paginator(cards, CARDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cards/topic_detail.html", {"topic": topic, "page": page})


@require_http_methods(["GET", "HEAD", "POST"])
def topic_edit(request, pk: int):
    topic = get_object_or_404(Topic.objects.owned_by(request.user), pk=pk)
    form = TopicForm(
        request.POST if request.method == "POST" else None, instance=topic, owner=request.user
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Topic saved.")
        return redirect(topic)
    return render(request, "cards/topic_form.html", {"form": form, "topic": topic})


@require_http_methods(["GET", "HEAD", "POST"])
def topic_delete(request, pk: int):
    topic = get_object_or_404(Topic.objects.owned_by(request.user), pk=pk)
    if request.method == "POST":
        name = topic.name
        services.delete_topic(topic)
        messages.success(request, f"Topic “{name}” and its cards were deleted.")
        return redirect("cards:topic_list")
    cards = topic.cards.count()
    warning = f"Its {words.count(cards, 'card')} {'goes' if cards == 1 else 'go'} too."
    return render(
        request, "cards/confirm_delete.html", {"object": topic, "what": "topic", "warning": warning}
    )


# Cards ----------------------------------------------------------------------


@require_safe
def card_detail(request, pk: int):
    # A starter card the person hid stays readable here, from the browser's is:hidden.
    cards = Card.objects.readable_by(request.user)
    card = get_object_or_404(cards.select_related("topic"), pk=pk)
    reviews, states = services.card_history(user=request.user, card=card, now=timezone.now())
    return render(
        request, "cards/card_detail.html", {"card": card, "reviews": reviews, "states": states}
    )


@require_safe
def card_media(request, pk: int, name: str):
    """An image of a card the person may read; any other, or none, is a 404."""
    media = get_object_or_404(
        CardMedia.objects.filter(card__in=Card.objects.readable_by(request.user)),
        card_id=pk,
        name=name,
    )
    response = FileResponse(
        media.file.open("rb"), content_type=kind_of(media.file.name).content_type
    )
    response["Cache-Control"] = "private, no-cache"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def card_create(request):
    form = CardForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial=initial_card(request.GET, user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        card = form.save(commit=False)
        card.owner = request.user
        save_card_and_images(card=card, tags=form.cleaned_data["tags"])
        messages.success(request, "Card added.")
        if "save_and_add" in request.POST:
            return redirect(f"{reverse('cards:card_create')}?{form.next_card_query()}")
        return redirect(card.topic)
    return render(request, "cards/card_form.html", {"form": form, **IMAGE_LIMITS})


@require_http_methods(["GET", "HEAD", "POST"])
def card_edit(request, pk: int):
    card = get_object_or_404(Card.objects.owned_by(request.user), pk=pk)
    form = CardForm(
        request.POST if request.method == "POST" else None, instance=card, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        card = form.save(commit=False)
        save_card_and_images(card=card, tags=form.cleaned_data["tags"])
        messages.success(request, "Card saved.")
        return redirect(card)
    return render(request, "cards/card_form.html", {"form": form, "card": card, **IMAGE_LIMITS})


@require_POST
def card_preview(request):
    """The editor's preview (an htmx fragment): the card as typed, as it will be
    studied. With ``card``, of changes to that card of the person's."""
    card = Card(owner=request.user)
    if "card" in request.POST:
        pk = read_id(request.POST["card"], Card)
        if pk is None:
            raise Http404("No such card.")
        card = get_object_or_404(Card.objects.owned_by(request.user), pk=pk)
    form = CardPreviewForm(request.POST, card=card, user=request.user)
    preview = None
    if form.is_valid():
        card = form.previewed_card()
        card.unsaved_images = pending_addresses(card=card, reader=request.user)
        preview = preview_card(card=card, reader=request.user)
    return render(request, "cards/card_form.html#preview", {"form": form, "preview": preview})


@require_http_methods(["GET", "HEAD", "POST"])
def card_delete(request, pk: int):
    card = get_object_or_404(Card.objects.owned_by(request.user), pk=pk)
    if request.method == "POST":
        topic = card.topic
        services.delete_card(card)
        messages.success(request, "Card deleted.")
        return redirect(topic)
    return render(
        request,
        "cards/confirm_delete.html",
        {"object": card, "what": "card", "warning": "Its study history goes too."},
    )


@require_POST
def card_suspend(request, pk: int):
    card = get_object_or_404(Card.objects.owned_by(request.user), pk=pk)
    card.suspended = not card.suspended
    card.save(update_fields=["suspended", "updated_at"])
    if request.htmx:
        return render(request, "cards/card_detail.html#suspend", {"card": card})
    messages.success(
        request, "Card suspended." if card.suspended else "Card back in your study sessions."
    )
    return redirect(card)


@require_safe
def search(request):
    query = request.GET.get("q", "")[:200]
    page = None
    if query.strip():
        cards = (
            Card.objects.search(query, reader=request.user)
            .select_related("topic")
            .prefetch_related(TAG_LIST)
            .order_by("topic__name", "id")
        )
        page = Paginator(cards, CARDS_PER_PAGE).get_page(request.GET.get("page"))
    template = "cards/search.html#results" if request.htmx else "cards/search.html"
    return render(request, template, {"query": query, "page": page})
