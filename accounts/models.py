import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


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

    question_bank_seeded = models.BooleanField(
        default=False,
        help_text="Whether the starter questions to ask were copied into this person's bank.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(new_cards_per_day__lte=500), name="profile_new_cards_le_500"
            )
        ]

    def __str__(self) -> str:
        return f"Settings of {self.user}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @classmethod
    def for_user(cls, user) -> "Profile":
        profile, _ = cls.objects.get_or_create(user=user)
        return profile
