"""Writing a confirmed import: everything in one transaction, or nothing."""

from collections.abc import Callable, Iterable, Iterator

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from accounts.models import Profile
from prep_site import figures, planner

from .. import scheduling
from ..models import Card, ImportJob, Prompt, Topic
from .anki_media import ImportedImages
from .history import recount_days, without_history, write_history
from .planning import PlannedRow, check_room, plan_import
from .rows import ImportRejected

BATCH_SIZE = 1000


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_rows(*, job_id: int, progress: Callable[[int, int], None] | None = None) -> ImportJob:
    """Everything in one transaction: the new topics, the cards with their
    prompts, tags and images, the updates to duplicates (when asked for) and the
    job's result. ``progress(done, total)`` is told after every batch. The
    images' files written before a failure are deleted."""
    written: list[ImportedImages] = []
    try:
        return _import_rows(job_id=job_id, progress=progress, written=written)
    except BaseException:
        for images in written:
            images.discard()
        raise


@transaction.atomic
def _import_rows(*, job_id: int, progress, written: list) -> ImportJob:
    # Not locked for update: the job's progress is written through another
    # connection meanwhile (prep_site.jobs.progress_aside). A second run at the
    # same time is stopped at the end, where only one can mark the job done.
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    if job.status != ImportJob.Status.RUNNING:
        return job  # already run (or never confirmed): nothing to do
    user = job.owner
    plan = plan_import(user=user, rows=job.rows, unit=job.unit)
    check_room(user=user, plan=plan)
    update = job.on_duplicate == ImportJob.OnDuplicate.UPDATE
    # A starter card is shared by everyone: a duplicate of one is left as it is.
    updating = [row for row in plan.duplicates if not row.duplicate_is_starter] if update else []
    total, done = len(plan.new) + len(updating), 0

    created_topics = _create_topics(user=user, names=list(plan.new_topics.values()))
    for row in plan.new:
        if row.topic is None:
            row.topic = created_topics[row.topic_name.lower()]
    tag_ids = _tag_ids(tag for row in plan.new + updating for tag in row.tags)
    card_type = ContentType.objects.get_for_model(Card)
    studied = any((row.options or {}).get("history") for row in plan.new + updating)
    if studied:  # the person's scheduler replays the reviews, in their time zone
        by = scheduling.person_scheduler(user.pk)
        zone = Profile.for_user(user).zone
    reviews = leeches = 0
    images = ImportedImages(user_id=user.pk, rows=plan.new + updating)
    written.append(images)

    for batch in _batches(plan.new, BATCH_SIZE):
        cards = []
        for row in batch:
            # Ids rather than instances: at 50,000 rows Django's descriptors add up.
            card = Card(
                owner_id=user.pk,
                topic_id=row.topic.pk,
                kind=row.kind,
                text_format=_text_format(row),
                front=row.front,
                back=row.back,
                suspended=bool((row.options or {}).get("suspended")),
            )
            card.full_clean(
                exclude=["owner", "topic"], validate_unique=False, validate_constraints=False
            )
            cards.append(card)
        Card.objects.bulk_create(cards)
        images.attach(cards, batch)
        prompts = Prompt.objects.bulk_create(
            [Prompt(card_id=card.pk, ordinal=n) for card in cards for n in card.prompt_ordinals()]
        )
        _tag(cards, batch, tag_ids=tag_ids, card_type=card_type)
        if studied:
            written_reviews, marked = write_history(
                user_id=user.pk,
                cards=cards,
                options=[row.options or {} for row in batch],
                prompts=prompts,
                by=by,
                zone=zone,
            )
            reviews, leeches = reviews + written_reviews, leeches + marked
        done += len(batch)
        if progress is not None:
            progress(done, total)

    now = timezone.now()
    for batch in _batches(updating, BATCH_SIZE):
        # The back is read as the file wrote it: HTML from Anki, Markdown otherwise.
        cards = [
            Card(pk=row.duplicate_of, back=row.back, text_format=_text_format(row), updated_at=now)
            for row in batch
        ]
        Card.objects.bulk_update(cards, ["back", "text_format", "updated_at"])
        images.attach_to_updated(cards, batch)
        retagged = [(card, row) for card, row in zip(cards, batch, strict=True) if row.tags]
        TaggedItem.objects.filter(
            content_type=card_type, object_id__in=[card.pk for card, _ in retagged]
        ).delete()
        _tag(
            [card for card, _ in retagged],
            [row for _, row in retagged],
            tag_ids=tag_ids,
            card_type=card_type,
        )
        if studied:
            written_reviews, marked = _update_history(batch, user_id=user.pk, by=by, zone=zone)
            reviews, leeches = reviews + written_reviews, leeches + marked
        done += len(batch)
        if progress is not None:
            progress(done, total)

    if reviews:
        recount_days(user.pk)
    topics = {row.topic.pk: row.topic.name for row in plan.rows if row.topic is not None}
    job.status = ImportJob.Status.DONE
    job.rows, job.errors = [], []  # shown by the preview only: the record stays small
    job.result = {
        "created": len(plan.new),
        "updated": len(updating),
        "skipped": len(plan.duplicates) - len(updating),
        "topics": sorted(([pk, name] for pk, name in topics.items()), key=lambda t: t[1].lower()),
    }
    if leeches:  # cards the imported history made leeches, tagged and suspended
        job.result["leeches"] = leeches
    job.finished_at = timezone.now()
    finished = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
        status=job.status,
        rows=[],
        errors=[],
        result=job.result,
        finished_at=job.finished_at,
        done=F("total"),
        stage="",
    )
    if not finished:
        raise ImportRejected("This import was already written by another run.")
    figures.changed(user.pk)  # the person's kept counts (home, dashboard)
    job.refresh_from_db()
    planner.analyze_after_commit(len(plan.new) + len(updating))
    return job


def _update_history(batch: list[PlannedRow], *, user_id: int, by, zone) -> tuple[int, int]:
    """The file's history for the updated cards the person has not studied here
    yet; a card with reviews here keeps its own. Three queries and the writes."""
    rows = {row.duplicate_of: row for row in batch if (row.options or {}).get("history")}
    if not rows:
        return 0, 0
    cards = without_history(user_id=user_id, card_ids=list(rows))
    return write_history(
        user_id=user_id,
        cards=cards,
        options=[rows[card.pk].options for card in cards],
        prompts=[prompt for card in cards for prompt in card.prompts.all()],
        by=by,
        zone=zone,
    )


def _text_format(row: PlannedRow) -> str:
    html = (row.options or {}).get("html")
    return Card.TextFormat.HTML if html else Card.TextFormat.MARKDOWN


def _create_topics(*, user, names: list[str]) -> dict[str, Topic]:
    """The person's new topics, each with a slug none of their topics has yet."""
    if not names:
        return {}
    taken = set(Topic.objects.owned_by(user).values_list("slug", flat=True))
    topics = []
    for name in names:
        base = slugify(name, allow_unicode=True)[:90] or "topic"
        slug, number = base, 2
        while slug in taken:
            suffix = f"-{number}"
            slug, number = base[: 90 - len(suffix)] + suffix, number + 1
        taken.add(slug)
        topic = Topic(owner=user, name=name, slug=slug)
        topic.full_clean(exclude=["owner"], validate_unique=False, validate_constraints=False)
        topics.append(topic)
    Topic.objects.bulk_create(topics)
    return {topic.name.lower(): topic for topic in topics}


def _tag_ids(names: Iterable[str]) -> dict[str, int]:
    """Tag ids by name, spelled exactly (a tag "Rust" is not "rust", so each
    person's cards keep the spelling they gave), creating the tags nobody has
    used yet."""
    wanted = list(dict.fromkeys(names))
    ids: dict[str, int] = {}
    for batch in _batches(wanted, 500):
        ids.update(Tag.objects.filter(name__in=batch).values_list("name", "pk"))
    missing = [name for name in wanted if name not in ids]
    slugs = {name: Tag().slugify(name) for name in missing}
    taken: set[str] = set()
    for batch in _batches([slug for slug in slugs.values() if slug], 500):
        taken.update(Tag.objects.filter(slug__in=batch).values_list("slug", flat=True))
    plain, awkward = [], []
    for name in missing:
        slug = slugs[name]
        if slug and slug not in taken:
            taken.add(slug)
            plain.append(Tag(name=name, slug=slug))
        else:
            awkward.append(name)
    for tag in Tag.objects.bulk_create(plain, batch_size=500):
        ids[tag.name] = tag.pk
    for name in awkward:  # an empty or clashing slug: taggit finds a free one
        tag = Tag(name=name)
        tag.save()
        ids[name] = tag.pk
    return ids


def _tag(cards: list[Card], rows: list[PlannedRow], *, tag_ids, card_type) -> None:
    TaggedItem.objects.bulk_create(
        [
            TaggedItem(content_type_id=card_type.pk, object_id=card.pk, tag_id=tag_ids[tag])
            for card, row in zip(cards, rows, strict=True)
            for tag in row.tags
        ]
    )
