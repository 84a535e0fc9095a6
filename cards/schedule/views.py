"""Your schedule (/study/schedule/): the retention form and the optimizer.
The views glue HTTP to cards/schedule/services.py; a worker does the fitting."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Profile

from . import services
from .forms import OptimizeForm, RetentionForm
from .workload import workload_for


def _render(request, form: RetentionForm, *, status: int = 200, refused: str = ""):
    context = {
        "form": form,
        "schedule": form.instance,
        "job": services.latest_job(request.user),
        "refused": refused,
        "title": "Your schedule",
    }
    if request.htmx:
        return render(request, "cards/schedule.html#optimizer", context, status=status)
    context["workload"] = workload_for(
        user=request.user,
        schedule=form.instance,
        new_per_day=Profile.for_user(request.user).new_cards_per_day,
        today=timezone.localdate(),
    )
    return render(request, "cards/schedule.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def schedule(request):
    row = services.settings_for(request.user)
    if request.method != "POST":
        return _render(request, RetentionForm(instance=row))
    form = RetentionForm(request.POST, instance=row)
    if not form.is_valid():
        return _render(request, form, status=400)
    services.retention_save(
        user=request.user,
        retention=form.cleaned_data["desired_retention"],
        light_weekdays=form.cleaned_data["light_weekdays"],
        light_dates=form.cleaned_data["light_dates"],
        interview_days_light=form.cleaned_data["interview_days_light"],
    )
    messages.success(request, "Saved: your next intervals follow these settings.")
    return redirect("cards:schedule")


@require_POST
def schedule_optimize(request):
    """Optimize, optimize then reschedule, or reschedule alone (the button)."""
    asked = OptimizeForm(request.POST)
    if not asked.is_valid():
        form = RetentionForm(instance=services.settings_for(request.user))
        refused = " ".join(" ".join(errors) for errors in asked.errors.values())
        return _render(request, form, status=400, refused=refused)
    try:
        job = services.optimize_start(user=request.user, **asked.run())
    except services.OptimizeRefused as error:
        form = RetentionForm(instance=services.settings_for(request.user))
        return _render(request, form, status=409, refused=str(error))
    started = "The optimizer has started" if job.fit else "Rescheduling has started"
    messages.info(request, f"{started}: this page shows how far it has got.")
    return redirect("cards:schedule")
