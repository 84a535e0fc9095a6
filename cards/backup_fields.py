"""The kinds of keys that only the cards app's rows have: a card's tags, the
prompt a row is about (its card's reference and the prompt's ordinal), and a
review's "previous" progress; and the lookups of prompts they need."""

import itertools
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from accounts.backup.fields import LEFT_OUT, STARTER, Day, Field, Row, check_text, problem

from .models import Card, Prompt

# The keys of a review's "previous": what undo writes back into the progress row.
PREVIOUS_KEYS = ("difficulty", "due", "lapses", "last_review", "stability", "state", "step")


# Fields --------------------------------------------------------------------


class Tags(Field):
    """A card's tag names, sorted."""

    on_model = False

    @property
    def column(self) -> str:
        return "pk"

    def prepare(self, export, rows):
        tags = defaultdict(list)
        for card_id, name in Card.tags.through.objects.filter(
            content_type=ContentType.objects.get_for_model(Card),
            object_id__in=rows.values("pk"),
        ).values_list("object_id", "tag__name"):
            tags[card_id].append(name)
        export.keep(self, tags)

    def dump(self, export, value):
        return sorted(export.kept(self).get(value, ()))

    def load(self, row, restore):
        tags = []
        for n, name in enumerate(row.array(self.name)):
            place = f"{row.place(self.name)}[{n}]"
            if not isinstance(name, str) or not name.strip():
                raise problem(place, "must be a tag name")
            if len(name) > 100:
                raise problem(place, "is longer than 100 characters")
            tags.append(check_text(name, place))
        return tags


class Ordinal(Field):
    """Which prompt of the row's card (the "card" key before it): its ordinal."""

    on_model = False

    def model_fields(self) -> tuple[str, ...]:
        return ("prompt",)

    @property
    def column(self) -> str:
        return "prompt_id"

    def prepare(self, export, rows):
        # Each prompt's ordinal, looked up here rather than joined to every row streamed
        # (a prompt made while the file is written is left out, as a card made then is).
        if export.kept("ordinals") is None:
            user = export.user
            export.keep(
                "ordinals",
                dict(
                    Prompt.objects.filter(
                        Q(card__owner=user) | Q(card__owner__isnull=True)
                    ).values_list("pk", "ordinal")
                ),
            )

    def dump(self, export, value):
        return export.kept("ordinals").get(value, LEFT_OUT)

    def load(self, row, restore):
        ref, ordinal = row.value["card"], row.integer(self.name)
        ordinals = card_ordinals(restore, ref)
        if ordinal not in ordinals:
            raise problem(
                row.place(self.name),
                f"card “{ref}” has no prompt {ordinal} (its prompts are "
                f"{', '.join(map(str, ordinals)) or 'none'})",
            )
        return ordinal


class Previous(Field):
    """A review's progress before it (what undo puts back), or null."""

    validated = False

    def dump(self, export, value):
        # Key order as the database returned it is not stable (PostgreSQL's jsonb
        # reorders): sorted, so the same data gives the same bytes.
        return dict(sorted(value.items())) if isinstance(value, dict) else value

    def load(self, row, restore):
        value = row.value[self.name]
        if value is None:
            return None
        # Undo writes these keys back into the progress row: nothing else may pass.
        previous = Row(value, row.place(self.name), PREVIOUS_KEYS)
        if previous.integer("state") not in (1, 2, 3):
            raise problem(previous.place("state"), "must be 1, 2 or 3")
        for name in ("step", "lapses"):
            number = previous.integer(name, null=name == "step")
            if number is not None and not 0 <= number <= 2**31 - 1:
                raise problem(previous.place(name), "is out of range")
        for name in ("stability", "difficulty"):
            previous.number(name, null=True)
        previous.when("due")
        previous.when("last_review", null=True)
        return {key: value[key] for key in PREVIOUS_KEYS}


class NoDay(Day):
    """Day is checked here; a version 1 file has none (counted on restore)."""

    validated = False


# Prompts -----------------------------------------------------------------------------------


def prompts(restore) -> dict[int, dict[int, int]]:
    """A card's pk: its prompts' pks by ordinal (the starter library's, then the
    account's as they are written)."""
    if "prompts" not in restore.shared:
        prompts = defaultdict(dict)
        for card_id, ordinal, pk in Prompt.objects.filter(card__owner=None).values_list(
            "card_id", "ordinal", "pk"
        ):
            prompts[card_id][ordinal] = pk
        restore.shared["prompts"] = prompts
    return restore.shared["prompts"]


def card_ordinals(restore, ref: str) -> tuple[int, ...]:
    """The prompts a checked card reference asks, by ordinal."""
    info = restore.file_ids["cards"].get(ref)
    if isinstance(info, tuple):
        return info[1]
    # A starter card, the first time the backup names it.
    card = restore.starter(restore.sections["cards"])[ref[len(STARTER) :]]
    ordinals = tuple(sorted(prompts(restore)[card.pk]))
    restore.file_ids["cards"][ref] = (card_number(restore), ordinals)
    return ordinals


def card_number(restore) -> int:
    """A number for each card the backup has or names, to key its reviews by."""
    numbers = restore.shared.setdefault("card numbers", itertools.count())
    return next(numbers)


def prompt_of(restore, checked) -> tuple[int, int] | None:
    """The row's prompt's pk and its card's, if the card still asks it."""
    card = restore.sections["cards"].pk_of(restore, checked.values["card"])
    prompt = prompts(restore)[card].get(checked.values["ordinal"])
    return None if prompt is None else (prompt, card)
