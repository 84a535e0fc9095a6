"""Topics hold cards; a card asks one or more prompts; each person keeps their own
FSRS progress per prompt and a log of every grade.

The starter library is the rows with no owner: everyone reads it, nobody edits
it through the app, and each person's progress on it is their own.
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from taggit.managers import TaggableManager

from prep_site.jobs import JobState

from .markdown import cloze_numbers, cloze_side, render_markdown

MAX_FACE_LENGTH = 10_000


class TopicQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TopicQuerySet":
        """The person's own topics and the starter library's."""
        return self.filter(Q(owner=user) | Q(owner__isnull=True))

    def owned_by(self, user) -> "TopicQuerySet":
        return self.filter(owner=user)


class Topic(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="topics",
        help_text="Empty for the shared starter library.",
    )
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=90, allow_unicode=True)
    description = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "slug"], name="topic_unique_slug_per_owner"),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(owner__isnull=True),
                name="topic_unique_starter_slug",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True)[:90] or "topic"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cards:topic_detail", args=[self.pk])

    @property
    def is_starter(self) -> bool:
        return self.owner_id is None


class CardQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CardQuerySet":
        """Cards the person may read: their own and the starter library."""
        return self.filter(Q(owner=user) | Q(owner__isnull=True))

    def owned_by(self, user) -> "CardQuerySet":
        return self.filter(owner=user)

    def search(self, query: str, *, reader) -> "CardQuerySet":
        """Cards ``reader`` may read with every word of the query, on the
        full-text index (cards.search)."""
        from .search import matching, search_words

        words = search_words(query)
        if not words:
            return self.none() if query.strip() else self.visible_to(reader)
        return self.filter(matching(reader, words))

    def bulk_create(self, objs, *args, **kwargs):
        """As Django's, with each card's ``prompt_count`` filled in first (the
        rows skip ``save``)."""
        objs = list(objs)
        for card in objs:
            card.prompt_count = len(card.prompt_ordinals())
        return super().bulk_create(objs, *args, **kwargs)

    def delete(self):
        """As Django's, with the cards' reviews taken off their days first (the
        delete takes the reviews with it)."""
        from .review_days import uncount_reviews

        with transaction.atomic():
            uncount_reviews(ReviewLog.objects.filter(card__in=self.values("pk")))
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


class Card(models.Model):
    class Kind(models.TextChoices):
        BASIC = "basic", "Basic (front → back)"
        REVERSED = "reversed", "Reversed (both directions)"
        CLOZE = "cloze", "Cloze deletion ({{c1::…}})"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cards",
        help_text="Empty for the shared starter library.",
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="cards")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BASIC)
    front = models.TextField(max_length=MAX_FACE_LENGTH)
    back = models.TextField(max_length=MAX_FACE_LENGTH, blank=True)
    suspended = models.BooleanField(
        default=False, help_text="A suspended card is left out of study sessions."
    )
    starter_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    # How many prompts the card asks (``prompt_ordinals``), kept with the card so
    # the prompts per topic are a sum over the (owner, topic, ...) index.
    prompt_count = models.PositiveSmallIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tags = TaggableManager(blank=True, help_text="Separate tags with commas or spaces.")

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["topic_id", "id"]
        # Covers the per-topic card and prompt counts (suspended included).
        indexes = [
            models.Index(
                fields=["owner", "topic", "suspended", "prompt_count"], name="card_owner_topic"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["basic", "reversed", "cloze"]), name="card_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.front[:60]

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if fields is None or {"kind", "front"} & set(fields):
            self.prompt_count = len(self.prompt_ordinals())
            if fields is not None:
                kwargs["update_fields"] = [*fields, "prompt_count"]
        watched = {"topic", "topic_id", "suspended", "owner", "owner_id"}
        if self._state.adding or (fields is not None and not watched & set(fields)):
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            before = (
                Card.objects.filter(pk=self.pk)
                .values_list("topic_id", "suspended", "owner_id")
                .first()
            )
            super().save(*args, **kwargs)
            if before is not None:
                self.spread_change(topic_before=before[0], suspended_before=before[1])
                if before[2] != self.owner_id and not self.suspended:
                    self.offer_again()  # new to its new owner's sessions

    def get_absolute_url(self) -> str:
        return reverse("cards:card_detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        """As Django's, with the card's reviews taken off their days first."""
        from .review_days import uncount_reviews

        with transaction.atomic():
            uncount_reviews(ReviewLog.objects.filter(card_id=self.pk))
            return super().delete(*args, **kwargs)

    @property
    def is_starter(self) -> bool:
        return self.owner_id is None

    def prompt_ordinals(self) -> list[int]:
        """Which prompts this card asks: one for basic, two for reversed, one per cloze."""
        if self.kind == self.Kind.REVERSED:
            return [0, 1]
        if self.kind == self.Kind.CLOZE:
            return cloze_numbers(self.front) or [1]
        return [0]

    def sync_prompts(self) -> None:
        """Create the prompts the card now asks and drop the ones it no longer does
        (with their progress), so editing a card never leaves orphans behind."""
        wanted = set(self.prompt_ordinals())
        if self.prompt_count != len(wanted):  # the card was changed by an update()
            self.prompt_count = len(wanted)
            Card.objects.filter(pk=self.pk).update(prompt_count=self.prompt_count)
        existing = set(self.prompts.values_list("ordinal", flat=True))
        self.prompts.exclude(ordinal__in=wanted).delete()
        Prompt.objects.bulk_create(
            [Prompt(card=self, ordinal=n) for n in sorted(wanted - existing)]
        )
        if existing and wanted - existing:
            self.offer_again()

    def spread_change(self, *, topic_before: int, suspended_before: bool) -> None:
        """After the card's topic or suspension changed (by ``save``, or by an
        update that bypasses it): the progress rows' copies follow, its grades
        count under the new topic, and open study sessions look for new cards
        from it on if it may have become studiable again."""
        moved = topic_before != self.topic_id
        if not moved and suspended_before == self.suspended:
            return
        if moved:
            from .review_days import move_reviews

            move_reviews(self, from_topic_id=topic_before)
        Progress.objects.filter(card=self).update(topic_id=self.topic_id, suspended=self.suspended)
        if not self.suspended:
            self.offer_again()

    def offer_again(self) -> None:
        """This card may have prompts that are new again (unsuspended, moved into
        a topic, a new cloze): study sessions look for new cards from it on."""
        StudySession.objects.filter(topics=self.topic_id, new_from__gt=self.pk).update(
            new_from=self.pk
        )

    def front_html(self) -> str:
        if self.kind == self.Kind.CLOZE:
            return render_markdown(cloze_side(self.front, 1, reveal=False))
        return render_markdown(self.front)

    def back_html(self) -> str:
        if self.kind == self.Kind.CLOZE:
            return render_markdown(cloze_side(self.front, 1, reveal=True))
        return render_markdown(self.back)

    def extra_html(self) -> str:
        return render_markdown(self.back)


class PromptQuerySet(models.QuerySet):
    def delete(self):
        """As Django's, with the prompts' reviews taken off their days first (a
        card edited to ask fewer prompts drops them with their history)."""
        from .review_days import uncount_reviews

        with transaction.atomic():
            uncount_reviews(ReviewLog.objects.filter(prompt__in=self.values("pk")))
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


class Prompt(models.Model):
    """One question a card asks. Progress and reviews are kept per prompt, the
    way a reversed card is two things to remember. Which prompts a card has is
    decided by the card (``Card.sync_prompts``), not edited on their own."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="prompts")
    ordinal = models.PositiveSmallIntegerField()

    objects = PromptQuerySet.as_manager()

    class Meta:
        ordering = ["card_id", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["card", "ordinal"], name="prompt_unique_ordinal")
        ]

    def __str__(self) -> str:
        return f"{self.card} [{self.ordinal}]"

    def delete(self, *args, **kwargs):
        from .review_days import uncount_reviews

        with transaction.atomic():
            uncount_reviews(ReviewLog.objects.filter(prompt_id=self.pk))
            return super().delete(*args, **kwargs)

    @property
    def is_reverse(self) -> bool:
        return self.card.kind == Card.Kind.REVERSED and self.ordinal == 1

    def question_html(self) -> str:
        card = self.card
        if card.kind == Card.Kind.CLOZE:
            return render_markdown(cloze_side(card.front, self.ordinal, reveal=False))
        return render_markdown(card.back if self.is_reverse else card.front)

    def answer_html(self) -> str:
        card = self.card
        if card.kind == Card.Kind.CLOZE:
            return render_markdown(cloze_side(card.front, self.ordinal, reveal=True))
        return render_markdown(card.front if self.is_reverse else card.back)

    def extra_html(self) -> str:
        """What a cloze card's back adds after the answer."""
        if self.card.kind == Card.Kind.CLOZE and self.card.back.strip():
            return render_markdown(self.card.back)
        return ""


class State(models.IntegerChoices):
    """FSRS card states (the fsrs package has no 'new': new means no Progress row)."""

    LEARNING = 1, "Learning"
    REVIEW = 2, "Review"
    RELEARNING = 3, "Relearning"


class Rating(models.IntegerChoices):
    AGAIN = 1, "Again"
    HARD = 2, "Hard"
    GOOD = 3, "Good"
    EASY = 4, "Easy"


class Progress(models.Model):
    """A person's FSRS memory state for one prompt. No row means never studied."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress"
    )
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="progress")
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="progress")
    # Copies of the card's topic and suspension, kept in step by Card.save, so
    # the study queue, the due counts and the dashboard read this table alone.
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    suspended = models.BooleanField(default=False)
    state = models.PositiveSmallIntegerField(choices=State.choices, db_index=True)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True, db_index=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField(db_index=True)
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "prompt"], name="progress_unique_user_prompt")
        ]
        # Partial indexes over the cards a person studies (suspended ones left
        # out), each covering what it serves so counts read the index alone:
        # the due counts and the forecast, then the study queue and mastery per topic.
        indexes = [
            models.Index(
                fields=["user", "due", "state"],
                name="progress_live_due",
                condition=Q(suspended=False),
            ),
            models.Index(
                fields=["user", "topic", "due", "stability"],
                name="progress_live_topic_due",
                condition=Q(suspended=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.prompt} · due {self.due:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.topic_id is None:  # a new row takes its card's topic and suspension
            self.topic_id, self.suspended = self.card.topic_id, self.card.suspended
        super().save(*args, **kwargs)


class StudySession(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_sessions"
    )
    topics = models.ManyToManyField(Topic, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Every studiable prompt of the session's topics on one of the person's own
    # cards below this id has been studied: the search for their next new card
    # starts here (the starter library's, a few hundred, are searched from the
    # start). Moved on as new cards are graded, and back by whatever makes an
    # earlier prompt new again (an undone first grade, a card unsuspended or
    # moved in, a new cloze).
    new_from = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Study session {self.pk} of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("cards:study_session", args=[self.pk])

    @cached_property
    def topic_ids(self) -> list[int]:
        """The session's topics' ids, read from the link table alone."""
        links = StudySession.topics.through.objects.filter(studysession_id=self.pk)
        return list(links.values_list("topic_id", flat=True))


class ReviewLog(models.Model):
    """One grade. ``review_number`` counts the person's reviews of the prompt, and
    is unique with it: the same grade can never be written twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="reviews")
    session = models.ForeignKey(
        StudySession, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    review_number = models.PositiveIntegerField()
    state_before = models.PositiveSmallIntegerField(
        choices=State.choices, null=True, blank=True, help_text="Empty when the prompt was new."
    )
    state_after = models.PositiveSmallIntegerField(choices=State.choices)
    due_after = models.DateTimeField()
    # The person's local day when they graded: the day it counts on for good,
    # whatever time zone they move to later.
    day = models.DateField()
    # The progress row as it was before this grade, so undo can put it back.
    previous = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "prompt", "review_number"], name="review_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=4), name="review_rating_1_to_4"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "reviewed_at"], name="review_user_time"),
            # With the id, which breaks ties of time: a session's last grade (the
            # undo's, read on every study step) is then the index's last entry.
            models.Index(fields=["session", "reviewed_at", "id"], name="review_session_time"),
        ]

    def __str__(self) -> str:
        return f"{self.user} graded {self.prompt} {self.get_rating_display()}"

    def save(self, *args, **kwargs):
        if self.day is None:  # the day where the person is now
            self.day = timezone.localtime(self.reviewed_at).date()
        super().save(*args, **kwargs)

    @property
    def was_new(self) -> bool:
        return self.state_before is None


class ReviewDay(models.Model):
    """How many grades a person gave on one local day in one topic, and how many
    of them were of cards in review and passed. Kept up by every grade and undo
    (and rebuilt by bulk loads), so the streak, the heatmap and retention add up
    a few rows a day instead of reading the whole review log. The day is the
    person's local day when they graded."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_days"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    reviews = models.PositiveIntegerField(default=0)
    in_review = models.PositiveIntegerField(default=0, help_text="Grades of cards in review.")
    passed = models.PositiveIntegerField(default=0, help_text="Of those, the ones not Again.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day", "topic"], name="review_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.day} · {self.reviews} reviews"


class Quiz(models.Model):
    """A scored run over some cards, apart from the study schedule unless the
    person asks for its answers to count as reviews."""

    class Mode(models.TextChoices):
        RANDOM = "random", "Random"
        WEAKEST = "weakest", "Weakest first"
        UNSEEN = "unseen", "Never studied"

    MAX_SIZE = 100

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quizzes"
    )
    topics = models.ManyToManyField(Topic, related_name="+")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.RANDOM)
    size = models.PositiveSmallIntegerField()
    count_as_reviews = models.BooleanField(
        default=False, help_text="Also grade the cards in your study schedule."
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name_plural = "quizzes"
        indexes = [models.Index(fields=["user", "started_at"], name="quiz_user_time")]

    def __str__(self) -> str:
        return f"Quiz {self.pk} of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("cards:quiz_detail", args=[self.pk])


class QuizItem(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="+")
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    typed_answer = models.TextField(blank=True, max_length=5000)
    correct = models.BooleanField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["quiz_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "position"], name="quiz_item_position"),
            models.UniqueConstraint(fields=["quiz", "prompt"], name="quiz_item_prompt_once"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} #{self.position}"


class ImportJob(JobState):
    """One file being imported. A worker reads the uploaded file (``upload``,
    deleted once read) into parsed, validated rows, which wait here between the
    preview and the confirmation; a worker then writes them, and the job records
    how the import went. The import itself is one transaction, so nothing it
    writes is visible before it commits; the job's progress columns are written
    around it."""

    class Source(models.TextChoices):
        CSV = "csv", "CSV"
        TSV = "tsv", "TSV"
        ANKI_TEXT = "anki-text", "Anki notes in plain text"
        APKG = "apkg", "Anki deck package"

    class Status(models.TextChoices):
        CHECKING = "checking", "Reading the file"
        PREVIEW = "preview", "Waiting for confirmation"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    class OnDuplicate(models.TextChoices):
        SKIP = "skip", "Skip them: keep my cards as they are"
        UPDATE = "update", "Update them: take the back and tags from the file"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    filename = models.CharField(max_length=255)
    # The file as uploaded, until a worker has read it.
    upload = models.FileField(upload_to="imports/%Y/%m/%d/", max_length=300, blank=True)
    default_topic = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    on_duplicate = models.CharField(max_length=10, choices=OnDuplicate.choices, blank=True)
    # [line, front, back, topic name, [tags]] per valid row; emptied once imported.
    rows = models.JSONField(default=list, blank=True)
    # [line, reason] per rejected row (the first few hundred; error_count has them all).
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    # Things the person should know that are not errors (e.g. media left out).
    notes = models.JSONField(default=list, blank=True)
    # What the import did: created, updated, skipped and the topics it touched.
    result = models.JSONField(default=dict, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "status"], name="import_owner_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["checking", "preview", "running", "done", "failed"]),
                name="import_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(on_duplicate__in=["", "skip", "update"]),
                name="import_on_duplicate_valid",
            ),
            # One import at a time per person (services check it first, with a message).
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(status__in=["checking", "running"]),
                name="import_one_in_progress",
            ),
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.filename}"

    IN_PROGRESS = (Status.CHECKING, Status.RUNNING)

    @property
    def in_progress(self) -> bool:
        """A worker has this job to do (reading the file, or writing the cards)."""
        return self.status in self.IN_PROGRESS

    def get_absolute_url(self) -> str:
        return reverse("cards:import_job", args=[self.pk])

    @property
    def unit(self) -> str:
        """What an error's number counts: lines of a text file, notes of a deck."""
        return "Note" if self.source == self.Source.APKG else "Line"
