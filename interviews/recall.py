"""Predicted recall at an interview: for the topics it needs, how much of what
the person has studied FSRS expects them to recall at the interview's date and
time, and how much they have never studied (which counts as not known)."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean

from django.db.models import Sum

from cards import scheduling
from cards import services as card_services
from cards.models import Progress
from prep_site import figures

from .models import Interview, Status


@dataclass
class Recall:
    interview: Interview
    topic_count: int
    desired_retention: float | None = None
    studied: int = 0  # prompts in the topics with progress
    above: int = 0  # of those, predicted above the desired retention
    mean: float | None = None  # their mean predicted recall
    never_studied: int = 0

    @property
    def prompts(self) -> int:
        return self.studied + self.never_studied

    @property
    def share_above(self) -> float:
        """Of every prompt in the topics: what was never studied counts as not known."""
        return self.above / self.prompts if self.prompts else 0.0


def recall_for(
    *,
    user,
    interviews: list[Interview],
    now: datetime,
    prompts_per_topic: dict[int, int] | None = None,
) -> dict[int, Recall]:
    """A Recall for each upcoming interview among ``interviews``, by its pk;
    past ones get none. Three queries whatever the number of interviews and
    prompts (the person's scheduler, their progress in the topics, the
    prompts per topic), two when ``prompts_per_topic`` (studiable prompts by
    topic id) is known already; the interviews' topics come from
    ``prefetch_related("topics")`` or cost a query each."""
    ahead = [i for i in interviews if i.status == Status.UPCOMING and i.scheduled_at >= now]
    topics = {interview.pk: {topic.pk for topic in interview.topics.all()} for interview in ahead}
    wanted = set().union(*topics.values())
    if not wanted:
        return {interview.pk: Recall(interview=interview, topic_count=0) for interview in ahead}
    by = scheduling.person_scheduler(user.pk)
    if prompts_per_topic is None:
        prompts_per_topic = card_services.studiable_per_topic(user, Sum("prompt_count"))
    rows = Progress.objects.filter(user=user, topic_id__in=wanted, suspended=False).values_list(
        "topic_id", "prompt_id", "stability", "last_review"
    )
    by_topic = defaultdict(list)
    for topic_id, *row in rows:
        by_topic[topic_id].append(row)
    result = {}
    for interview in ahead:
        ids = topics[interview.pk]
        recalls = scheduling.recall_at(
            [row for topic_id in ids for row in by_topic[topic_id]],
            at=interview.scheduled_at,
            by=by,
        )
        prompts = sum(prompts_per_topic.get(topic_id, 0) for topic_id in ids)
        result[interview.pk] = Recall(
            interview=interview,
            topic_count=len(ids),
            desired_retention=by.desired_retention,
            studied=len(recalls),
            above=sum(r > by.desired_retention for r in recalls),
            mean=fmean(recalls) if recalls else None,
            never_studied=max(prompts - len(recalls), 0),
        )
    return result


def kept_recall_for(
    *, user, interviews: list[Interview], now: datetime, **known
) -> dict[int, Recall]:
    """``recall_for``, kept until the person writes (prep_site/figures.py). The
    recall is at each interview's own date, so the clock moves it only when an
    interview's time passes: which ones are still ahead is part of the key."""
    which = [
        (i.pk, i.scheduled_at.isoformat(), i.status, i.scheduled_at >= now) for i in interviews
    ]
    digest = hashlib.sha256(repr(which).encode()).hexdigest()[:32]
    return figures.kept(
        user.pk,
        "recall",
        lambda: recall_for(user=user, interviews=interviews, now=now, **known),
        digest,
    )
