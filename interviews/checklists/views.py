"""The checklist of questions to ask at an interview (/interviews/<pk>/checklist/...)
and the question bank they are picked from (/interviews/questions/...)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from prep_site.when import format_time

from ..models import ChecklistItem, Interview, QuestionCategory, QuestionToAsk
from . import services
from .forms import (
    AddFromBankForm,
    ChecklistItemForm,
    NewChecklistQuestionForm,
    QuestionToAskForm,
    ReorderForm,
)


def _own_interview(request, pk: int) -> Interview:
    return get_object_or_404(Interview.objects.owned_by(request.user), pk=pk)


def checklist_context(request, interview: Interview, **extra) -> dict:
    """The checklist panel of an interview's page: its items, and the bank's
    questions not on it yet (of the category asked for, if any)."""
    category = request.GET.get("category", "")
    bank = QuestionToAsk.objects.filter(user=request.user)
    if category in QuestionCategory.values:
        bank = bank.filter(category=category)
    on_list = set(
        interview.checklist.filter(question__isnull=False).values_list("question_id", flat=True)
    )
    return {
        "interview": interview,
        "items": list(interview.checklist.all()),
        "bank": [q for q in bank if q.pk not in on_list],
        "category": category,
        "categories": QuestionCategory.choices,
        "new_form": extra.pop("new_form", None) or NewChecklistQuestionForm(),
        **extra,
    }


# Checklist -------------------------------------------------------------------------


def _checklist_response(request, interview: Interview, status: int = 200):
    """The checklist panel for htmx; for a plain request, back to the interview
    page, or the page itself with the reason when the change was refused."""
    if request.htmx or status >= 400:
        template = "interviews/interview_detail.html"
        if request.htmx:
            template += "#checklist"
        return render(request, template, checklist_context(request, interview), status=status)
    return redirect(interview)


@require_POST
def checklist_add_from_bank(request, pk: int):
    interview = _own_interview(request, pk)
    form = AddFromBankForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.warning(request, " ".join(form.errors.get("questions", ["Nothing added."])))
        return _checklist_response(request, interview)
    try:
        added = services.checklist_add_from_bank(
            interview=interview, question_ids=[q.pk for q in form.cleaned_data["questions"]]
        )
    except services.ChecklistRejected as error:
        messages.error(request, str(error))
        return _checklist_response(request, interview, status=200 if request.htmx else 400)
    messages.success(request, f"Added {added} question{'s' if added != 1 else ''}.")
    return _checklist_response(request, interview)


@require_POST
def checklist_add_new(request, pk: int):
    interview = _own_interview(request, pk)
    form = NewChecklistQuestionForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return render(
                request,
                "interviews/interview_detail.html#checklist",
                checklist_context(request, interview, new_form=form),
            )
        context = checklist_context(request, interview, new_form=form)
        return render(request, "interviews/interview_detail.html", context, status=400)
    try:
        services.checklist_add_new(interview=interview, **form.cleaned_data)
    except services.ChecklistRejected as error:
        messages.error(request, str(error))
        return _checklist_response(request, interview, status=200 if request.htmx else 400)
    messages.success(request, "Question added.")
    return _checklist_response(request, interview)


def _own_item(request, pk: int, item_pk: int) -> ChecklistItem:
    return get_object_or_404(
        ChecklistItem.objects.select_related("interview").filter(interview__user=request.user),
        pk=item_pk,
        interview_id=pk,
    )


@require_POST
def checklist_item_update(request, pk: int, item_pk: int):
    """Tick a question off and note the answer heard; saved as it is typed."""
    item = _own_item(request, pk, item_pk)
    form = ChecklistItemForm(request.POST, instance=item)
    if form.is_valid():
        form.save()
        status, message = 200, f"Saved {format_time(timezone.now(), seconds=True)}"
    else:
        item.refresh_from_db()
        status = 200 if request.htmx else 400
        message = "Not saved: " + " ".join(e for errors in form.errors.values() for e in errors)
    if request.htmx:
        return render(
            request,
            "interviews/interview_detail.html#item-status",
            {"message": message, "ok": form.is_valid()},
            status=status,
        )
    (messages.success if form.is_valid() else messages.error)(request, message)
    return redirect(f"{item.interview.get_absolute_url()}#item-{item.pk}")


@require_POST
def checklist_item_delete(request, pk: int, item_pk: int):
    item = _own_item(request, pk, item_pk)
    item.delete()
    messages.success(request, "Question removed from the checklist.")
    return _checklist_response(request, item.interview)


@require_POST
def checklist_item_move(request, pk: int, item_pk: int):
    item = _own_item(request, pk, item_pk)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        messages.warning(request, "Move a question up or down.")
        return _checklist_response(request, item.interview, status=200 if request.htmx else 400)
    services.checklist_move(item=item, offset=offset)
    return _checklist_response(request, item.interview)


@require_POST
def checklist_reorder(request, pk: int):
    interview = _own_interview(request, pk)
    form = ReorderForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ChecklistRejected(" ".join(form.non_field_errors()))
        services.checklist_reorder(interview=interview, item_ids=form.cleaned_data["item_ids"])
    except services.ChecklistRejected as error:
        messages.error(request, str(error))
        # htmx only swaps 2xx responses: the refusal is shown in the panel.
        return _checklist_response(request, interview, status=200 if request.htmx else 400)
    return _checklist_response(request, interview)


@require_safe
def checklist_print(request, pk: int):
    interview = _own_interview(request, pk)
    return render(
        request,
        "interviews/checklist_print.html",
        {
            "interview": interview,
            "items": interview.checklist.all(),
        },
    )


@require_safe
def checklist_markdown(request, pk: int):
    interview = _own_interview(request, pk)
    response = HttpResponse(
        services.checklist_markdown(interview, shown_in=timezone.get_current_timezone()),
        content_type="text/markdown; charset=utf-8",
    )
    name = slugify(f"{interview.company}-questions") or "questions"
    response["Content-Disposition"] = f'attachment; filename="{name}.md"'
    return response


# Question bank -----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def question_bank(request):
    form = QuestionToAskForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        question = form.save(commit=False)
        question.user = request.user
        question.save()
        messages.success(request, "Question added to your bank.")
        return redirect(f"{reverse('interviews:question_bank')}?category={question.category}")
    category = request.GET.get("category", "")
    questions = QuestionToAsk.objects.filter(user=request.user)
    if category in QuestionCategory.values:
        questions = questions.filter(category=category)
    context = {
        "form": form,
        "can_seed": not request.user.profile.question_bank_seeded,
        "questions": questions,
        "category": category,
        "categories": QuestionCategory.choices,
    }
    template = "interviews/question_bank.html"
    if request.htmx and request.method == "GET":
        template += "#bank-list"
    return render(request, template, context, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def question_edit(request, question_pk: int):
    question = get_object_or_404(QuestionToAsk.objects.filter(user=request.user), pk=question_pk)
    form = QuestionToAskForm(request.POST if request.method == "POST" else None, instance=question)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Question saved.")
        return redirect("interviews:question_bank")
    return render(request, "interviews/question_form.html", {"form": form, "question": question})


@require_POST
def question_delete(request, question_pk: int):
    question = get_object_or_404(QuestionToAsk.objects.filter(user=request.user), pk=question_pk)
    question.delete()
    messages.success(request, "Question deleted from your bank (checklists keep their copy).")
    return redirect("interviews:question_bank")


@require_POST
def question_bank_seed(request):
    """Copy the starter questions into a bank that never had them."""
    added = services.seed_question_bank(user=request.user)
    messages.success(request, f"Added {added} starter question{'s' if added != 1 else ''}.")
    return redirect("interviews:question_bank")
