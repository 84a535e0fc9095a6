"""Study workflows that span several models: starting a session, choosing the
next prompt, grading it and undoing a grade (summary.py sums a session up)."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Max, OuterRef
from django.utils import timezone
from taggit.models import TaggedItem

from accounts.models import Profile

from .. import leeches, review_days, scheduling
from ..models import Card, Progress, Prompt, ReviewLog, State, StudySession, Topic
from ..services import never_studied, start_of_day, studiable_prompts
from . import new_cards


def session_scope(session: StudySession) -> new_cards.Scope:
    ids = session.search_card_ids
    return new_cards.Scope(
        topic_ids=session.topic_ids,
        own_only=session.own_only,
        tag_ids=tuple(session.tag_ids),
        card_ids=None if ids is None else tuple(ids),
    )


def in_scope(progress, session: StudySession):
    """Progress rows narrowed to the session's own-cards-only or tags choice,
    or to the cards its search found."""
    if session.search_card_ids is not None:
        progress = progress.filter(card_id__in=session.search_card_ids)
    if session.own_only:
        progress = progress.filter(card__owner_id=session.user_id)
    if session.tag_ids:
        tagged = TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Card),
            object_id=OuterRef("card_id"),
            tag_id__in=session.tag_ids,
        )
        progress = progress.filter(Exists(tagged))
    return progress


# Learning steps are minutes apart; when nothing else is left, a learning prompt
# due within this window is shown now rather than making the person wait.
LEARN_AHEAD = timedelta(minutes=20)


class GradeRejected(Exception):
    """The grade was not recorded; ``str(error)`` says why, for the person."""


class AlreadyGraded(GradeRejected):
    pass


class UndoRejected(Exception):
    pass


@dataclass
class NextPrompt:
    prompt: Prompt | None
    progress: Progress | None = None
    due_count: int = 0
    new_left_today: int = 0
    new_limit_reached: bool = False
    previews: dict[int, timedelta] = field(default_factory=dict)
    today: new_cards.NewToday | None = None


def _cards_with_new_prompts(*, user_id: int, topic_ids: list[int]):
    """Ids of the unsuspended cards in the topics with a prompt the person has
    never studied, in card order."""
    new_prompts = never_studied(Prompt.objects.all(), user_id=user_id)
    return (
        Card.objects.filter(topic_id__in=topic_ids, suspended=False)
        .filter(Exists(new_prompts.filter(card=OuterRef("pk"))))
        .order_by("id")
        .values_list("id", flat=True)
    )


def first_new_own_card(*, user_id: int, topic_ids: list[int], new_from: int) -> int | None:
    """The id of the person's first own card from ``new_from`` on with a prompt
    they have never studied: every one before it is studied, so each search of
    their new cards in these topics may start there (keep_new_from)."""
    cards = _cards_with_new_prompts(user_id=user_id, topic_ids=topic_ids)
    return cards.filter(owner_id=user_id, id__gte=new_from).first()


def keep_new_from(session: StudySession, own: int | None) -> None:
    """Keep where a walk over the person's own cards (first_new_own_card) got to:
    the card it found, or past the last of their cards when it found none, so
    a person who has studied them all is not walked over them again at every
    step. A card made later has a larger id; one made new again moves the
    start back (Card.offer_again, an undone first grade)."""
    if own is None:
        last = (
            Card.objects.filter(owner_id=session.user_id)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
        if last is None:
            return
        own = last + 1
    if own > session.new_from:
        session.new_from = own
        StudySession.objects.filter(pk=session.pk, new_from__lt=own).update(new_from=own)


def rewind_new_from(session: StudySession) -> None:
    """After a session's person or topics changed (in the admin): its search
    for new cards starts no later than the first of the person's own cards in
    its topics that has a prompt they have never studied."""
    topic_ids = list(
        StudySession.topics.through.objects.filter(studysession_id=session.pk).values_list(
            "topic_id", flat=True
        )
    )
    first = first_new_own_card(user_id=session.user_id, topic_ids=topic_ids, new_from=0)
    if first is not None and first < session.new_from:
        session.new_from = first
        StudySession.objects.filter(pk=session.pk, new_from__gt=first).update(new_from=first)


def next_prompt_for(
    *,
    session: StudySession,
    now: datetime,
    zone: ZoneInfo,
    new_per_day: int,
    remember: bool = False,
    profile: Profile | None = None,
    previews: bool = True,
) -> NextPrompt:
    """Due prompts first (most overdue first), then new ones while today's new
    allowance lasts, in the order of the person's settings (new_cards.py), then
    learning steps that fall due in the next few minutes. A fixed number of
    queries whatever the size of the collection.

    New cards of the person's own are looked for from the session's ``new_from``
    card on; with ``remember`` (a request that writes anyway, such as a grade)
    the session moves that start to their first new card. Without ``previews``
    the buttons' intervals are left to the caller (with the cards held after it,
    upcoming.py)."""
    profile = profile or Profile()
    user_id = session.user_id
    result, due_progress = session_counts(session, now=now, zone=zone, new_per_day=new_per_day)
    if result.due_count:
        progress = due_progress.filter(due__lte=now).order_by("due", "pk").first()
        if progress is not None:
            result.prompt, result.progress = progress.prompt, progress
    if result.prompt is None and result.new_left_today:
        since = start_of_day(now, zone)
        card_id = new_cards.next_new_card(
            user_id=user_id,
            scope=session_scope(session),
            profile=profile,
            since=since,
            day=since.date(),
            new_from=session.new_from,
            today=result.today,
        )
        if card_id is not None:
            result.prompt = (
                never_studied(Prompt.objects.filter(card_id=card_id), user_id=user_id)
                .select_related("card__topic")
                .order_by("ordinal")
                .first()
            )
        if remember:
            own = first_new_own_card(
                user_id=user_id, topic_ids=session.topic_ids, new_from=session.new_from
            )
            keep_new_from(session, own)
    if result.prompt is None:
        result.new_limit_reached = result.new_left_today == 0
        progress = (
            due_progress.filter(
                state__in=[State.LEARNING, State.RELEARNING], due__lte=now + LEARN_AHEAD
            )
            .order_by("due", "pk")
            .first()
        )
        if progress is not None:
            result.prompt, result.progress = progress.prompt, progress
    if result.prompt is not None and previews:
        card = scheduling.fsrs_card(result.progress, prompt_id=result.prompt.pk, now=now)
        by = scheduling.person_scheduler(user_id, keep_on=session)
        days = scheduling.due_days(user_id, zone=zone, keep_on=session)
        result.previews = scheduling.interval_previews(card, now=now, by=by, balanced=days)
    return result


def scope_progress(session: StudySession):
    """The session's studied, unsuspended prompts (with their cards and topics)."""
    return in_scope(
        Progress.objects.filter(
            user_id=session.user_id, topic_id__in=session.topic_ids, suspended=False
        ),
        session,
    ).select_related("prompt__card__topic")


def session_counts(session: StudySession, *, now: datetime, zone: ZoneInfo, new_per_day: int):
    """The header's counts (due now, new left today), in two queries, and the
    session's studied prompts as a QuerySet to choose from."""
    due_progress = scope_progress(session)
    due_count = due_progress.filter(due__lte=now).count()
    today = new_cards.new_today(user_id=session.user_id, since=start_of_day(now, zone))
    result = NextPrompt(
        prompt=None,
        due_count=due_count,
        new_left_today=max(new_per_day - today.total, 0),
        today=today,
    )
    return result, due_progress


def prompt_in_session(*, session: StudySession, prompt_id: int) -> Prompt | None:
    topic_ids = session.topic_ids
    return (
        studiable_prompts(user_id=session.user_id, topic_ids=topic_ids)
        .select_related("card__topic")
        .filter(pk=prompt_id)
        .first()
    )


def show_prompt(
    *,
    session: StudySession,
    prompt: Prompt,
    now: datetime,
    zone: ZoneInfo,
    new_per_day: int,
    previews: bool = True,
) -> NextPrompt:
    """A specific prompt as the current one (after an undo, the prompt undone),
    with the session's counts as they are now."""
    result, _ = session_counts(session, now=now, zone=zone, new_per_day=new_per_day)
    result.prompt = prompt
    result.progress = Progress.objects.filter(user_id=session.user_id, prompt=prompt).first()
    if not previews:
        return result
    card = scheduling.fsrs_card(result.progress, prompt_id=prompt.pk, now=now)
    by = scheduling.person_scheduler(session.user_id, keep_on=session)
    days = scheduling.due_days(session.user_id, zone=zone, keep_on=session)
    result.previews = scheduling.interval_previews(card, now=now, by=by, balanced=days)
    return result


@transaction.atomic
def grade_prompt(
    *,
    user,
    session: StudySession | None,
    prompt: Prompt,
    rating: int,
    expected_reps: int,
    duration_ms: int,
    now: datetime,
    key: UUID | None = None,
) -> ReviewLog:
    """Record one grade and reschedule the prompt with FSRS.

    ``expected_reps`` is how many reviews the prompt had when it was shown. If
    it has moved on since (a double click, another tab, a retried request),
    the grade is refused and nothing is written: every review is recorded
    exactly once, and the unique (user, prompt, review_number) constraint
    backs that up in the database.

    ``key``, made by the study page for this grade, is kept on the log: the
    same grade sent again finds it (recorded_grade) rather than a refusal.

    A lapse that makes the card a leech marks it (leeches.py); the log's
    ``leech`` says what was done (None for any other grade).
    """
    if rating not in (1, 2, 3, 4):
        raise GradeRejected("A grade must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    progress = Progress.objects.filter(user=user, prompt=prompt).first()
    current_reps = progress.reps if progress else 0
    if current_reps != expected_reps:
        raise AlreadyGraded("This card was already graded; the grade was not counted twice.")

    before = scheduling.fsrs_card(progress, prompt_id=prompt.pk, now=now)
    # Kept on the session (or the row) so the next card's previews share them.
    keep_on = session if session is not None else (progress or Progress(user=user))
    by = scheduling.person_scheduler(user.pk, keep_on=keep_on)
    days = scheduling.due_days(user.pk, zone=timezone.get_current_timezone(), keep_on=keep_on)
    after = scheduling.review(before, rating, now=now, by=by, balanced=days)
    days.moved(old=progress.due if progress else None, new=after.due, now=now)
    values = scheduling.progress_values(after)
    state_before = progress.state if progress else None
    lapse = scheduling.is_lapse(state_before, rating)

    if progress is None:
        try:
            with transaction.atomic():
                # Progress.save copies the card's topic and suspension.
                Progress.objects.create(
                    user=user, prompt=prompt, card=prompt.card, reps=1, **values
                )
        except IntegrityError:
            raise AlreadyGraded(
                "This card was already graded; the grade was not counted twice."
            ) from None
        previous = None
    else:
        previous = scheduling.undo_snapshot(
            {name: getattr(progress, name) for name in scheduling.PROGRESS_FIELDS},
            lapses=progress.lapses,
        )
        updated = Progress.objects.filter(pk=progress.pk, reps=expected_reps).update(
            reps=F("reps") + 1, lapses=F("lapses") + int(lapse), **values
        )
        if not updated:
            raise AlreadyGraded("This card was already graded; the grade was not counted twice.")

    log = ReviewLog(
        user=user,
        card_id=prompt.card_id,
        prompt=prompt,
        session=session,
        rating=rating,
        reviewed_at=now,
        duration_ms=duration_ms,
        review_number=expected_reps + 1,
        state_before=state_before,
        state_after=values["state"],
        due_after=values["due"],
        previous=previous,
        day=review_days.local_day(now, timezone.get_current_timezone()),
        client_key=key,
    )
    # Keys and uniqueness are the database's job (foreign keys, the constraint);
    # the values are checked here.
    log.full_clean(
        exclude=["user", "card", "prompt", "session"],
        validate_unique=False,
        validate_constraints=False,
    )
    try:
        log.save()
    except IntegrityError:  # the same key, saved by a request running alongside
        raise AlreadyGraded(
            "This card was already graded; the grade was not counted twice."
        ) from None
    review_days.count_grade(log)
    # Counted only at a lapse: any other grade cannot make a leech.
    log.leech = leeches.mark_after_lapse(user_id=user.pk, card=prompt.card) if lapse else None
    return log


def recorded_grade(*, user, key: UUID | None) -> ReviewLog | None:
    """The grade already recorded with this key, if any."""
    if key is None:
        return None
    return ReviewLog.objects.filter(user=user, client_key=key).first()


# How far back a grade's own time is taken (grades waiting in a browser that
# was offline); older, or in the future, the server's time is used instead.
GRADED_WITHIN = timedelta(hours=24)


def grade_time(graded_at_ms: int | None, *, now: datetime) -> datetime:
    """When a grade was given: the time the browser says it was pressed, when
    that is within the last day and not in the future; else ``now``."""
    if graded_at_ms is None:
        return now
    when = datetime.fromtimestamp(graded_at_ms / 1000, tz=UTC)
    return when if now - GRADED_WITHIN <= when <= now else now


def latest_review_id(session: StudySession) -> int | None:
    """The session's last grade: the one its undo takes back."""
    return (
        ReviewLog.objects.filter(session=session)
        .order_by("-reviewed_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )


@transaction.atomic
def undo_review(*, user, review_id: int, session: StudySession | None = None) -> ReviewLog:
    """Take back a grade: the prompt's progress returns to what it was before it,
    and the log row goes. Only the latest grade of a prompt can be undone, and
    only once."""
    reviews = ReviewLog.objects.filter(user=user)
    if session is not None:
        reviews = reviews.filter(session=session)
    log = reviews.select_related("prompt__card").filter(pk=review_id).first()
    if log is None:
        raise UndoRejected("There is nothing to undo: that grade was already taken back.")
    if session is not None and latest_review_id(session) != log.pk:
        raise UndoRejected("Only the last grade of the session can be undone.")
    progress_rows = Progress.objects.filter(
        user=user, prompt_id=log.prompt_id, reps=log.review_number
    )
    if log.previous is None:
        changed = progress_rows.delete()[0]
        # The prompt is new again: sessions look for new cards from it on.
        StudySession.objects.filter(user=user, new_from__gt=log.card_id).update(
            new_from=log.card_id
        )
    else:
        previous = dict(log.previous)
        for name in ("due", "last_review"):
            if previous[name] is not None:
                previous[name] = datetime.fromisoformat(previous[name])
        changed = progress_rows.update(reps=log.review_number - 1, **previous)
    if not changed:
        raise UndoRejected("That card has been graded again since; the older grade stays.")
    log.delete()
    review_days.uncount_grade(log)
    if scheduling.is_lapse(log.state_before, log.rating):
        leeches.unmark_after_undo(user_id=user.pk, card=log.prompt.card)
    return log


@transaction.atomic
def start_session(
    *, user, topics: list[Topic], own_only: bool = False, tags=(), search=None
) -> StudySession:
    """A new session over the topics. Its search for the person's new cards
    starts where their furthest session over these topics (or more) has got
    to: each session's ``new_from`` is kept so that every studiable prompt of
    the person's own cards in its topics before it is studied, so a large
    collection is not walked again from the start; from there it walks to
    their first new card once, here (keep_new_from).

    ``search`` (browse.from_search.Found) keeps the session to the cards a
    search of the card browser found."""
    wanted = {topic.pk for topic in topics}
    new_from = (
        StudySession.objects.filter(user=user, topics__in=wanted)
        .values("pk")
        .annotate(covered=Count("topics"))
        .filter(covered=len(wanted))
        .aggregate(furthest=Max("new_from"))["furthest"]
    )
    # The walk below ignores the tags, so new_from means the same for every
    # session over these topics: before it, all the person's own cards are studied.
    session = StudySession.objects.create(
        user=user,
        new_from=new_from or 0,
        own_only=own_only,
        tag_ids=sorted(tag.pk for tag in tags),
        search_text=search.text if search else "",
        search_card_ids=search.card_ids if search else None,
        search_found=search.total if search else None,
    )
    session.topics.set(topics)
    # Walk the person's own cards once now, so that the session's pages start
    # at their first new card rather than each walking there until a grade.
    own = first_new_own_card(user_id=user.pk, topic_ids=list(wanted), new_from=session.new_from)
    keep_new_from(session, own)
    return session


def last_topic_ids(user) -> list[int]:
    """The topics of the person's latest session: the study page's choice
    until they choose others."""
    latest = StudySession.objects.filter(user=user).order_by("-started_at", "-pk")[:1]
    return list(
        StudySession.topics.through.objects.filter(studysession__in=latest).values_list(
            "topic_id", flat=True
        )
    )
