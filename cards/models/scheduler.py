"""Each person's own FSRS: the retention they aim for, the parameters fitted
to their reviews (cards.schedule), and the jobs that fit them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from prep_site.jobs import QueuedJob, queued_constraints

MAX_LIGHT_DATES = 60
MIN_RETENTION = 0.70
MAX_RETENTION = 0.97
RETENTION_RANGE = (
    f"Desired retention must be between {MIN_RETENTION:.2f} and {MAX_RETENTION:.2f} "
    f"(from {MIN_RETENTION:.0%} to {MAX_RETENTION:.0%})."
)


def validate_retention(value: float) -> None:
    if value is None or not MIN_RETENTION <= value <= MAX_RETENTION:
        raise ValidationError(RETENTION_RANGE, code="retention_range")


class SchedulerSettings(models.Model):
    """How FSRS schedules one person's cards. A person without a row is
    scheduled with FSRS's default parameters at the site's default retention."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheduler_settings"
    )
    desired_retention = models.FloatField(
        default=settings.FSRS_DESIRED_RETENTION,
        validators=[validate_retention],
        help_text="The chance of recalling a card when it falls due.",
    )
    # FSRS's 21 parameters fitted to the person's reviews; null: FSRS's defaults.
    parameters = models.JSONField(null=True, blank=True)
    optimized_at = models.DateTimeField(
        null=True, blank=True, help_text="When the optimizer last ran to the end."
    )
    # What the last run measured: reviews used, log loss and RMSE of the default
    # and of the fitted parameters, and whether the fitted ones were kept.
    metrics = models.JSONField(default=dict, blank=True)
    # Weekdays (0 Monday to 6 Sunday) the person wants fewer reviews on: load
    # balancing (cards/balancing.py) counts them as busier than they are.
    light_weekdays = models.JSONField(default=list, blank=True)
    # Dates ("2026-12-24") light in the same way, and whether the days of the
    # person's upcoming interviews are (cards.balancing.light_days asks the
    # interviews app for them).
    light_dates = models.JSONField(default=list, blank=True)
    interview_days_light = models.BooleanField(
        "interview days are light",
        default=True,
        help_text="Fewer reviews fall due on the day of an upcoming interview.",
    )

    class Meta:
        verbose_name_plural = "scheduler settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(desired_retention__gte=MIN_RETENTION)
                & Q(desired_retention__lte=MAX_RETENTION),
                name="scheduler_retention_range",
                violation_error_message=RETENTION_RANGE,
            ),
        ]

    def __str__(self) -> str:
        return f"Schedule of {self.user}"


class OptimizeJob(QueuedJob):
    """One run of the optimizer over a person's review log, on a worker. It
    only reads the review log and writes the person's schedule."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="optimize_jobs"
    )
    # What the run does: fit the parameters, then replay the cards through the
    # schedule (cards/schedule/reschedule.py), or either alone.
    fit = models.BooleanField(default=True)
    reschedule = models.BooleanField(default=False)
    # What the run found, in a sentence for the person.
    outcome = models.TextField(blank=True)
    failure = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta(QueuedJob.Meta):
        constraints = queued_constraints("optimize")

    filename = "Schedule optimization"  # how lists of jobs name it

    def __str__(self) -> str:
        return f"Optimization {self.pk} for {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("cards:schedule")
