"""Interviews a person has coming (/interviews/): the list, each interview's
page with its checklist of questions to ask (interviews/checklists/), and its
calendar file."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cards.progress.readiness import plan_for
from prep_site import words

from . import cram, recall, services
from .checklists.views import checklist_context
from .forms import CramForm, InterviewForm
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
        now = timezone.now()
        found = recall.kept_recall_for(user=request.user, interviews=[interview], now=now)
        context["recall"] = found.get(interview.pk)
        context["ready"] = plan_for(
            user=request.user,
            interview=interview,
            zone=timezone.get_current_timezone(),
            now=now,
            recall=context["recall"],
        )
        context["cram_form"], context["cram_max"] = CramForm(), cram.MAX_PROMPTS
    return render(request, template, context)


@require_POST
def interview_cram(request, pk: int):
    """Start a cram quiz for the interview; a refusal is said on its page."""
    interview = _own_interview(request, pk)
    form = CramForm(request.POST)
    if not form.is_valid():
        messages.warning(request, " ".join(form.errors["schedule"]))
        return redirect(interview)
    try:
        quiz = cram.start_cram(
            user=request.user,
            interview=interview,
            move_due_dates=form.move_due_dates,
            now=timezone.now(),
        )
    except cram.CramRejected as error:
        messages.warning(request, str(error))
        return redirect(interview)
    schedule = "moves your due dates" if quiz.count_as_reviews else "leaves your schedule alone"
    messages.info(
        request,
        f"Cram for {interview.company}: {words.count(quiz.size, 'prompt')}, "
        f"the ones you are least likely to recall on the day first. It {schedule}.",
    )
    return redirect(quiz)


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
        services.interview_calendar(interview),
        content_type="text/calendar; charset=utf-8",
    )
    name = slugify(f"{interview.company}-{interview.role}") or "interview"
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    return response
