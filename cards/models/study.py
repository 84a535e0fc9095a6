"""Studying: each person's FSRS progress per prompt, their study sessions, the
log of every grade and the grades counted per day."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property


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


class Negated(models.Func):
    """-x, written with no parameter, so that an index on it serves a query on it."""

    template = "(-%(expressions)s)"
    output_field = models.FloatField()


class Progress(models.Model):
    """A person's FSRS memory state for one prompt. No row means never studied."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress"
    )
    prompt = models.ForeignKey("cards.Prompt", on_delete=models.CASCADE, related_name="progress")
    card = models.ForeignKey("cards.Card", on_delete=models.CASCADE, related_name="progress")
    # Copies of the card's topic and suspension, kept in step by Card.save, so
    # the study queue, the due counts and the dashboard read this table alone.
    topic = models.ForeignKey("cards.Topic", on_delete=models.CASCADE, related_name="+")
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
            # A card's lapses, summed over its prompts at each lapse (leeches.py):
            # a starter card has rows of everyone, its card index would read them all.
            models.Index(fields=["user", "card"], name="progress_user_card"),
            # The card browser's sorts by stability and difficulty walk these
            # (browse/sorts.py). On the figure negated: on the figure itself,
            # SQLite would take them for a prop:s or prop:d test on each card,
            # a range of the person's rows where the (user, card) index finds one.
            models.Index(F("user"), Negated("stability"), name="progress_user_stability"),
            models.Index(F("user"), Negated("difficulty"), name="progress_user_difficulty"),
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
    topics = models.ManyToManyField("cards.Topic", related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Every studiable prompt of the session's topics on one of the person's own
    # cards below this id has been studied: the search for their next new card
    # starts here (the starter library's, a few hundred, are searched from the
    # start). Moved on as new cards are graded, and back by whatever makes an
    # earlier prompt new again (an undone first grade, a card unsuspended or
    # moved in, a new cloze).
    new_from = models.PositiveBigIntegerField(default=0)
    # Narrower sessions: only the person's own cards, or only cards with one of
    # these tags (ids of taggit tags; none: every card of the topics).
    own_only = models.BooleanField(default=False)
    tag_ids = models.JSONField(default=list, blank=True)
    # A session started from a search of the card browser: the search, and the
    # ids of the cards it found then (the first SEARCH_CARDS of them, in the
    # browser's order), to which the session keeps; None for any other session.
    search_text = models.CharField(max_length=500, blank=True)
    search_card_ids = models.JSONField(null=True, blank=True)
    search_found = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many cards the search found at the start."
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Study session {self.pk} of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("cards:study_session", args=[self.pk])

    @property
    def search_capped(self) -> bool:
        """Whether the search found more cards than the session keeps."""
        ids = self.search_card_ids
        return ids is not None and (self.search_found or 0) > len(ids)

    @cached_property
    def topic_ids(self) -> list[int]:
        """The session's topics' ids, read from the link table alone."""
        links = StudySession.topics.through.objects.filter(studysession_id=self.pk)
        return list(links.values_list("topic_id", flat=True))


class ReviewLog(models.Model):
    """One grade. ``review_number`` counts the person's reviews of the prompt, and
    is unique with it: the same grade can never be written twice."""

    # Indexed by the indexes below (each first in one), not each on its own: every
    # index is written again for each of the thousands of reviews a bulk action
    # deletes or puts back.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews", db_index=False
    )
    card = models.ForeignKey(
        "cards.Card", on_delete=models.CASCADE, related_name="reviews", db_index=False
    )
    prompt = models.ForeignKey("cards.Prompt", on_delete=models.CASCADE, related_name="reviews")
    session = models.ForeignKey(
        StudySession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
        db_index=False,
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
    # The key the study page made for this grade: the same grade sent again (a
    # retry, a reload with grades waiting) is found by it and recorded once.
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-reviewed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "prompt", "review_number"], name="review_unique_number"
            ),
            models.UniqueConstraint(
                fields=["user", "client_key"],
                condition=Q(client_key__isnull=False),
                name="review_unique_client_key",
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
            # A card's reviews (all of them as it is deleted), or a person's
            # reviews of chosen cards (the card browser's bulk actions).
            models.Index(fields=["card", "user"], name="review_card_user"),
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
    topic = models.ForeignKey("cards.Topic", on_delete=models.CASCADE, related_name="+")
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
