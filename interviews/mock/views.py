"""Mock interviews: the questions an interviewer asks, answered against the clock
and scored against the key points a strong answer covers."""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Avg, Count, F, Max, Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget, trigger_client_event
from django_permissions_policy.decorators import permissions_policy_override

from prep_site import words
from prep_site.numbers import read_id, read_int
from prep_site.when import format_time

from ..models import (
    MAX_MOCK_AUDIO_SECONDS,
    Interview,
    InterviewerQuestion,
    MockAnswer,
    MockSession,
    PracticeArea,
)
from . import audio, followups, model_answers, progress, services
from .forms import AnswerForm, QuestionForm, ScoreForm, StartMockForm

SESSION_TEMPLATE = "interviews/mock/session.html"
# The answering page may use the microphone (its own origin only), to record an
# answer or dictate it; every other page keeps it off.
MICROPHONE_ALLOWED = permissions_policy_override(
    {**settings.PERMISSIONS_POLICY, "microphone": ["self"]}
)
SESSIONS_PER_PAGE = 20


def _fragment(request) -> bool:
    """htmx asked for a piece of the page (a history restore wants the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


# Starting, and the sessions so far ------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def start(request):
    form = StartMockForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            started = services.start_mock(
                user=request.user,
                areas=data["areas"],
                count=data["count"],
                time_limit_seconds=data["time_limit_seconds"],
                interview=data["interview"],
            )
        except services.MockRejected as error:
            form.add_error(None, str(error))
        else:
            if started.note:
                messages.info(request, started.note)
            if started.short:
                messages.info(
                    request,
                    f"You asked for {words.count(started.asked, 'question')} but only "
                    f"{started.drawn} {'matches' if started.drawn == 1 else 'match'}, "
                    "so this mock interview "
                    f"has {started.drawn}.",
                )
            return redirect(started.session)
    elif request.method == "GET" and read_id(request.GET.get("interview"), Interview):
        form = StartMockForm(
            initial={"interview": read_id(request.GET["interview"], Interview)}, user=request.user
        )
    sessions = (
        MockSession.objects.filter(user=request.user)
        .select_related("interview")
        .annotate(
            questions=Count("answers"),
            scored=Count("answers", filter=Q(answers__scored_at__isnull=False)),
            mean=Avg("answers__score"),
        )
        .order_by("-started_at", "-pk")
    )
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    for session in page:
        session.area_labels = services.area_labels(session.areas)
    return render(request, "interviews/mock/start.html", {"form": form, "page": page})


# One session ----------------------------------------------------------------------------


def _own_session(request, pk: int) -> MockSession:
    return get_object_or_404(MockSession.objects.filter(user=request.user), pk=pk)


def _answer_in(session: MockSession, answer_id) -> MockAnswer:
    """An answer of this session (so of this person); anything else is a 404."""
    answer_id = read_id(answer_id, MockAnswer)
    if answer_id is None:
        raise Http404("No such answer in this mock interview.")
    return get_object_or_404(session.answers.select_related("question"), pk=answer_id)


def _session_context(request, session: MockSession, *, draft: tuple[int, str] | None = None):
    """The state of the session: the question being answered or scored, or the
    summary once every question is scored (or the session was ended).

    ``draft`` is (answer id, text): text that was refused, put back in the box."""
    now = timezone.now()
    answers = list(session.answers.select_related("question").order_by("position"))
    current = None
    if session.finished_at is None:
        current = next((answer for answer in answers if answer.scored_at is None), None)
    context = {"session": session, "answers": answers, "current": current}
    if current is None:
        context["state"] = "summary"
        context["summary"] = services.session_summary(session=session)
        context["area_labels"] = services.area_labels(session.areas)
        return context
    if current.submitted_at is None:
        if current.started_at is None:
            services.begin_answer(answer=current, now=now)
        deadline = services.deadline_of(current, session)
        if now > deadline + services.EXPIRY_GRACE:
            # The page was away when the time ran out: hand in what was saved.
            try:
                services.submit_answer(answer=current, text=None, now=now)
            except services.MockRejected:  # another request handed it in just now
                current.refresh_from_db()
            else:
                messages.info(
                    request, "The time for this question ran out; your saved answer was kept."
                )
    context["is_last"] = current.position == answers[-1].position
    if current.submitted_at is None:
        remaining = max((deadline - now).total_seconds(), 0)
        minutes, seconds = divmod(math.ceil(remaining), 60)
        context.update(
            state="answering",
            deadline=deadline,
            remaining_ms=int(remaining * 1000),
            remaining_display=f"{minutes}:{seconds:02d}",
            time_limit=timedelta(seconds=session.time_limit_seconds),
            draft=draft[1] if draft and draft[0] == current.pk else current.text,
            max_audio_seconds=MAX_MOCK_AUDIO_SECONDS,
            max_audio_length=timedelta(seconds=MAX_MOCK_AUDIO_SECONDS),
        )
    else:
        context["state"] = "scoring"
        context["coaching"] = services.answer_coaching(answer=current)
        context["model_answer"] = model_answers.shown_for(
            user=request.user, question=current.question
        )
    return context


def _render_session(request, session: MockSession, *, status: int = 200, draft=None):
    template = f"{SESSION_TEMPLATE}#question" if _fragment(request) else SESSION_TEMPLATE
    context = _session_context(request, session, draft=draft)
    return render(request, template, context, status=status)


def _refuse(request, session: MockSession, message: str):
    """A request the session's state refused: say why and show where it stands.
    htmx swaps 2xx only, so the fragment comes with 200 and an HX-Trigger."""
    messages.warning(request, message)
    if request.htmx:
        return trigger_client_event(_render_session(request, session), "mock-refused")
    return redirect(session)


def _text_refused(request, session: MockSession, answer: MockAnswer, text: str, message: str):
    """Text refused for what it is (too long): the box keeps it. htmx only updates
    the save status; the plain form shows the page again with the text in the box."""
    if request.htmx:
        response = render(
            request, f"{SESSION_TEMPLATE}#save_status", {"save_error": message, "refused": True}
        )
        response = retarget(response, "#mock-save-status")
        response = reswap(response, "outerHTML")
        return trigger_client_event(response, "mock-refused")
    messages.error(request, message)
    return _render_session(request, session, status=400, draft=(answer.pk, text))


@require_safe
@MICROPHONE_ALLOWED
def session_detail(request, pk: int):
    return _render_session(request, _own_session(request, pk))


def _posted_text(request) -> str:
    form = AnswerForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["text"]
    # The one way this optional field is invalid is a null character: hand the
    # text as typed to the service, which refuses it with a message and writes nothing.
    return request.POST.get("text", "")


@require_POST
def answer_save(request, pk: int):
    """Autosave of the text typed so far. The htmx response is only the save
    status: the box being typed in is never replaced."""
    session = _own_session(request, pk)
    answer = _answer_in(session, request.POST.get("answer"))
    text = _posted_text(request)
    beacon = request.POST.get("beacon") == "1"  # sent by the page as it closes
    now = timezone.now()
    try:
        services.save_answer_text(answer=answer, text=text, now=now)
    except services.AnswerTextRefused as error:
        if beacon:
            return HttpResponse(status=204)
        return _text_refused(request, session, answer, text, str(error))
    except services.MockRejected as error:
        if beacon:
            return HttpResponse(status=204)
        if request.htmx:
            return trigger_client_event(
                render(
                    request,
                    f"{SESSION_TEMPLATE}#save_status",
                    {"save_error": str(error), "refused": True},
                ),
                "mock-refused",
            )
        messages.warning(request, str(error))
        return redirect(session)
    if beacon:
        return HttpResponse(status=204)
    if request.htmx:
        response = render(request, f"{SESSION_TEMPLATE}#save_status", {"saved_at": now})
        return trigger_client_event(response, "mock-saved")
    messages.success(request, f"Draft saved at {format_time(now, seconds=True)}.")
    return redirect(session)


@require_POST
def answer_submit(request, pk: int):
    session = _own_session(request, pk)
    answer = _answer_in(session, request.POST.get("answer"))
    text = _posted_text(request)
    try:
        services.submit_answer(answer=answer, text=text, now=timezone.now())
    except services.AnswerTextRefused as error:
        return _text_refused(request, session, answer, text, str(error))
    except services.MockRejected as error:
        return _refuse(request, session, str(error))
    if answer.timed_out:
        messages.info(request, "Time ran out: your answer was saved as it was.")
    if request.htmx:
        return _render_session(request, session)
    return redirect(session)


@require_POST
def answer_score(request, pk: int):
    session = _own_session(request, pk)
    answer = _answer_in(session, request.POST.get("answer"))
    form = ScoreForm(request.POST, key_points=answer.question.key_points)
    if not form.is_valid():
        return _refuse(request, session, " ".join(form.errors.get("covered", ["Not scored."])))
    try:
        services.score_answer(
            answer=answer, covered=form.cleaned_data["covered"], now=timezone.now()
        )
    except services.MockRejected as error:
        return _refuse(request, session, str(error))
    made = followups.after_scoring(user=request.user, answer=answer)
    if made:
        messages.info(request, made)
    if request.htmx:
        return _render_session(request, session)
    return redirect(session)


@require_POST
def answer_followups(request, pk: int):
    """Cards of the key points a scored answer missed. Back to the session, or to
    the question's history when the button was there."""
    session = _own_session(request, pk)
    answer = _answer_in(session, request.POST.get("answer"))
    try:
        made = followups.make_followup_cards(user=request.user, answer=answer)
    except followups.FollowupsRefused as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, made.message())
    if request.POST.get("back") == "history":
        return redirect(answer.question)
    return redirect(session)


@require_POST
def session_finish(request, pk: int):
    session = _own_session(request, pk)
    # The page sends the answer on screen and its text along; without them,
    # what was saved is kept.
    answer = _answer_in(session, request.POST["answer"]) if "answer" in request.POST else None
    text = _posted_text(request) if answer is not None and "text" in request.POST else None
    try:
        services.finish_mock(session=session, now=timezone.now(), answer=answer, text=text)
    except services.AnswerTextRefused as error:
        return _text_refused(request, session, answer, text, str(error))
    except services.MockRejected as error:
        return _refuse(request, session, str(error))
    messages.info(request, "Mock interview ended.")
    if request.htmx:
        return _render_session(request, session)
    return redirect(session)


# Answering aloud -----------------------------------------------------------------------


NOT_A_LENGTH = object()


@require_POST
def audio_upload(request, pk: int):
    """The recording the page made of the answer on screen (multipart: the
    answer's id, the file, its length in seconds as the page counted it). The
    page's script gets the player back, or the reason with a 400."""
    session = _own_session(request, pk)
    answer = _answer_in(session, request.POST.get("answer"))
    upload = request.FILES.get("audio")
    # The length is the page's own count, a hint (the size is the hard limit).
    seconds = request.POST.get("seconds") or None
    if seconds is not None:
        seconds = read_int(seconds, low=0, high=10**6, default=NOT_A_LENGTH)
    try:
        if upload is None:
            raise audio.AudioRefused("No recording came with the request. Nothing was saved.")
        if seconds is NOT_A_LENGTH:
            raise audio.AudioRefused(
                "The recording's length is not a number of seconds. Nothing was saved."
            )
        audio.save_answer_audio(answer=answer, upload=upload, seconds=seconds)
    except (audio.AudioRefused, services.MockRejected) as error:
        if not request.htmx:
            messages.error(request, str(error))
            return redirect(session)
        context = {"answer": answer, "audio_error": str(error)}
        return render(request, f"{SESSION_TEMPLATE}#audio", context, status=400)
    if not request.htmx:
        messages.success(request, "Your spoken answer was saved.")
        return redirect(session)
    return render(request, f"{SESSION_TEMPLATE}#audio", {"answer": answer})


@require_safe
def audio_file(request, pk: int):
    """A spoken answer of the person's own; anyone else's, or none, is a 404."""
    answer = get_object_or_404(
        MockAnswer.objects.filter(session__user=request.user).exclude(audio=""), pk=pk
    )
    kind = audio.kind_of(answer.audio.name)
    response = FileResponse(answer.audio.open("rb"), content_type=kind.content_type)
    response["Cache-Control"] = "private, no-cache"
    return response


# The question bank ----------------------------------------------------------------------


@require_safe
def question_list(request):
    area = request.GET.get("area", "")
    if area not in PracticeArea.values:
        area = ""
    mine = Q(answers__session__user=request.user)
    questions = services.questions_for(request.user).annotate(
        times=Count("answers", filter=mine & Q(answers__submitted_at__isnull=False)),
        best=Max("answers__score", filter=mine),
    )
    if area:
        questions = questions.filter(area=area)
    template = "interviews/mock/question_list.html"
    if _fragment(request):
        template += "#list"
    return render(
        request,
        template,
        {
            "questions": questions.order_by("area", F("owner_id").desc(nulls_last=True), "id"),
            "area": area,
            "areas": PracticeArea.choices,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def question_create(request):
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        instance=InterviewerQuestion(owner=request.user),
    )
    if request.method == "POST" and form.is_valid():
        question = form.save()
        messages.success(request, "Question added: it can now be drawn in your mock interviews.")
        return redirect(f"{reverse('mock:question_list')}?area={question.area}")
    return render(request, "interviews/mock/question_form.html", {"form": form})


def _own_question(request, pk: int) -> InterviewerQuestion:
    """Only the person's own questions change; the starter bank is read-only (404)."""
    return get_object_or_404(InterviewerQuestion.objects.filter(owner=request.user), pk=pk)


@require_http_methods(["GET", "HEAD", "POST"])
def question_edit(request, pk: int):
    question = _own_question(request, pk)
    form = QuestionForm(request.POST if request.method == "POST" else None, instance=question)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Question saved.")
        return redirect(question)
    return render(
        request, "interviews/mock/question_form.html", {"form": form, "question": question}
    )


@require_http_methods(["GET", "HEAD", "POST"])
def question_delete(request, pk: int):
    question = _own_question(request, pk)
    if request.method == "POST":
        audio.delete_question(question)
        messages.success(request, "Question deleted, with your answers to it.")
        return redirect("mock:question_list")
    return render(
        request,
        "interviews/mock/question_confirm_delete.html",
        {"question": question, "answer_count": question.answers.count()},
    )


def _history_page(request, question: InterviewerQuestion, *, draft=None, status: int = 200):
    history = progress.question_history(user=request.user, question=question)
    shown = model_answers.shown_for(user=request.user, question=question)
    return render(
        request,
        "interviews/mock/question_history.html",
        {"question": question, "history": history, "model_answer": shown, "draft": draft},
        status=status,
    )


@require_safe
def question_history(request, pk: int):
    return _history_page(request, get_object_or_404(services.questions_for(request.user), pk=pk))


MODEL_ANSWER_SAID = {
    "saved": "Your model answer was saved.",
    "removed": "Your model answer was deleted.",
    "unchanged": "There was no model answer of yours to delete.",
}


@require_POST
def model_answer_save(request, pk: int):
    """The person's own model answer to a question: on their own question, or
    their override of a starter one. Empty text deletes it."""
    question = get_object_or_404(services.questions_for(request.user), pk=pk)
    text = request.POST.get("text", "")
    try:
        outcome = model_answers.write_own(user=request.user, question=question, text=text)
    except model_answers.ModelAnswerRefused as error:
        messages.error(request, str(error))
        return _history_page(request, question, draft=text, status=400)
    said = MODEL_ANSWER_SAID[outcome]
    if outcome == "removed" and question.owner_id is None and question.model_answer:
        said += " The starter model answer is shown again."
    if outcome == "unchanged":
        messages.info(request, said)
    else:
        messages.success(request, said)
    back = request.POST.get("next", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = question.get_absolute_url()
    return HttpResponseRedirect(back)
