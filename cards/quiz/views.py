"""Quizzes: a scored run over some cards, apart from the study schedule unless
the person asks otherwise. The views glue HTTP to cards/quiz/services.py."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from prep_site import words

from ..models import Quiz, QuizItem
from . import services
from .forms import MarkForm, QuizStartForm

# Time on a card is capped: a card left open over lunch does not count an hour.
MAX_DURATION_MS = 10 * 60 * 1000


@require_http_methods(["GET", "HEAD", "POST"])
def quiz_start(request):
    """The form to start a quiz, and below it the history of past quizzes (its
    pages are swapped in by htmx)."""
    if request.method == "POST":
        form = QuizStartForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                quiz = services.start_quiz(
                    user=request.user,
                    topics=list(data["topics"]),
                    size=data["size"],
                    mode=data["mode"],
                    count_as_reviews=data["count_as_reviews"],
                )
            except services.QuizRejected as error:
                form.add_error(None, str(error))
            else:
                if quiz.size < data["size"]:
                    messages.info(
                        request,
                        f"Only {words.count(quiz.size, 'card')} could be drawn "
                        f"from those topics, so this quiz has {quiz.size}.",
                    )
                return redirect(quiz)
    else:
        initial = {"topics": request.GET.getlist("topic")} if "topic" in request.GET else {}
        form = QuizStartForm(initial=initial, user=request.user)
    history = services.quiz_history(user=request.user, page_number=request.GET.get("page"))
    if request.htmx and request.method == "GET":
        return render(request, "cards/quiz_start.html#history", {"history": history})
    return render(request, "cards/quiz_start.html", {"form": form, "history": history})


def _own_quiz(request, pk: int) -> Quiz:
    return get_object_or_404(Quiz.objects.filter(user=request.user), pk=pk)


def _render_item(request, quiz: Quiz, item: QuizItem, *, status: int = 200):
    context = {
        "quiz": quiz,
        "item": item,
        "progress": services.quiz_progress(quiz=quiz),
        "shown_at": int(timezone.now().timestamp() * 1000),
    }
    template = "cards/quiz_detail.html#item" if request.htmx else "cards/quiz_detail.html"
    return render(request, template, context, status=status)


def _render_result(request, quiz: Quiz, *, status: int = 200):
    result = services.quiz_result(quiz=quiz)
    return render(request, "cards/quiz_result.html", {"result": result}, status=status)


def _to_result(request, quiz: Quiz):
    url = reverse("cards:quiz_result", args=[quiz.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@require_safe
def quiz_detail(request, pk: int):
    """The card being asked now; once every card is marked, the result."""
    quiz = _own_quiz(request, pk)
    item = services.current_item(quiz=quiz)
    if item is None:
        return _to_result(request, quiz)
    return _render_item(request, quiz, item)


@require_POST
def quiz_answer(request, pk: int):
    quiz = _own_quiz(request, pk)
    form = MarkForm(request.POST)
    if not form.is_valid():
        reasons = " ".join(error for errors in form.errors.values() for error in errors)
        return _refuse(request, quiz, f"That mark was not recorded: {reasons}", status=400)
    now = timezone.now()
    duration_ms = 0
    if form.cleaned_data["shown_at"]:
        shown_for = int(now.timestamp() * 1000) - form.cleaned_data["shown_at"]
        duration_ms = min(max(shown_for, 0), MAX_DURATION_MS)
    try:
        services.mark_item(
            user=request.user,
            quiz=quiz,
            item_id=form.cleaned_data["item"],
            correct=form.correct,
            typed_answer=form.cleaned_data["typed_answer"],
            duration_ms=duration_ms,
            now=now,
        )
    except services.ItemNotInQuiz as error:
        return _refuse(request, quiz, str(error), status=404)
    except services.AlreadyMarked as error:
        return _refuse(request, quiz, str(error), status=200)
    item = services.current_item(quiz=quiz)
    if item is None:
        return _to_result(request, quiz)
    if request.htmx:
        return _render_item(request, quiz, item)
    return redirect(quiz)


def _refuse(request, quiz: Quiz, message: str, *, status: int):
    """A mark that was not recorded: say why and show where the quiz stands.
    A repeat of a mark already recorded is no error (the person sees the next
    card); a malformed mark is a 400 and a card from outside the quiz a 404,
    whose fragments quiz.js lets htmx swap in all the same."""
    messages.warning(request, message)
    item = services.current_item(quiz=quiz)
    if request.htmx:
        if item is None:
            response = _to_result(request, quiz)
        else:
            response = _render_item(request, quiz, item, status=status)
        response["HX-Trigger"] = "quiz-refused"
        return response
    if status == 404:
        if item is None:
            return _render_result(request, quiz, status=404)
        return _render_item(request, quiz, item, status=404)
    return redirect(quiz)


@require_safe
def quiz_result(request, pk: int):
    quiz = _own_quiz(request, pk)
    if quiz.finished_at is None and quiz.items.filter(correct__isnull=True).exists():
        messages.info(request, "Finish the quiz to see your score.")
        return redirect(quiz)
    return _render_result(request, quiz)
