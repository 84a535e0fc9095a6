"""The cards a study page holds after the one it shows, so that a grade shows
the next card at once and is sent in the background (static/js/study.js).

They come in the order next_prompt_for would show them: due prompts first
(most overdue first), then new ones within today's new-card limit, then
learning steps due within the next few minutes. Each grade's answer brings
the cards to add after the last one the page holds, and corrects what it
holds: cards no longer to be shown (suspended, edited, deleted, hidden, past
the new-card limit) are dropped, and a card graded Again comes back; a card
waiting to come back is dropped too once it is deleted, hidden or suspended."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from accounts.models import Profile

from .. import scheduling
from ..models import Card, Progress, Prompt, ReviewLog, State, StudySession
from ..services import never_studied, start_of_day
from . import new_cards, services

# How many cards a page holds after the one it shows.
HELD = 5
# At most this many prompts a grade may name as held or already known.
MOST_KNOWN = 50


@dataclass
class Upcoming:
    prompt: Prompt
    progress: Progress | None
    previews: dict[int, timedelta]


@dataclass
class Corrections:
    add: list[dict]
    drop: list[int]
    again: dict | None
    due_count: int
    new_left_today: int


def upcoming_prompts(
    *,
    session: StudySession,
    now: datetime,
    zone: ZoneInfo,
    profile: Profile,
    count: int = HELD,
    skip: list[int] = (),
    after: services.NextPrompt | None = None,
    taken_new: int = 0,
) -> tuple[list[Upcoming], services.NextPrompt]:
    """The next ``count`` prompts, leaving out the ``skip`` prompts (the one on
    screen, grades not yet sent), and the session's counts. A fixed number of
    queries for a given ``count``, whatever the size of the collection.

    ``after``, the card on screen with the counts read for it, saves reading
    them again: a new card on screen counts as one of today's new cards. Its
    intervals, when not worked out yet, are worked out with the others'.
    ``taken_new``: new cards the page has already (on screen, graded but not
    sent), which count against today's limit."""
    if after is None:
        counts, due_progress = services.session_counts(
            session, now=now, zone=zone, new_per_day=profile.new_cards_per_day
        )
    else:
        counts, due_progress = _after(after, session.user_id), services.scope_progress(session)
    new_left = max(counts.new_left_today - taken_new, 0)
    skip = list(skip)
    found: list[tuple[Prompt, Progress | None]] = []
    if counts.due_count and count:
        rows = due_progress.filter(due__lte=now).exclude(prompt_id__in=skip)
        found = [(row.prompt, row) for row in rows.order_by("due", "pk")[:count]]
    if new_left and count:
        # Asked for even when the due ones fill the list: as many queries either way.
        room = max(min(count - len(found), new_left), 0)
        new = _new_prompts(
            session,
            now=now,
            zone=zone,
            profile=profile,
            counts=counts,
            room=room,
            skip=skip,
            shown=[p.card_id for p, _ in found],
        )
        found += new[:room]
    if len(found) < count:
        learning = due_progress.filter(
            state__in=[State.LEARNING, State.RELEARNING],
            due__gt=now,
            due__lte=now + services.LEARN_AHEAD,
        ).exclude(prompt_id__in=skip)
        found += [(row.prompt, row) for row in learning.order_by("due", "pk")[: count - len(found)]]
    shown = []
    if after is not None and after.prompt is not None and not after.previews:
        shown = [(after.prompt, after.progress)]  # its intervals, read with theirs
    if not found and not shown:
        return [], counts
    previews = _previews(session, shown + found, now=now, zone=zone)
    if shown:
        after.previews = previews.pop(0)
    return [
        Upcoming(prompt, progress, each)
        for (prompt, progress), each in zip(found, previews, strict=True)
    ], counts


def _after(shown: services.NextPrompt, user_id: int) -> services.NextPrompt:
    today = shown.today
    counts = services.NextPrompt(
        prompt=None,
        due_count=shown.due_count,
        new_left_today=shown.new_left_today,
        today=new_cards.NewToday(today.total, dict(today.per_topic), dict(today.own_per_topic)),
    )
    if shown.prompt is not None and shown.progress is None:
        card = shown.prompt.card
        counts.new_left_today = max(counts.new_left_today - 1, 0)
        new_cards.count_new(counts.today, topic_id=card.topic_id, own=card.owner_id == user_id)
    return counts


def _previews(session, found, *, now, zone):
    by = scheduling.person_scheduler(session.user_id, keep_on=session)
    days = scheduling.due_days(session.user_id, zone=zone, keep_on=session)
    cards = [
        scheduling.fsrs_card(progress, prompt_id=prompt.pk, now=now) for prompt, progress in found
    ]
    return scheduling.previews_of(cards, now=now, by=by, balanced=days)


def _new_prompts(session, *, now, zone, profile, counts, room, skip, shown):
    """Up to ``room`` new prompts (at least one is looked for), one card each,
    in two queries: the cards, then their prompts."""
    since = start_of_day(now, zone)
    choices = new_cards.next_new_choices(
        user_id=session.user_id,
        scope=services.session_scope(session),
        profile=profile,
        since=since,
        day=since.date(),
        new_from=session.new_from,
        today=counts.today,
        count=max(room, 1),
        # Cards with a prompt on screen or waiting to be sent count as studied today.
        skip=shown,
        skip_prompts=skip,
    )
    chosen = [card_id for card_id, _, _ in choices]
    if not chosen:
        return []
    prompts = never_studied(Prompt.objects.filter(card_id__in=chosen), user_id=session.user_id)
    first: dict[int, Prompt] = {}
    for prompt in prompts.select_related("card__topic").order_by("-ordinal"):
        first[prompt.card_id] = prompt  # the lowest ordinal is written last
    return [(first[card_id], None) for card_id in chosen if card_id in first]


def version(prompt: Prompt) -> int:
    """Changes whenever the card is edited: a held card older than this is redone."""
    return int(prompt.card.updated_at.timestamp() * 1000)


def held_item(entry: Upcoming) -> dict:
    """One card as the study page holds it, rendered and ready to show."""
    prompt, progress = entry.prompt, entry.progress
    return {
        "prompt": prompt.pk,
        "reps": progress.reps if progress else 0,
        "v": version(prompt),
        "topic": prompt.card.topic.name,
        "state": progress.get_state_display() if progress else "new",
        "reversed": prompt.is_reverse,
        "question": prompt.question_html(),
        "answer": prompt.answer_html(),
        "extra": prompt.extra_html(),
        "intervals": {
            rating: scheduling.format_interval(entry.previews[rating]) for rating in (1, 2, 3, 4)
        },
    }


def held_items(**kwargs) -> list[dict]:
    entries, _ = upcoming_prompts(**kwargs)
    return [held_item(entry) for entry in entries]


def corrections(
    *,
    session: StudySession,
    log: ReviewLog,
    held: list[tuple[int, int, int]],
    known: list[int],
    now: datetime,
    zone: ZoneInfo,
    profile: Profile,
) -> Corrections:
    """After a grade: which of the ``held`` (prompt, reps, version) to drop,
    the cards to add after them, and the graded card again when it falls due
    within the session. ``known`` are prompts the page has besides (the one on
    screen, grades still to send, cards to come back): never added."""
    entries, counts = upcoming_prompts(
        session=session,
        now=now,
        zone=zone,
        profile=profile,
        count=len(held) + HELD,
        skip=[*known, log.prompt_id],
        taken_new=never_studied(Prompt.objects.filter(pk__in=known), user_id=log.user_id).count(),
    )
    fresh = {
        entry.prompt.pk: (entry.progress.reps if entry.progress else 0, version(entry.prompt))
        for entry in entries
    }
    drop = [prompt for prompt, reps, v in held if fresh.get(prompt) != (reps, v)]
    kept = {prompt for prompt, _, _ in held} - set(drop)
    # The cards to come back are never added, but go as the held ones do.
    drop += [prompt for prompt in gone(known, user_id=log.user_id) if prompt not in drop]
    add = [held_item(e) for e in entries if e.prompt.pk not in kept][: max(HELD - len(kept), 0)]
    again = None
    if log.due_after <= now + services.LEARN_AHEAD and log.prompt_id not in fresh:
        again = _again(session, log, now=now, zone=zone)
    return Corrections(add, drop, again, counts.due_count, counts.new_left_today)


def gone(prompts: list[int], *, user_id: int) -> list[int]:
    """Of ``prompts``, those no longer to be shown: their card deleted,
    hidden by the person (HiddenCard) or suspended. One query, none for none."""
    if not prompts:
        return []
    shown = Card.objects.visible_to(user_id).filter(suspended=False)
    still = set(Prompt.objects.filter(pk__in=prompts, card__in=shown).values_list("pk", flat=True))
    return [prompt for prompt in dict.fromkeys(prompts) if prompt not in still]


def _again(session: StudySession, log: ReviewLog, *, now, zone) -> dict | None:
    progress = (
        Progress.objects.filter(user_id=session.user_id, prompt_id=log.prompt_id, suspended=False)
        .select_related("prompt__card__topic")
        .first()
    )
    if progress is None:
        return None
    found = [(progress.prompt, progress)]
    entry = Upcoming(progress.prompt, progress, _previews(session, found, now=now, zone=zone)[0])
    return {**held_item(entry), "due": int(progress.due.timestamp() * 1000)}
