"""Interviews a person has coming, the questions they want to ask at each, and
mock interviews that rehearse the questions an interviewer asks."""

import uuid
from datetime import UTC, timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cards.models import check_room

# Limits on what a person keeps (README, "Limits"), checked by the forms, the
# services and the admin alike. The lengths of single texts are the fields'
# own max_length.
MAX_INTERVIEWS_PER_PERSON = 1_000
MAX_CHECKLIST_ITEMS = 100  # questions on one interview's checklist
MAX_BANK_QUESTIONS = 1_000  # questions to ask, in a person's bank
MAX_INTERVIEWER_QUESTIONS = 1_000  # a person's own mock interview questions
MAX_KEY_POINTS = 12  # per mock interview question
MAX_KEY_POINT_LENGTH = 300
MAX_SYNONYMS = 10  # other words for one key point
MAX_MOCK_ANSWER_LENGTH = 20_000
MAX_MODEL_ANSWER_LENGTH = 5_000
# A spoken answer: its length, as the page reports it, and its size (the hard
# limit, PREP_MOCK_AUDIO_MAX_BYTES in the settings, 10 MB unless set).
MAX_MOCK_AUDIO_SECONDS = 5 * 60


class Stage(models.TextChoices):
    RECRUITER = "recruiter", "Recruiter screen"
    HIRING_MANAGER = "hiring-manager", "Hiring manager"
    TECHNICAL = "technical", "Technical"
    SYSTEM_DESIGN = "system-design", "System design"
    BEHAVIORAL = "behavioral", "Behavioral"
    ONSITE = "onsite", "Onsite"
    OFFER = "offer", "Offer"


class Status(models.TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    DONE = "done", "Done, waiting to hear"
    PASSED = "passed", "Passed"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class QuestionCategory(models.TextChoices):
    """What a question to ask the company is about."""

    TEAM = "team", "Team"
    ROLE = "role", "Role"
    GROWTH = "growth", "Growth"
    CULTURE = "culture", "Culture"
    TECH = "tech", "Tech"
    PROCESS = "process", "Process"


class PracticeArea(models.TextChoices):
    """What an interviewer's question tests."""

    BEHAVIORAL = "behavioral", "Behavioral"
    TECHNICAL = "technical", "Technical"
    SYSTEM_DESIGN = "system-design", "System design"
    MACHINE_LEARNING = "machine-learning", "Machine learning"
    CODING_CONCEPTS = "coding-concepts", "Coding concepts"


# The practice areas a stage usually tests, for a mock interview tied to it.
STAGE_AREAS = {
    Stage.RECRUITER: [PracticeArea.BEHAVIORAL],
    Stage.HIRING_MANAGER: [PracticeArea.BEHAVIORAL, PracticeArea.TECHNICAL],
    Stage.TECHNICAL: [
        PracticeArea.TECHNICAL,
        PracticeArea.CODING_CONCEPTS,
        PracticeArea.MACHINE_LEARNING,
    ],
    Stage.SYSTEM_DESIGN: [PracticeArea.SYSTEM_DESIGN],
    Stage.BEHAVIORAL: [PracticeArea.BEHAVIORAL],
    Stage.ONSITE: list(PracticeArea),
    Stage.OFFER: [PracticeArea.BEHAVIORAL],
}


class InterviewQuerySet(models.QuerySet):
    def owned_by(self, user) -> "InterviewQuerySet":
        return self.filter(user=user)

    def check_room(self, user) -> None:
        """Refuse one more interview past MAX_INTERVIEWS_PER_PERSON."""
        kept = self.owned_by(user).count()
        check_room(kept=kept, adding=1, limit=MAX_INTERVIEWS_PER_PERSON, what="interviews")

    def upcoming(self) -> "InterviewQuerySet":
        return self.filter(scheduled_at__gte=timezone.now(), status=Status.UPCOMING).order_by(
            "scheduled_at"
        )

    def past(self) -> "InterviewQuerySet":
        return self.exclude(scheduled_at__gte=timezone.now(), status=Status.UPCOMING).order_by(
            "-scheduled_at"
        )


class Interview(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interviews"
    )
    company = models.CharField(max_length=120)
    role = models.CharField(max_length=120)
    scheduled_at = models.DateTimeField("date and time")
    timezone = models.CharField(
        max_length=64, default="UTC", help_text="The time zone the time above is in."
    )
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.TECHNICAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPCOMING)
    links = models.TextField(
        blank=True, max_length=4000, help_text="One link a line: the posting, the call, notes."
    )
    notes = models.TextField(blank=True, max_length=20_000)
    topics = models.ManyToManyField(
        "cards.Topic",
        blank=True,
        related_name="+",
        help_text="The card topics this interview needs.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The event of the calendar file (services.interview_calendar): its id, random
    # and kept for good, since a calendar knows the event by it; how many times
    # what the event shows has changed, and when it last did.
    ical_uid = models.UUIDField(default=uuid.uuid4, editable=False)
    ical_sequence = models.PositiveIntegerField(default=0, editable=False)
    ical_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = InterviewQuerySet.as_manager()

    # What the calendar file shows of an interview: a change to any raises its sequence.
    CALENDAR_FIELDS = (
        "company",
        "role",
        "scheduled_at",
        "timezone",
        "duration_minutes",
        "stage",
        "links",
        "notes",
    )

    class Meta:
        ordering = ["scheduled_at"]
        indexes = [models.Index(fields=["user", "scheduled_at"], name="interview_user_time")]
        constraints = [
            models.UniqueConstraint(fields=["user", "ical_uid"], name="interview_user_ical_uid")
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.role}"

    def save(self, *args, **kwargs):
        """Saves; a change to what the calendar file shows raises its sequence and
        dates the change, so a calendar that imports the file again updates the event."""
        saved = getattr(self, "_calendar_saved", None)
        if self.pk and saved is not None and self.calendar_state() != saved:
            self.ical_sequence += 1
            self.ical_changed_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {
                    *kwargs["update_fields"],
                    "ical_sequence",
                    "ical_changed_at",
                }
        super().save(*args, **kwargs)
        self._calendar_saved = self.calendar_state()

    def get_absolute_url(self) -> str:
        return reverse("interviews:detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if set(cls.CALENDAR_FIELDS) <= set(field_names):
            instance._calendar_saved = instance.calendar_state()
        return instance

    def calendar_state(self) -> tuple:
        # In UTC: a time in a zone's repeated hour never equals one in another zone.
        moment = self.scheduled_at
        return tuple(
            moment.astimezone(UTC) if name == "scheduled_at" and moment else getattr(self, name)
            for name in self.CALENDAR_FIELDS
        )

    def calendar_after_merge(self, newer: "Interview", now) -> dict:
        """The event's fields once ``newer`` (a restored row) is written over this
        interview: the id stays, the sequence passes both, raised if the event changes."""
        sequence = max(self.ical_sequence, newer.ical_sequence)
        if newer.calendar_state() == self.calendar_state():
            return {"ical_sequence": sequence, "ical_changed_at": self.ical_changed_at}
        return {"ical_sequence": sequence + 1, "ical_changed_at": now}

    def check_checklist_room(self, adding: int) -> None:
        """Refuse to take the checklist past MAX_CHECKLIST_ITEMS, saying how many fit."""
        kept = self.checklist.count()
        if kept + adding > MAX_CHECKLIST_ITEMS:
            fit = max(MAX_CHECKLIST_ITEMS - kept, 0)
            raise ValidationError(
                f"A checklist holds at most {MAX_CHECKLIST_ITEMS} questions; this one has "
                f"{kept}, so {fit} more fit. Nothing was added."
            )

    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]

    def practice_areas(self) -> list[str]:
        return [str(area) for area in STAGE_AREAS.get(self.stage, list(PracticeArea))]

    @property
    def is_upcoming(self) -> bool:
        return self.status == Status.UPCOMING and self.scheduled_at >= timezone.now()

    @property
    def is_past(self) -> bool:
        return self.scheduled_at < timezone.now()

    @property
    def took_place(self) -> bool:
        """Still marked Upcoming, though its time has passed: the outcome is the
        person's to record, so the stored status is left as they set it."""
        return self.status == Status.UPCOMING and self.is_past

    def status_label(self) -> str:
        """The status as shown: “Took place” once an upcoming interview's time has passed."""
        return "Took place" if self.took_place else self.get_status_display()


class QuestionToAsk(models.Model):
    """A question in a person's bank of questions to ask a company. Rows with no
    user are the starter bank, copied into each person's bank to edit freely."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="questions_to_ask",
    )
    category = models.CharField(max_length=10, choices=QuestionCategory.choices)
    text = models.CharField(max_length=500)
    starter_key = models.CharField(max_length=80, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "id"]
        verbose_name = "question to ask"
        verbose_name_plural = "questions to ask"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "starter_key"],
                condition=~Q(starter_key=""),
                name="question_unique_starter_per_user",
            ),
            models.UniqueConstraint(
                fields=["starter_key"],
                condition=Q(user__isnull=True),
                name="question_unique_starter",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @classmethod
    def check_room(cls, user, adding: int = 1) -> None:
        """Refuse ``adding`` more questions past a bank's MAX_BANK_QUESTIONS."""
        kept = cls.objects.filter(user=user).count()
        check_room(
            kept=kept, adding=adding, limit=MAX_BANK_QUESTIONS, what="questions in your bank"
        )


class ChecklistItem(models.Model):
    """A question to ask in one interview, in the order the person wants."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="checklist")
    question = models.ForeignKey(
        QuestionToAsk, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=500)
    position = models.PositiveIntegerField()
    asked = models.BooleanField(default=False)
    answer = models.TextField(blank=True, max_length=5000, help_text="What you heard.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "question"],
                condition=Q(question__isnull=False),
                name="checklist_question_once",
            )
        ]

    def __str__(self) -> str:
        return self.text


class InterviewerQuestion(models.Model):
    """A question an interviewer may ask, with what a strong answer covers.
    Rows with no owner are the shared starter bank."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interviewer_questions",
    )
    area = models.CharField(max_length=20, choices=PracticeArea.choices)
    text = models.TextField(max_length=2000)
    key_points = models.JSONField(default=list, help_text="What a strong answer covers.")
    key_point_synonyms = models.JSONField(
        default=list,
        blank=True,
        help_text="Other words for each key point (a list per key point, in the same order), "
        "that the coaching suggestion counts as the key point.",
    )
    star = models.BooleanField(
        default=False, help_text="Answer in the STAR frame: situation, task, action, result."
    )
    model_answer = models.TextField(
        blank=True,
        max_length=MAX_MODEL_ANSWER_LENGTH,
        help_text="What a strong candidate might say, shown after the person's own answer.",
    )
    starter_key = models.CharField(max_length=80, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["area", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("mock:question_history", args=[self.pk])

    def clean(self):
        points = self.key_points
        if not isinstance(points, list) or not all(isinstance(p, str) for p in points):
            raise ValidationError("The key points are a list of texts.")
        if len(points) > MAX_KEY_POINTS:
            raise ValidationError(
                f"A question has at most {MAX_KEY_POINTS} key points; this one has {len(points)}."
            )
        too_long = [point for point in points if len(point) > MAX_KEY_POINT_LENGTH]
        if too_long:
            raise ValidationError(
                f"A key point has at most {MAX_KEY_POINT_LENGTH} characters; "
                f"“{too_long[0][:40]}…” has {len(too_long[0]):,}."
            )
        synonyms = self.key_point_synonyms
        if (
            not isinstance(synonyms, list)
            or len(synonyms) > len(points)
            or not all(isinstance(s, list) and all(isinstance(w, str) for w in s) for s in synonyms)
            or any(len(s) > MAX_SYNONYMS for s in synonyms)
        ):
            raise ValidationError(
                "The synonyms are a list of texts for each key point, "
                f"at most one list per key point and {MAX_SYNONYMS} texts in a list."
            )

    def synonyms_for(self) -> list[list[str]]:
        """The synonyms of each key point, one list per key point (empty if none)."""
        given = list(self.key_point_synonyms or [])
        return [*given, *([] for _ in range(len(self.key_points) - len(given)))][
            : len(self.key_points)
        ]

    @classmethod
    def check_room(cls, user) -> None:
        """Refuse one more of a person's own questions past MAX_INTERVIEWER_QUESTIONS."""
        kept = cls.objects.filter(owner=user).count()
        check_room(
            kept=kept, adding=1, limit=MAX_INTERVIEWER_QUESTIONS, what="mock interview questions"
        )

    def key_point_list(self) -> list[tuple[int, str]]:
        return list(enumerate(self.key_points))


class OwnModelAnswer(models.Model):
    """A person's own model answer to a starter question, shown to them instead
    of the starter one (their own questions keep theirs on the question)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="own_model_answers"
    )
    question = models.ForeignKey(
        InterviewerQuestion, on_delete=models.CASCADE, related_name="own_model_answers"
    )
    text = models.TextField(max_length=MAX_MODEL_ANSWER_LENGTH)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="own_model_answer_once")
        ]

    def __str__(self) -> str:
        return f"Model answer of {self.user} to question {self.question_id}"


class MockSession(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mock_sessions"
    )
    interview = models.ForeignKey(
        Interview, on_delete=models.SET_NULL, null=True, blank=True, related_name="mock_sessions"
    )
    areas = models.JSONField(default=list)
    time_limit_seconds = models.PositiveSmallIntegerField(
        default=120, validators=[MinValueValidator(10), MaxValueValidator(3600)]
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Mock interview {self.pk} of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("mock:session", args=[self.pk])


def mock_audio_path(instance, filename: str) -> str:
    """Where a spoken answer is kept: a random name, nothing of the person's."""
    return f"mock-audio/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class MockAnswer(models.Model):
    """One question of a mock interview, the answer typed (and perhaps spoken), and its score."""

    session = models.ForeignKey(MockSession, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        InterviewerQuestion, on_delete=models.CASCADE, related_name="answers"
    )
    position = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True, max_length=MAX_MOCK_ANSWER_LENGTH)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    timed_out = models.BooleanField(default=False)
    covered = models.JSONField(default=list, help_text="Indexes of the key points covered.")
    suggested = models.JSONField(
        null=True,
        blank=True,
        help_text="Indexes of the key points the coaching suggestion found covered, when the "
        "answer was submitted (null: no suggestion, as for an empty answer).",
    )
    score = models.FloatField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    audio = models.FileField(
        upload_to=mock_audio_path,
        max_length=200,
        blank=True,
        help_text="The answer spoken aloud, as recorded in the browser (WebM, Ogg or MP4).",
    )
    audio_seconds = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How long the recording is, as the page reported it."
    )

    class Meta:
        ordering = ["session_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="mock_answer_position"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=1)),
                name="mock_answer_score_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer {self.position} of {self.session}"

    @property
    def audio_length(self) -> timedelta | None:
        return None if self.audio_seconds is None else timedelta(seconds=self.audio_seconds)
