"""The home page (/) and the progress dashboard (/progress/): what is due, the
streak, the review heatmap and forecast, mastery per topic, recent quizzes and
mock interviews, and readiness for the interviews coming up."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.forms import SignupForm
from accounts.models import Profile
from interviews.models import Interview
from interviews.recall import kept_recall_for

from .. import leeches, services
from ..models import Progress, ReviewLog, StudySession
from . import charts
from .dashboard import kept_dashboard, kept_review_days, streaks
from .readiness import pace_of, readiness_for


@require_safe
@login_not_required
def landing(request):
    if request.user.is_authenticated:
        return home(request)
    return render(request, "landing.html", {"signup_form": SignupForm(autofocus=False)})


def home(request):
    user = request.user
    now = timezone.now()
    topics = services.kept_topics_with_card_counts(user)
    due_now = Progress.objects.filter(user=user, due__lte=now, suspended=False).count()
    zone = timezone.get_current_timezone()
    reviews_today = ReviewLog.objects.filter(
        user=user, reviewed_at__gte=services.start_of_day(now, zone)
    ).count()
    # Someone who has studied nothing is guided instead: what waits, and how to begin.
    studied = bool(due_now or reviews_today) or Progress.objects.filter(user=user).exists()
    new_waiting = None if studied else sum(services.kept_studiable_prompts(user).values())
    streak, _longest = streaks(set(kept_review_days(user=user)), now.astimezone(zone).date())
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
            "studied": studied,
            "new_waiting": new_waiting,
            "reviews_today": reviews_today,
            "streak": streak,
            "last_session": last_session,
            "next_interview": next_interview,
            "days_left": days_left,
        },
    )


@require_safe
def progress_dashboard(request):
    now = timezone.now()
    zone = timezone.get_current_timezone()
    profile = Profile.for_user(request.user)
    dashboard = kept_dashboard(
        user=request.user, zone=zone, now=now, new_per_day=profile.new_cards_per_day
    )
    upcoming = list(
        Interview.objects.owned_by(request.user).upcoming().prefetch_related("topics")[:3]
    )
    recalls = kept_recall_for(
        user=request.user,
        interviews=upcoming,
        now=now,
        prompts_per_topic={entry.topic.pk: entry.prompts for entry in dashboard.topics},
    )
    return render(
        request,
        "cards/progress.html",
        {
            "dashboard": dashboard,
            "heatmap": charts.heatmap(dashboard.day_counts, dashboard.today),
            "forecast": charts.bar_chart(dashboard.forecast),
            "leeches": leeches.kept_leeches_of(request.user),
            "leech_lapses": leeches.LEECH_LAPSES,
            "readiness": readiness_for(
                user=request.user,
                interviews=upcoming,
                zone=zone,
                now=now,
                known=dashboard.topics,
                recalls=recalls,
                pace=pace_of(
                    request.user, today=dashboard.today, new_limit=profile.new_cards_per_day
                ),
            ),
        },
    )
