"""The cards app's part of a backup: topics, cards with their tags, study
sessions, FSRS progress, the review log, quizzes and saved searches.

Progress, reviews and quiz items point at a prompt of a card by the card's
reference and the prompt's ordinal. A restore writes the rows already in the
account only when the backup's are newer (see each section's ``write``).
"""

from collections import defaultdict
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from accounts.backup.fields import (
    STARTER,
    Boolean,
    Id,
    Integer,
    Number,
    Ref,
    Text,
    TopicList,
    When,
    problem,
)
from accounts.backup.sections import Children, Part, Section
from accounts.models import Profile

from . import review_days
from .backup_browse import HiddenCards, SavedSearches
from .backup_fields import NoDay, Ordinal, Previous, Tags, card_number, prompt_of, prompts
from .backup_media import CardImages
from .models import (
    Card,
    CardMedia,
    HiddenCard,
    Progress,
    Prompt,
    Quiz,
    QuizItem,
    ReviewDay,
    ReviewLog,
    SavedSearch,
    StudySession,
    Topic,
)

# Sections ------------------------------------------------------------------------------------


class Topics(Section):
    name, model, one, noun, ref_kind = "topics", Topic, "a topic", "topic", "a topic id"
    fields = (Id("t"), Text("name"), Text("slug"), Text("description"), When("created_at"))
    starter_key = "slug"
    match = ("slug",)
    not_backed_up = ("owner",)

    def rows(self, user):
        return Topic.objects.owned_by(user).order_by("pk")

    def starter_rows(self):
        return Topic.objects.filter(owner=None)

    def check(self, restore, checked, row, seen):
        slug = checked.row.slug
        if slug in seen:
            raise problem(row.place("slug"), f"“{slug}” is used by two topics")
        seen.add(slug)

    def write(self, restore, checked):
        existing = {t.slug: t for t in Topic.objects.owned_by(restore.user)}
        new = []
        for each in checked:
            topic = each.row
            if topic.slug in existing:
                restore.written[self.name][each.id] = existing[topic.slug]
                restore.report.kept[self.name] += 1
                continue
            topic.owner = restore.user
            restore.written[self.name][each.id] = topic
            new.append(topic)
        self.create(new)
        restore.report.added[self.name] += len(new)


def set_topics(restore, model, rows) -> None:
    """The topics of new rows (pairs of a row and its topic references)."""
    many = model._meta.get_field("topics")
    through, source = many.remote_field.through, f"{many.m2m_field_name()}_id"
    through.objects.bulk_create(
        [
            through(**{source: row.pk, "topic_id": TOPICS.resolve(restore, ref).pk})
            for row, refs in rows
            for ref in refs
        ]
    )


class Cards(Section):
    name, model, one, noun = "cards", Card, "a card", "card"
    fields = (
        Id("c"),
        Ref("topic", to="topics"),
        Text("kind"),
        Text("front"),
        Text("back"),
        Text("text_format"),
        Boolean("suspended"),
        Tags("tags"),
        When("created_at"),
        When("updated_at"),
    )
    streamed = True
    starter_key = "starter_key"
    match = ("topic", "front")
    # starter_key marks the library's own cards; prompt_count follows from the kind.
    not_backed_up = ("owner", "starter_key", "prompt_count")

    def file_keys(self, version):
        # Before format 5 every card was Markdown (the default).
        return self.keys if version >= 5 else tuple(k for k in self.keys if k != "text_format")

    def rows(self, user):
        return Card.objects.owned_by(user).order_by("pk")

    def starter_rows(self):
        return Card.objects.filter(owner=None, starter_key__isnull=False)

    def check(self, restore, checked, row, seen):
        ordinals = tuple(checked.row.prompt_ordinals())
        restore.file_ids[self.name][checked.id] = (card_number(restore), ordinals)

    def pk_of(self, restore, ref: str) -> int:
        if ref.startswith(STARTER):
            return restore.starter(self)[ref[len(STARTER) :]].pk
        return restore.written[self.name][ref]

    def write(self, restore, checked):
        asked = prompts(restore)
        existing = defaultdict(list)
        if restore.merge:
            for card in Card.objects.owned_by(restore.user).order_by("pk"):
                existing[(card.topic_id, card.front)].append(card)
            for card_id, ordinal, pk in Prompt.objects.filter(card__owner=restore.user).values_list(
                "card_id", "ordinal", "pk"
            ):
                asked[card_id][ordinal] = pk
        tags = restore.shared.setdefault("tags", {})
        for batch in restore.batches(checked):
            new, new_rows = [], []
            for each in batch:
                topic = TOPICS.resolve(restore, each.values["topic"])
                matches = existing.get((topic.pk, each.row.front))
                if matches:
                    current = matches.pop(0)
                    restore.written[self.name][each.id] = current.pk
                    if each.row.updated_at > current.updated_at:
                        self._update(restore, current, each)
                        restore.report.updated[self.name] += 1
                    else:
                        restore.report.kept[self.name] += 1
                    continue
                each.row.owner, each.row.topic = restore.user, topic
                new.append(each.row)
                new_rows.append(each)
            self.create(new)
            for prompt in Prompt.objects.bulk_create(
                [Prompt(card=card, ordinal=n) for card in new for n in card.prompt_ordinals()]
            ):
                asked[prompt.card_id][prompt.ordinal] = prompt.pk
            _attach_tags(tags, [(each.row, each.values["tags"]) for each in new_rows])
            for each in new_rows:
                restore.written[self.name][each.id] = each.row.pk
            restore.report.added[self.name] += len(new)
            restore.after_batch()

    def _update(self, restore, current: Card, each) -> None:
        changes = self.changes(each.row)
        Card.objects.filter(pk=current.pk).update(**changes)
        suspended_before = current.suspended
        for name, value in changes.items():
            setattr(current, name, value)
        # A restore never moves a card to another topic: only its suspension can spread.
        current.spread_change(topic_before=current.topic_id, suspended_before=suspended_before)
        current.sync_prompts()
        prompts(restore)[current.pk] = dict(current.prompts.values_list("ordinal", "pk"))
        current.tags.set(each.values["tags"], clear=True)


def _attach_tags(tags: dict, pairs: list[tuple[Card, list[str]]]) -> None:
    """Tags are shared by everyone; find each by name as taggit does (case-
    insensitively when TAGGIT_CASE_INSENSITIVE is on), create the missing.
    ``tags``: the tags found so far in this restore, by name."""
    through = Card.tags.through
    tag_model = through.tag_model()
    insensitive = getattr(settings, "TAGGIT_CASE_INSENSITIVE", False)
    for name in sorted({name for _card, names in pairs for name in names} - tags.keys()):
        lookup = {"name__iexact": name} if insensitive else {"name": name}
        tag = tag_model.objects.filter(**lookup).order_by("pk").first()
        tags[name] = tag or tag_model.objects.create(name=name)
    content_type = ContentType.objects.get_for_model(Card)
    links = []
    for card, names in pairs:
        for tag_pk in dict.fromkeys(tags[name].pk for name in names):
            links.append(through(content_type=content_type, object_id=card.pk, tag_id=tag_pk))
    through.objects.bulk_create(links)


class StudySessions(Section):
    name, model, one = "study_sessions", StudySession, "a study session"
    fields = (Id("s"), TopicList(), When("started_at"), When("finished_at", null=True))
    match = ("started_at",)
    # Where the session's new cards start: a new account's session starts over.
    # Its narrowing to own cards or tags is the choice of the day it was started
    # (the tags are rows shared by everyone, with other ids elsewhere): a
    # restored session, long finished, shows all its topics' cards.
    # A session from a search keeps the cards it found by their ids here: a
    # restored one, long finished, shows all its topics' cards too.
    not_backed_up = (
        "user",
        "new_from",
        "own_only",
        "tag_ids",
        "search_text",
        "search_card_ids",
        "search_found",
    )

    def rows(self, user):
        return StudySession.objects.filter(user=user).order_by("pk")

    def write(self, restore, checked):
        new = self.new_rows(restore, checked)
        self.create([each.row for each in new])
        set_topics(restore, StudySession, [(each.row, each.values["topics"]) for each in new])
        restore.report.added[self.name] += len(new)


class ProgressRows(Section):
    name, model = "progress", Progress
    fields = (
        Ref("card", to="cards"),
        Ordinal("ordinal"),
        Integer("state"),
        Integer("step", null=True),
        Number("stability", null=True),
        Number("difficulty", null=True),
        When("due"),
        When("last_review", null=True),
        Integer("reps"),
        Integer("lapses"),
    )
    streamed = True
    not_backed_up = ("id", "user", "topic", "suspended")  # topic, suspended: the card's

    def rows(self, user):
        return Progress.objects.filter(user=user).order_by("pk")

    def check(self, restore, checked, row, seen):
        prompt = (checked.values["card"], checked.values["ordinal"])
        if prompt in seen:
            raise problem(row.where, f"card “{prompt[0]}” prompt {prompt[1]} has two progress rows")
        seen.add(prompt)

    def write(self, restore, checked):
        existing = {}
        if restore.merge:
            existing = {p.prompt_id: p for p in Progress.objects.filter(user=restore.user)}
        cards = suspended = None
        for batch in restore.batches(checked):
            new = []
            for each in batch:
                prompt = prompt_of(restore, each)
                if prompt is None:
                    restore.report.skipped[self.name] += 1
                    continue
                progress, current = each.row, existing.get(prompt[0])
                if current is None:
                    progress.user = restore.user
                    progress.prompt_id, progress.card_id = prompt
                    new.append(progress)
                elif _newer(progress, current):
                    Progress.objects.filter(pk=current.pk).update(**self.changes(progress))
                    restore.report.updated[self.name] += 1
                else:
                    restore.report.kept[self.name] += 1
            if new and cards is None:  # the cards are all written by now
                mine = Card.objects.filter(Q(owner=restore.user) | Q(owner__isnull=True))
                cards = dict(mine.values_list("pk", "topic_id"))
                suspended = set(
                    Card.objects.filter(owner=restore.user, suspended=True).values_list(
                        "pk", flat=True
                    )
                )
            for progress in new:
                progress.topic_id = cards[progress.card_id]
                progress.suspended = progress.card_id in suspended
            Progress.objects.bulk_create(new)
            restore.report.added[self.name] += len(new)
            restore.after_batch()


def _newer(candidate: Progress, current: Progress) -> bool:
    """More reviews is newer; with as many, the later last review is."""
    never = datetime.min.replace(tzinfo=UTC)
    return (candidate.reps, candidate.last_review or never) > (
        current.reps,
        current.last_review or never,
    )


class Reviews(Section):
    name, model = "reviews", ReviewLog
    fields = (
        Ref("card", to="cards"),
        Ordinal("ordinal"),
        Ref("session", to="study_sessions", null=True),
        Integer("rating"),
        When("reviewed_at"),
        Integer("duration_ms"),
        Integer("review_number"),
        Integer("state_before", null=True),
        Integer("state_after"),
        When("due_after"),
        NoDay("day"),
        Previous("previous"),
    )
    streamed = True
    match = ("prompt", "review_number")
    # client_key only guards against a grade sent twice, on the day it is given.
    not_backed_up = ("id", "user", "client_key")

    def rows(self, user):
        return ReviewLog.objects.filter(user=user).order_by("pk")

    def file_keys(self, version):
        return self.keys if version >= 2 else tuple(k for k in self.keys if k != "day")

    def check(self, restore, checked, row, seen):
        # The card's number, not its id, so that a million reviews take less memory.
        card, ordinal = checked.values["card"], checked.values["ordinal"]
        key = (restore.file_ids["cards"][card][0], ordinal, checked.row.review_number)
        if key in seen:
            raise problem(
                row.place("review_number"),
                f"card “{card}” prompt {ordinal} has review {key[2]} twice",
            )
        seen.add(key)

    def write(self, restore, checked):
        existing = set()
        if restore.merge:  # an account restored without merging has no reviews
            existing = set(
                ReviewLog.objects.filter(user=restore.user).values_list(
                    "prompt_id", "review_number"
                )
            )
        zone = Profile.for_user(restore.user).zone  # a grade's day: where the person is
        added = 0
        for batch in restore.batches(checked):
            new = []
            for each in batch:
                prompt = prompt_of(restore, each)
                if prompt is None:
                    restore.report.skipped[self.name] += 1
                    continue
                review = each.row
                if (prompt[0], review.review_number) in existing:
                    restore.report.kept[self.name] += 1
                    continue
                review.user = restore.user
                review.prompt_id, review.card_id = prompt
                review.session = SESSIONS.resolve(restore, each.values["session"])
                if review.day is None:
                    review.day = review_days.local_day(review.reviewed_at, zone)
                new.append(review)
            ReviewLog.objects.bulk_create(new)
            added += len(new)
            restore.after_batch()
        restore.report.added[self.name] += added
        if added:
            review_days.recount(ReviewDay, ReviewLog, user_id=restore.user.pk)


class QuizItems(Section):
    name, model, parent = "quiz_items", QuizItem, "quiz"
    fields = (
        Ref("card", to="cards"),
        Ordinal("ordinal"),
        Integer("position"),
        Text("typed_answer"),
        Boolean("correct", null=True),
        When("answered_at", null=True),
    )
    not_backed_up = ("id", "quiz")

    def new_seen(self):
        return set(), set()

    def check(self, restore, checked, row, seen):
        positions, prompts = seen
        prompt = (checked.values["card"], checked.values["ordinal"])
        if checked.row.position in positions or prompt in prompts:
            raise problem(row.where, "repeats a position or a card of this quiz")
        positions.add(checked.row.position)
        prompts.add(prompt)


class Quizzes(Section):
    name, model = "quizzes", Quiz
    fields = (
        Id("z"),
        TopicList(),
        Text("mode"),
        Integer("size"),
        Boolean("count_as_reviews"),
        Text("search_text"),
        When("started_at"),
        When("finished_at", null=True),
        Children("items", QuizItems()),
    )
    match = ("started_at",)
    not_backed_up = ("user",)

    def file_keys(self, version):
        # Before format 7 no quiz came from a search.
        return self.keys if version >= 7 else tuple(k for k in self.keys if k != "search_text")

    def rows(self, user):
        return Quiz.objects.filter(user=user).order_by("pk")

    def write(self, restore, checked):
        new = self.new_rows(restore, checked)
        self.create([each.row for each in new])
        set_topics(restore, Quiz, [(each.row, each.values["topics"]) for each in new])
        items = []
        for each in new:
            for child in each.values["items"]:
                prompt = prompt_of(restore, child)
                if prompt is None:
                    restore.report.skipped["quiz_items"] += 1
                    continue
                child.row.quiz = each.row
                child.row.prompt_id, child.row.card_id = prompt
                items.append(child.row)
        QuizItem.objects.bulk_create(items)
        restore.report.added[self.name] += len(new)


TOPICS, CARDS, SESSIONS = Topics(), Cards(), StudySessions()


def contents(user) -> dict[str, int]:
    return {
        "topics": Topic.objects.owned_by(user).count(),
        "cards": Card.objects.owned_by(user).count(),
        "progress rows": Progress.objects.filter(user=user).count(),
        "reviews": ReviewLog.objects.filter(user=user).count(),
        "study sessions": StudySession.objects.filter(user=user).count(),
        "quizzes": Quiz.objects.filter(user=user).count(),
        "saved searches": SavedSearch.objects.filter(user=user).count(),
        "card images": CardMedia.objects.filter(card__owner=user).count(),
        "hidden starter cards": HiddenCard.objects.filter(user=user).count(),
    }


PART = Part(
    sections=(
        TOPICS,
        CARDS,
        CardImages(),
        SESSIONS,
        ProgressRows(),
        Reviews(),
        Quizzes(),
        HiddenCards(),
        SavedSearches(),
    ),
    contents=contents,
    singular={
        "topics": "topic",
        "cards": "card",
        "progress rows": "progress row",
        "reviews": "review",
        "study sessions": "study session",
        "quizzes": "quiz",
        "quiz items": "quiz item",
        "card images": "card image",
        "hidden starter cards": "hidden starter card",
        "hidden cards": "hidden card",
        "saved searches": "saved search",
    },
)
