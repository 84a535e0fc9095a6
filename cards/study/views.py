"""Study sessions (/study/...): the cards due and new, one at a time, graded
Again, Hard, Good or Easy and rescheduled with FSRS. The views glue HTTP to
cards/study/services.py."""

import json

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import Profile
from prep_site.numbers import read_id

from .. import leeches, scheduling
from ..models import Prompt, StudySession
from . import services, summary, upcoming
from .forms import GradeForm, StudyStartForm, UndoForm


@require_http_methods(["GET", "HEAD", "POST"])
def study_start(request):
    form = StudyStartForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        session = services.start_session(
            user=request.user,
            topics=form.cleaned_data["topics"],
            own_only=form.cleaned_data["own_only"],
            tags=form.cleaned_data["tags"],
        )
        return redirect(session)
    if request.method != "POST":
        chosen = request.GET.getlist("topic") or services.last_topic_ids(request.user)
        form = StudyStartForm(initial={"topics": chosen}, user=request.user)
    profile = Profile.for_user(request.user)
    return render(request, "cards/study_start.html", {"form": form, "profile": profile})


def _prefetch(request) -> bool:
    """Whether the page holds the next cards: yes, unless its address says
    ``prefetch=0`` (then every grade waits for the server, as without scripts)."""
    address = request.GET if request.method == "GET" else {}
    if address.get("prefetch") == "0":
        return False
    return "prefetch=0" not in request.headers.get("HX-Current-URL", "")


def _profile(request) -> Profile:
    """The person's profile, read once a request."""
    if not hasattr(request, "study_profile"):
        request.study_profile = Profile.for_user(request.user)
    return request.study_profile


def _study_context(request, session: StudySession, nxt: services.NextPrompt, hold=True) -> dict:
    last_review_id = services.latest_review_id(session)
    held = []
    if nxt.prompt is not None and (not nxt.previews or (hold and _prefetch(request))):
        held = upcoming.held_items(
            session=session,
            now=timezone.now(),
            zone=timezone.get_current_timezone(),
            profile=_profile(request),
            count=upcoming.HELD if hold and _prefetch(request) else 0,
            skip=[nxt.prompt.pk],
            after=nxt,
        )
    buttons = (
        [
            (rating, label, scheduling.format_interval(nxt.previews[rating]))
            for rating, label in ((1, "Again"), (2, "Hard"), (3, "Good"), (4, "Easy"))
        ]
        if nxt.prompt
        else []
    )
    return {
        "session": session,
        "next": nxt,
        "buttons": buttons,
        "last_review_id": last_review_id,
        "shown_at": int(timezone.now().timestamp() * 1000),
        "reveal": request.GET.get("reveal") == "1",
        # The cards held, for study.js: JSON in an attribute (escaped as any).
        "held": json.dumps(held) if held else "",
        "version": upcoming.version(nxt.prompt) if nxt.prompt else 0,
    }


def _render_study(
    request, session: StudySession, nxt: services.NextPrompt, status=200, *, hold=True
):
    """The study page, or its card for htmx. ``hold``: with the next cards (the
    page's script grades without htmx when it holds them, so an htmx grade's
    card goes without)."""
    context = _study_context(request, session, nxt, hold)
    template = "cards/study_session.html#card" if request.htmx else "cards/study_session.html"
    return render(request, template, context, status=status)


def _next_for(request, session: StudySession, *, remember=False, hold=True) -> services.NextPrompt:
    """The card to show; with ``hold`` (the page holds the cards after it) its
    intervals are worked out with theirs (_study_context)."""
    profile = _profile(request)
    return services.next_prompt_for(
        session=session,
        now=timezone.now(),
        zone=timezone.get_current_timezone(),
        new_per_day=profile.new_cards_per_day,
        remember=remember,
        profile=profile,
        previews=not (hold and _prefetch(request)),
    )


def _show(request, session: StudySession, prompt: Prompt) -> services.NextPrompt:
    return services.show_prompt(
        session=session,
        prompt=prompt,
        now=timezone.now(),
        zone=timezone.get_current_timezone(),
        new_per_day=_profile(request).new_cards_per_day,
        previews=not _prefetch(request),
    )


def _own_session(request, pk: int) -> StudySession:
    # With the person's scheduler settings: grading and the next card read them.
    sessions = StudySession.objects.filter(user=request.user)
    return get_object_or_404(sessions.select_related("user__scheduler_settings"), pk=pk)


@require_safe
def study_session(request, pk: int):
    session = _own_session(request, pk)
    prompt_id = read_id(request.GET.get("prompt"), Prompt)
    prompt = None
    if prompt_id is not None:
        prompt = services.prompt_in_session(session=session, prompt_id=prompt_id)
    nxt = _show(request, session, prompt) if prompt is not None else _next_for(request, session)
    return _render_study(request, session, nxt)


@require_POST
def study_grade(request, pk: int):
    session = _own_session(request, pk)
    form = GradeForm(request.POST)
    if not form.is_valid():
        message = " ".join(e for errors in form.errors.values() for e in errors)
        return _reject(request, session, f"That grade was not recorded: {message}", status=400)
    data = form.cleaned_data
    log = services.recorded_grade(user=request.user, key=data["key"])
    if log is None:
        if session.finished_at is not None:
            message = "This session has ended, so the grade was not recorded. Start a new one."
            return _reject(request, session, message, status=409)
        prompt = services.prompt_in_session(session=session, prompt_id=data["prompt"])
        if prompt is None:
            return _reject(request, session, "That card is not part of this session.", status=404)
        try:
            log = _grade(request, session, prompt, data)
        except services.GradeRejected as error:
            log = services.recorded_grade(user=request.user, key=data["key"])
            if log is None:
                return _reject(request, session, str(error), status=409)
        else:
            if log.leech is not None:
                messages.warning(request, _leech_message(log.leech, prompt.card))
    if _wants_json(request):
        return _graded_json(request, session, log, data)
    if request.htmx:
        nxt = _next_for(request, session, remember=True, hold=False)
        return _render_study(request, session, nxt, hold=False)
    return redirect(session)


def _grade(request, session: StudySession, prompt: Prompt, data: dict):
    now = services.grade_time(data["graded_at"], now=timezone.now())
    shown_at = data["shown_at"]
    duration_ms = 0
    if shown_at:
        # Time on the card, capped so a card left open over lunch does not count an hour.
        duration_ms = min(max(int(now.timestamp() * 1000) - shown_at, 0), 10 * 60 * 1000)
    return services.grade_prompt(
        user=request.user,
        session=session,
        prompt=prompt,
        rating=data["rating"],
        expected_reps=data["reps"],
        duration_ms=duration_ms,
        now=now,
        key=data["key"],
    )


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _graded_json(request, session: StudySession, log, data: dict) -> JsonResponse:
    """What the study page's script needs after a grade: the review (to undo it),
    the cards to add after those it holds, and what to correct among them."""
    fixes = upcoming.corrections(
        session=session,
        log=log,
        held=data["held"],
        known=data["known"],
        now=timezone.now(),
        zone=timezone.get_current_timezone(),
        profile=_profile(request),
    )
    notes = [str(message) for message in messages.get_messages(request)]
    return JsonResponse(
        {
            "review": log.pk,
            "prompt": log.prompt_id,
            "rating": log.rating,
            "add": fixes.add,
            "drop": fixes.drop,
            "again": fixes.again,
            "due_count": fixes.due_count,
            "new_left_today": fixes.new_left_today,
            "messages": notes,
        }
    )


def _leech_message(leech: leeches.Leech, card) -> str:
    if leech is leeches.Leech.SUSPENDED:
        return format_html(
            "This card was forgotten {} times: it is now tagged {} and suspended. "
            'Rewrite it or split it, then unsuspend it. <a href="{}">Edit the card</a>',
            leeches.LEECH_LAPSES,
            leeches.LEECH_TAG,
            reverse("cards:card_edit", args=[card.pk]),
        )
    return format_html(
        "This card was forgotten {} times. It is a starter card, shared by everyone, "
        'so it stays as it is. <a href="{}">Write a card of your own</a> in its place; '
        "your progress page lists it.",
        leeches.LEECH_LAPSES,
        reverse("cards:card_create"),
    )


def _reject(request, session: StudySession, message: str, *, status: int):
    """A grade or undo that was refused: say why and show the current card.
    htmx gets the fragment (htmx swaps 2xx only, so the refusal is reported in
    the page with status 200 and the HX-Trigger tells scripts it happened)."""
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    messages.warning(request, message)
    if request.htmx:
        response = _render_study(request, session, _next_for(request, session))
        response["HX-Trigger"] = "study-refused"
        return response
    if status == 404:
        return _render_study(request, session, _next_for(request, session), status=404)
    return redirect(session)


@require_POST
def study_undo(request, pk: int):
    session = _own_session(request, pk)
    form = UndoForm(request.POST)
    if not form.is_valid():
        return _reject(request, session, "There is nothing to undo.", status=400)
    try:
        log = services.undo_review(
            user=request.user, review_id=form.cleaned_data["review"], session=session
        )
    except services.UndoRejected as error:
        return _reject(request, session, str(error), status=409)
    messages.info(request, "Grade undone: here is that card again.")
    if request.htmx:
        nxt = _show(request, session, log.prompt)
        return _render_study(request, session, nxt)
    return redirect(f"{session.get_absolute_url()}?prompt={log.prompt_id}")


@require_POST
def study_end(request, pk: int):
    session = _own_session(request, pk)
    if session.finished_at is None:
        session.finished_at = timezone.now()
        session.save(update_fields=["finished_at"])
    url = reverse("cards:study_summary", args=[session.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@require_safe
def study_summary(request, pk: int):
    session = _own_session(request, pk)
    found = summary.summarize_session(session)
    return render(request, "cards/study_summary.html", {"session": session, "summary": found})
