"""Rescheduling a person's cards: each prompt's grades replayed through the
person's scheduler as it is now (their retention and parameters), with the
fsrs package's own Scheduler.reschedule_card, so its memory state and due
date are what this schedule would have given it from the start.

It runs on a worker, a chunk of prompts at a time, each chunk in one short
transaction that locks its progress rows first: a grade given meanwhile
waits for the chunk, and a row graded between the read and the write cannot
be overwritten, as the replay reads its reviews inside the same transaction."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import fsrs
from django.db import transaction

from .. import scheduling
from ..models import Progress, ReviewLog

CHUNK = 500  # prompts a transaction


@dataclass
class Rescheduled:
    cards: int = 0  # prompts replayed
    earlier: int = 0  # of those, now due earlier than before
    later: int = 0  # and due later


def _replay(progress: Progress, logs: list[fsrs.ReviewLog], by: fsrs.Scheduler) -> dict:
    card = fsrs.Card(card_id=progress.prompt_id, due=progress.due)
    return scheduling.progress_values(by.reschedule_card(card, logs))


def _chunk(user_id: int, prompt_ids: list[int], by: fsrs.Scheduler, found: Rescheduled) -> None:
    with transaction.atomic():
        rows = list(
            Progress.objects.select_for_update()
            .filter(user_id=user_id, prompt_id__in=prompt_ids)
            .order_by("prompt_id")
        )
        logs = defaultdict(list)
        reviews = (
            ReviewLog.objects.filter(user_id=user_id, prompt_id__in=prompt_ids)
            .order_by("prompt_id", "reviewed_at", "id")
            .values_list("prompt_id", "rating", "reviewed_at")
        )
        for prompt_id, rating, at in reviews:
            logs[prompt_id].append(fsrs.ReviewLog(prompt_id, fsrs.Rating(rating), at, None))
        changed = []
        for row in rows:
            if not logs[row.prompt_id]:
                continue  # no grades to replay (a state restored or imported alone)
            values = _replay(row, logs[row.prompt_id], by)
            found.cards += 1
            found.earlier += values["due"] < row.due
            found.later += values["due"] > row.due
            for name, value in values.items():
                setattr(row, name, value)
            changed.append(row)
        Progress.objects.bulk_update(changed, list(scheduling.PROGRESS_FIELDS))


def reschedule(*, user_id: int, on_chunk: Callable[[int, int], None] | None = None) -> Rescheduled:
    """Replay every studied prompt of the person; ``on_chunk(done, total)``
    after each chunk, for a progress bar."""
    by = scheduling.person_scheduler(user_id)
    prompt_ids = list(
        Progress.objects.filter(user_id=user_id)
        .order_by("prompt_id")
        .values_list("prompt_id", flat=True)
    )
    found = Rescheduled()
    for start in range(0, len(prompt_ids), CHUNK):
        _chunk(user_id, prompt_ids[start : start + CHUNK], by, found)
        if on_chunk is not None:
            on_chunk(min(start + CHUNK, len(prompt_ids)), len(prompt_ids))
    return found
