from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Profile
from interviews.models import Interview

from . import charts, progress, services
from .forms import CardForm, TopicForm
from .models import Card, Progress, ReviewLog, StudySession, Topic

CARDS_PER_PAGE = 50


# Home ----------------------------------------------------------------------


@require_GET
@login_not_required
def landing(request):
    if request.user.is_authenticated:
        return home(request)
    return render(request, "landing.html")


def home(request):
    user = request.user
    now = timezone.now()
    topics = services.topics_with_card_counts(user)
    due_now = Progress.objects.filter(user=user, due__lte=now, suspended=False).count()
    zone = timezone.get_current_timezone()
    reviews_today = ReviewLog.objects.filter(
        user=user, reviewed_at__gte=services.start_of_day(now, zone)
    ).count()
    streak, _longest = progress.streaks(
        set(progress.review_days(user=user)), now.astimezone(zone).date()
    )
    last_session = StudySession.objects.filter(user=user).first()
    next_interview = Interview.objects.owned_by(user).upcoming().first()
    days_left = None
    if next_interview:
        days_left = (
            timezone.localtime(next_interview.scheduled_at, zone).date()
            - timezone.localtime(now, zone).date()
        ).days
    return render(
        request,
        "home.html",
        {
            "topics": topics,
            "due_now": due_now,
            "reviews_today": reviews_today,
            "streak": streak,
            "last_session": last_session,
            "next_interview": next_interview,
            "days_left": days_left,
        },
    )


# Topics ---------------------------------------------------------------------


@require_GET
def topic_list(request):
    topics = services.topics_with_card_counts(request.user)
    return render(request, "cards/topic_list.html", {"topics": topics})


@require_http_methods(["GET", "POST"])
def topic_create(request):
    form = TopicForm(request.POST if request.method == "POST" else None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        topic = form.save()
        messages.success(request, f"Topic “{topic.name}” created. Add its first card.")
        return redirect(f"{reverse('cards:card_create')}?topic={topic.pk}")
    return render(request, "cards/topic_form.html", {"form": form})


@require_GET
def topic_detail(request, pk: int):
    topic = get_object_or_404(Topic.objects.visible_to(request.user), pk=pk)
    cards = (
        Card.objects.visible_to(request.user)
        .filter(topic=topic)
        .prefetch_related("tags")
        .order_by("id")
    )
    page = Paginator(cards, CARDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cards/topic_detail.html", {"topic": topic, "page": page})


@require_http_methods(["GET", "POST"])
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


@require_http_methods(["GET", "POST"])
def topic_delete(request, pk: int):
    topic = get_object_or_404(Topic.objects.owned_by(request.user), pk=pk)
    if request.method == "POST":
        name = topic.name
        topic.delete()
        messages.success(request, f"Topic “{name}” and its cards were deleted.")
        return redirect("cards:topic_list")
    return render(
        request,
        "cards/confirm_delete.html",
        {"object": topic, "what": "topic", "warning": f"Its {topic.cards.count()} cards go too."},
    )


# Cards ----------------------------------------------------------------------


@require_GET
def card_detail(request, pk: int):
    card = get_object_or_404(Card.objects.visible_to(request.user).select_related("topic"), pk=pk)
    reviews, states = progress.card_history(user=request.user, card=card, now=timezone.now())
    return render(
        request, "cards/card_detail.html", {"card": card, "reviews": reviews, "states": states}
    )


@require_http_methods(["GET", "POST"])
def card_create(request):
    initial = {}
    topic_id = request.GET.get("topic", "")
    if topic_id.isdigit():
        initial["topic"] = Topic.objects.visible_to(request.user).filter(pk=topic_id).first()
    form = CardForm(
        request.POST if request.method == "POST" else None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        card = form.save(commit=False)
        card.owner = request.user
        services.save_card(card=card, tags=form.cleaned_data["tags"])
        messages.success(request, "Card added.")
        if "save_and_add" in request.POST:
            return redirect(f"{reverse('cards:card_create')}?topic={card.topic_id}")
        return redirect(card.topic)
    return render(request, "cards/card_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def card_edit(request, pk: int):
    card = get_object_or_404(Card.objects.owned_by(request.user), pk=pk)
    form = CardForm(
        request.POST if request.method == "POST" else None, instance=card, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        card = form.save(commit=False)
        services.save_card(card=card, tags=form.cleaned_data["tags"])
        messages.success(request, "Card saved.")
        return redirect(card)
    return render(request, "cards/card_form.html", {"form": form, "card": card})


@require_http_methods(["GET", "POST"])
def card_delete(request, pk: int):
    card = get_object_or_404(Card.objects.owned_by(request.user), pk=pk)
    if request.method == "POST":
        topic = card.topic
        card.delete()
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


@require_GET
def search(request):
    query = request.GET.get("q", "")[:200]
    page = None
    if query.strip():
        cards = (
            Card.objects.search(query, reader=request.user)
            .select_related("topic")
            .prefetch_related("tags")
            .order_by("topic__name", "id")
        )
        page = Paginator(cards, CARDS_PER_PAGE).get_page(request.GET.get("page"))
    template = "cards/search.html#results" if request.htmx else "cards/search.html"
    return render(request, template, {"query": query, "page": page})


# Progress ---------------------------------------------------------------------------


@require_GET
def progress_dashboard(request):
    now = timezone.now()
    zone = timezone.get_current_timezone()
    profile = Profile.for_user(request.user)
    dashboard = progress.dashboard_for(
        user=request.user, zone=zone, now=now, new_per_day=profile.new_cards_per_day
    )
    upcoming = list(
        Interview.objects.owned_by(request.user).upcoming().prefetch_related("topics")[:3]
    )
    return render(
        request,
        "cards/progress.html",
        {
            "dashboard": dashboard,
            "heatmap": charts.heatmap(dashboard.day_counts, dashboard.today),
            "forecast": charts.bar_chart(dashboard.forecast),
            "readiness": progress.readiness_for(
                user=request.user,
                interviews=upcoming,
                zone=zone,
                now=now,
                known=dashboard.topics,
            ),
        },
    )
