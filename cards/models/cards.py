"""Topics hold cards; a card asks one or more prompts (one for basic, two for
reversed, one per cloze). Each has its QuerySet: what a person may read, and
deletes that take the reviews off their days first.

The study models (``study``) refer to these by name, so these can use them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Lower, Trim
from django.urls import reverse
from django.utils.text import slugify
from taggit.managers import TaggableManager

from ..markdown import (
    cloze_numbers,
    cloze_side,
    image_names,
    link_images,
    plain_text,
    render_face,
)
from ..review_days import move_reviews, uncount_reviews
from ..search import matching, search_words
from .bulk import HiddenCard
from .study import Progress, ReviewLog, StudySession

# Limits on what a person keeps (README, "Limits"): round and generous, so no real
# use meets them, and small enough that no request that writes at one of them
# holds the database for long. Forms, the admin and imports all check them here.
MAX_FACE_LENGTH = 10_000  # characters on each face of a card
MAX_TAGS_PER_CARD = 20
MAX_TAG_LENGTH = 100  # taggit's Tag.name
MAX_CARDS_PER_PERSON = 20_000
MAX_TOPICS_PER_PERSON = 500


def check_tags(tags: list[str]) -> None:
    """Refuse too many tags on one card, or a tag too long to store."""
    if len(tags) > MAX_TAGS_PER_CARD:
        raise ValidationError(
            f"A card has at most {MAX_TAGS_PER_CARD} tags; this one has {len(tags):,}."
        )
    too_long = [tag for tag in tags if len(tag) > MAX_TAG_LENGTH]
    if too_long:
        raise ValidationError(
            f"A tag has at most {MAX_TAG_LENGTH} characters; “{too_long[0][:30]}…” has "
            f"{len(too_long[0]):,}."
        )


def check_room(*, kept: int, adding: int, limit: int, what: str) -> None:
    """Refuse to take a person past ``limit`` of ``what`` (a plural noun), saying
    how many more fit."""
    if adding <= 0 or kept + adding <= limit:
        return
    fit = max(limit - kept, 0)
    if adding == 1:
        raise ValidationError(
            f"You have {kept:,} {what}, and one person can keep at most {limit:,}. "
            "Delete some to make room."
        )
    raise ValidationError(
        f"This would add {adding:,} {what} to your {kept:,}; one person can keep at most "
        f"{limit:,}, so {fit:,} more fit."
    )


class TopicQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TopicQuerySet":
        """The person's own topics and the starter library's."""
        return self.filter(Q(owner=user) | Q(owner__isnull=True))

    def owned_by(self, user) -> "TopicQuerySet":
        return self.filter(owner=user)

    def check_room(self, user, adding: int = 1) -> None:
        """Refuse ``adding`` more topics to a person's MAX_TOPICS_PER_PERSON."""
        kept = self.owned_by(user).count()
        check_room(kept=kept, adding=adding, limit=MAX_TOPICS_PER_PERSON, what="topics")


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


def hidden_from(user) -> models.QuerySet:
    """The ids of the starter cards the person hid (HiddenCard), as a subquery."""
    return HiddenCard.objects.filter(user=user).values("card_id")


class CardQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CardQuerySet":
        """Cards the person may read: their own and the starter library, but
        the starter cards they hid."""
        return self.readable_by(user).exclude(pk__in=hidden_from(user))

    def readable_by(self, user) -> "CardQuerySet":
        """``visible_to`` with the starter cards the person hid (to unhide them)."""
        return self.filter(Q(owner=user) | Q(owner__isnull=True))

    def owned_by(self, user) -> "CardQuerySet":
        return self.filter(owner=user)

    def check_room(self, user, adding: int = 1) -> None:
        """Refuse ``adding`` more cards to a person's MAX_CARDS_PER_PERSON."""
        kept = self.owned_by(user).count()
        check_room(kept=kept, adding=adding, limit=MAX_CARDS_PER_PERSON, what="cards")

    def search(self, query: str, *, reader) -> "CardQuerySet":
        """Cards ``reader`` may read with every word of the query, on the
        full-text index (cards.search)."""

        words = search_words(query)
        if not words:
            return self.none() if query.strip() else self.visible_to(reader)
        return self.filter(matching(reader, words)).exclude(pk__in=hidden_from(reader))

    def with_front(self, front: str) -> "CardQuerySet":
        """Cards whose front is ``front``, give or take case and the spaces around it."""
        return self.alias(front_key=Lower(Trim("front"))).filter(
            front_key=Lower(Value(front.strip()))
        )

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

    class TextFormat(models.TextChoices):
        MARKDOWN = "markdown", "Markdown"
        HTML = "html", "HTML (as Anki writes it)"

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
    text_format = models.CharField(
        "text format",
        max_length=8,
        choices=TextFormat.choices,
        default=TextFormat.MARKDOWN,
        help_text="How the front and back are read: Markdown, or HTML (cards from Anki).",
    )
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
            ),
            # The card browser's default order, newest first, and added:N: a
            # person's cards, or the starter library's, walked in that order.
            models.Index(fields=["owner", "created_at"], name="card_owner_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["basic", "reversed", "cloze"]), name="card_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(text_format__in=["markdown", "html"]), name="card_text_format_valid"
            ),
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

    def unsaved_prompts(self) -> list["Prompt"]:
        """The prompts the card asks as it is now, made in memory (a preview of a
        card not saved yet, or of changes to one)."""
        return [Prompt(card=self, ordinal=n) for n in self.prompt_ordinals()]

    def sync_prompts(self) -> None:
        """Create the prompts the card now asks and drop the ones it no longer does
        (with their progress), so editing a card never leaves orphans behind."""
        wanted = set(self.prompt_ordinals())
        if self.prompt_count != len(wanted):  # the card was changed by an update()
            self.prompt_count = len(wanted)
            Card.objects.filter(pk=self.pk).update(prompt_count=self.prompt_count)
        existing = set(self.prompts.values_list("ordinal", flat=True))
        if existing - wanted:
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
            move_reviews(self, from_topic_id=topic_before)
        Progress.objects.filter(card=self).update(topic_id=self.topic_id, suspended=self.suspended)
        if self.is_starter and not self.suspended:  # still left out for who hid it
            hid = HiddenCard.objects.filter(card=self, user=OuterRef("user_id"))
            Progress.objects.filter(Exists(hid), card=self).update(suspended=True)
        if not self.suspended:
            self.offer_again()

    def offer_again(self) -> None:
        """This card may have prompts that are new again (unsuspended, moved into
        a topic, a new cloze): study sessions look for new cards from it on."""

        StudySession.objects.filter(topics=self.topic_id, new_from__gt=self.pk).update(
            new_from=self.pk
        )

    @property
    def is_html(self) -> bool:
        return self.text_format == self.TextFormat.HTML

    # Images not yet the card's (added in the editor, shown in its preview): name → address.
    unsaved_images: dict[str, str] = {}

    def render(self, text: str) -> str:
        """Safe HTML for a face of this card, read in the card's text format; an
        image it gives by name is one it keeps (cards:card_media), or one of
        ``unsaved_images``."""
        rendered = render_face(text, html=self.is_html)
        if "<img" not in rendered or (self.pk is None and not self.unsaved_images):
            return rendered
        # The address of any of the card's images, without the name at its end.
        base = reverse("cards:card_media", args=[self.pk, "-"])[:-1] if self.pk else None
        return link_images(rendered, base, self.unsaved_images)

    def image_names(self) -> set[str]:
        """The bare names of the images the card's front and back show."""
        text = f"{self.front}\n{self.back}".lower()
        if "![" not in text and "<img" not in text:
            return set()  # no image: nothing to render (a cloze card's may be long)
        return image_names(render_face(self.front, html=self.is_html)) | image_names(
            render_face(self.back, html=self.is_html)
        )

    def front_html(self) -> str:
        if self.kind == self.Kind.CLOZE:
            return self.render(cloze_side(self.front, 1, reveal=False))
        return self.render(self.front)

    def front_text(self) -> str:
        """The front as one line of plain text, for a list or a table."""
        return plain_text(self.front, is_html=self.is_html, limit=90)

    def back_html(self) -> str:
        if self.kind == self.Kind.CLOZE:
            return self.render(cloze_side(self.front, 1, reveal=True))
        return self.render(self.back)

    def extra_html(self) -> str:
        return self.render(self.back)


class PromptQuerySet(models.QuerySet):
    def delete(self):
        """As Django's, with the prompts' reviews taken off their days first (a
        card edited to ask fewer prompts drops them with their history)."""

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

        with transaction.atomic():
            uncount_reviews(ReviewLog.objects.filter(prompt_id=self.pk))
            return super().delete(*args, **kwargs)

    @property
    def is_reverse(self) -> bool:
        return self.card.kind == Card.Kind.REVERSED and self.ordinal == 1

    def question_html(self) -> str:
        card = self.card
        if card.kind == Card.Kind.CLOZE:
            return card.render(cloze_side(card.front, self.ordinal, reveal=False))
        return card.render(card.back if self.is_reverse else card.front)

    def answer_html(self) -> str:
        card = self.card
        if card.kind == Card.Kind.CLOZE:
            return card.render(cloze_side(card.front, self.ordinal, reveal=True))
        return card.render(card.front if self.is_reverse else card.back)

    def extra_html(self) -> str:
        """What a cloze card's back adds after the answer."""
        if self.card.kind == Card.Kind.CLOZE and self.card.back.strip():
            return self.card.render(self.card.back)
        return ""
