from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from . import services
from .forms import WelcomeForm


@require_http_methods(["GET", "HEAD", "POST"])
def welcome(request):
    """The first run's one screen. Someone who has studied already is sent on."""
    zone = timezone.get_current_timezone()
    form = WelcomeForm(
        request.POST if request.method == "POST" else None,
        today=timezone.localdate(timezone=zone),
    )
    if request.method != "POST" and services.has_started(request.user):
        messages.info(request, "You have started studying already: choose your topics here.")
        return redirect("cards:study_start")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                session, new = services.start(
                    user=request.user,
                    track=form.cleaned_data["track"],
                    zone=zone,
                    interview_date=form.cleaned_data["interview_date"],
                    company=form.cleaned_data["company"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if not new:
                    messages.info(request, "Your first session had started already: here it is.")
                return redirect(session)
        status = 400
    return render(request, "accounts/welcome.html", {"form": form}, status=status)
