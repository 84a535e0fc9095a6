"""Import jobs: one uploaded file on its way to becoming cards (cards.imports)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from prep_site.jobs import JobState


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
        QUIZLET = "quizlet", "Quizlet export"

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
    # How to read the file when its name does not say: {} for CSV, TSV and Anki
    # files; {"format": "quizlet", "term": separator, "row": separator}.
    reading = models.JSONField(default=dict, blank=True)
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

    person_field = "owner"
    under_way = (Status.CHECKING, Status.RUNNING)
    # Not settled yet: what PREP_IMPORT_MAX_PENDING counts.
    pending = (Status.CHECKING, Status.PREVIEW, Status.RUNNING)

    @property
    def in_progress(self) -> bool:
        """A worker has this job to do (reading the file, or writing the cards)."""
        return self.status in self.under_way

    def get_absolute_url(self) -> str:
        return reverse("cards:import_job", args=[self.pk])

    @property
    def kept_until(self) -> datetime:
        """When an unconfirmed preview (or a failed job) is deleted: the hourly
        purge takes it within the hour after this."""
        since = self.finished_at or self.created_at
        return since + timedelta(hours=settings.PREP_IMPORT_PREVIEW_HOURS)

    @property
    def unit(self) -> str:
        """What an error's number counts: lines of a text file, notes of a deck."""
        return "Note" if self.source == self.Source.APKG else "Line"
