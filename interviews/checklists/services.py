"""Workflows of the checklists of questions to ask at an interview, and of the
question bank they are picked from."""

from datetime import tzinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from accounts.models import Profile
from prep_site.zones import describe_moment

from ..models import MAX_BANK_QUESTIONS, ChecklistItem, Interview, QuestionToAsk


class ChecklistRejected(Exception):
    """The change was refused; ``str(error)`` says why, for the person."""


def _check(check, *args) -> None:
    """Run a model's limit check, its refusal as a ChecklistRejected."""
    try:
        check(*args)
    except ValidationError as error:
        raise ChecklistRejected(" ".join(error.messages)) from None


@transaction.atomic
def seed_question_bank(*, user) -> int:
    """Copy the starter questions into the person's bank, once: after that the
    bank is theirs to edit, and deleted questions stay deleted."""
    profile = Profile.for_user(user)
    if profile.question_bank_seeded:
        return 0
    profile.question_bank_seeded = True
    room = MAX_BANK_QUESTIONS - QuestionToAsk.objects.filter(user=user).count()
    starter = QuestionToAsk.objects.filter(user=None).order_by("category", "id")[: max(room, 0)]
    copies = QuestionToAsk.objects.bulk_create(
        [
            QuestionToAsk(user=user, category=q.category, text=q.text, starter_key=q.starter_key)
            for q in starter
        ],
        ignore_conflicts=True,
    )
    profile.save(update_fields=["question_bank_seeded"])
    return len(copies)


def _next_position(interview: Interview) -> int:
    return (interview.checklist.aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def checklist_add_from_bank(*, interview: Interview, question_ids: list[int]) -> int:
    """Add the person's bank questions to the checklist, skipping any already on it."""
    questions = QuestionToAsk.objects.filter(user=interview.user_id, pk__in=question_ids)
    if len(set(question_ids)) != questions.count():
        raise ChecklistRejected("Some of those questions are not in your bank.")
    present = set(
        interview.checklist.filter(question__isnull=False).values_list("question_id", flat=True)
    )
    questions = [q for q in questions.order_by("category", "id") if q.pk not in present]
    _check(interview.check_checklist_room, len(questions))
    items = [
        ChecklistItem(interview=interview, question=question, text=question.text, position=n)
        for n, question in enumerate(questions, start=_next_position(interview))
    ]
    ChecklistItem.objects.bulk_create(items)
    return len(items)


@transaction.atomic
def checklist_add_new(
    *, interview: Interview, text: str, category: str, save_to_bank: bool
) -> ChecklistItem:
    text = text.strip()
    _check(interview.check_checklist_room, 1)
    question = None
    if save_to_bank:
        _check(QuestionToAsk.check_room, interview.user_id)
        question = QuestionToAsk(user_id=interview.user_id, category=category, text=text)
        question.full_clean()
        question.save()
    item = ChecklistItem(
        interview=interview, question=question, text=text, position=_next_position(interview)
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def checklist_reorder(*, interview: Interview, item_ids: list[int]) -> None:
    """Put the checklist in the given order, in one request. The ids must be
    exactly this interview's items: anything else is refused whole."""
    items = {item.pk: item for item in interview.checklist.select_for_update()}
    if len(item_ids) != len(set(item_ids)) or set(item_ids) != set(items):
        raise ChecklistRejected(
            "The new order must list every question of this checklist once, and no other."
        )
    for position, pk in enumerate(item_ids, start=1):
        items[pk].position = position
    ChecklistItem.objects.bulk_update(items.values(), ["position"])


@transaction.atomic
def checklist_move(*, item: ChecklistItem, offset: int) -> None:
    """Move an item one place up (-1) or down (+1)."""
    order = list(item.interview.checklist.select_for_update().values_list("pk", flat=True))
    index = order.index(item.pk)
    target = index + offset
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
        checklist_reorder(interview=item.interview, item_ids=order)


def checklist_markdown(interview: Interview, *, shown_in: tzinfo) -> str:
    """The checklist with the answers heard, as Markdown; the interview's time
    as the pages write it, in the zone ``shown_in``."""
    when = describe_moment(interview.scheduled_at, shown_in=shown_in, own_zone=interview.timezone)
    lines = [
        f"# Questions for {interview.company}: {interview.role}",
        "",
        f"{interview.get_stage_display()}, {when}",
        "",
    ]
    items = list(interview.checklist.all())
    for item in items:
        lines.append(f"- [{'x' if item.asked else ' '}] {item.text}")
        for answer_line in item.answer.strip().splitlines():
            lines.append(f"  > {answer_line}" if answer_line.strip() else "  >")
    if not items:
        lines.append("_No questions yet._")
    return "\n".join(lines) + "\n"
