import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from prep_site.jobs import JobState


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class NewCardSpread(models.TextChoices):
    INTERLEAVED = "interleaved", "Interleaved across the chosen topics"
    BY_TOPIC = "by_topic", "Topic by topic"


class NewCardSource(models.TextChoices):
    OWN_FIRST = "own_first", "Your own cards first"
    MIXED = "mixed", "Mixed with the starter library"


class NewCardOrder(models.TextChoices):
    ADDED = "added", "In the order added"
    RANDOM = "random", "Random"


class Profile(models.Model):
    """A person's study settings."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    new_cards_per_day = models.PositiveSmallIntegerField(
        default=20,
        validators=[MinValueValidator(0), MaxValueValidator(500)],
        help_text="How many cards you have never seen a study session may introduce each day.",
    )
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        choices=timezone_choices,
        help_text="Your day starts at midnight here: it decides what counts as today.",
    )
    new_card_spread = models.CharField(
        max_length=12,
        choices=NewCardSpread.choices,
        default=NewCardSpread.INTERLEAVED,
        help_text="Interleaved takes turns between the topics of a session; topic by topic "
        "finishes the first topic's new cards before the next.",
    )
    new_card_source = models.CharField(
        max_length=12,
        choices=NewCardSource.choices,
        default=NewCardSource.OWN_FIRST,
        help_text="Your own cards first shows the cards you wrote before the starter "
        "library's; mixed takes turns between the two.",
    )
    new_card_order = models.CharField(
        max_length=12,
        choices=NewCardOrder.choices,
        default=NewCardOrder.ADDED,
        help_text="In the order added shows older cards first; random shuffles them once "
        "a day, so a reload keeps the same order.",
    )

    daily_email = models.BooleanField(
        "daily e-mail",
        default=False,
        help_text="Once a day: how many cards are due, how many new cards wait, and your "
        "next interview. Sent to your account's e-mail address.",
    )
    daily_email_hour = models.PositiveSmallIntegerField(
        "hour to send it",
        default=8,
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        help_text="In your time zone.",
    )
    daily_email_sent_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The last day, in the person's time zone, the daily e-mail was sent.",
    )

    followup_cards_auto = models.BooleanField(
        "make cards of missed key points automatically",
        default=False,
        help_text="When you score a mock interview answer, the key points you did not cover "
        "become flashcards in your topic “Mock interview follow-ups”.",
    )

    question_bank_seeded = models.BooleanField(
        default=False,
        help_text="Whether the starter questions to ask were copied into this person's bank.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(new_cards_per_day__lte=500), name="profile_new_cards_le_500"
            ),
            models.CheckConstraint(
                condition=models.Q(new_card_spread__in=NewCardSpread.values),
                name="profile_new_card_spread_known",
            ),
            models.CheckConstraint(
                condition=models.Q(new_card_source__in=NewCardSource.values),
                name="profile_new_card_source_known",
            ),
            models.CheckConstraint(
                condition=models.Q(new_card_order__in=NewCardOrder.values),
                name="profile_new_card_order_known",
            ),
            models.CheckConstraint(
                condition=models.Q(daily_email_hour__lte=23), name="profile_daily_email_hour_le_23"
            ),
        ]

    def __str__(self) -> str:
        return f"Settings of {self.user}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @classmethod
    def for_user(cls, user) -> "Profile":
        profile, _ = cls.objects.get_or_create(user=user)
        profile.user = user  # the person at hand, not read again
        return profile


class RestoreJob(JobState):
    """A backup too large to restore while the page waits: its file is kept in
    the default storage (``upload``) until a worker has restored it. The restore
    is one transaction, so nothing it writes is visible before it commits; the
    job's progress columns are written around it."""

    class Status(models.TextChoices):
        RUNNING = "running", "Restoring"
        DONE = "done", "Restored"
        FAILED = "failed", "Not restored"

    under_way = (Status.RUNNING,)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="restore_jobs"
    )
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(help_text="The file's size in bytes, as uploaded.")
    merge = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    upload = models.FileField(upload_to="restores/%Y/%m/%d/", max_length=300, blank=True)
    report = models.TextField(blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "status"], name="restore_user_status")]
        constraints = [
            # One restore at a time per person (services check it first, with a message).
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="running"), name="restore_one_running"
            )
        ]

    def __str__(self) -> str:
        return f"Restore of {self.filename}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:restore_job", args=[self.pk])
