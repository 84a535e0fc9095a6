"""Interviews a person has coming (/interviews/): the list, each interview's
page with its checklist of questions to ask (interviews/checklists/), and its
calendar file."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe

from . import recall, services
from .checklists.views import checklist_context
from .forms import InterviewForm
from .models import Interview


@require_safe
def interview_list(request):
    interviews = Interview.objects.owned_by(request.user)
    return render(
        request,
        "interviews/interview_list.html",
        {"upcoming": interviews.upcoming(), "past": interviews.past(), "now": timezone.now()},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def interview_create(request):
    form = InterviewForm(
        request.POST if request.method == "POST" else None,
        instance=Interview(user=request.user),
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        interview = form.save()
        messages.success(request, "Interview saved. Now pick the questions you want to ask.")
        return redirect(interview)
    return render(request, "interviews/interview_form.html", {"form": form})


def _own_interview(request, pk: int) -> Interview:
    return get_object_or_404(Interview.objects.owned_by(request.user), pk=pk)


@require_safe
def interview_detail(request, pk: int):
    interview = _own_interview(request, pk)
    template = "interviews/interview_detail.html"
    context = checklist_context(request, interview)
    if request.htmx:
        template += "#checklist"
    else:
        found = recall.recall_for(user=request.user, interviews=[interview], now=timezone.now())
        context["recall"] = found.get(interview.pk)
    return render(request, template, context)


@require_http_methods(["GET", "HEAD", "POST"])
def interview_edit(request, pk: int):
    interview = _own_interview(request, pk)
    form = InterviewForm(
        request.POST if request.method == "POST" else None, instance=interview, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Interview saved.")
        return redirect(interview)
    return render(request, "interviews/interview_form.html", {"form": form, "interview": interview})


@require_http_methods(["GET", "HEAD", "POST"])
def interview_delete(request, pk: int):
    interview = _own_interview(request, pk)
    if request.method == "POST":
        interview.delete()
        messages.success(request, f"The {interview.company} interview was deleted.")
        return redirect("interviews:list")
    return render(
        request,
        "cards/confirm_delete.html",
        {"object": interview, "what": "interview", "warning": "Its checklist goes too."},
    )


@require_safe
def interview_calendar(request, pk: int):
    interview = _own_interview(request, pk)
    response = HttpResponse(
        services.interview_calendar(interview, host=request.get_host()),
        content_type="text/calendar; charset=utf-8",
    )
    name = slugify(f"{interview.company}-{interview.role}") or "interview"
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    return response
