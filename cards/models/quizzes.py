"""Quizzes: a scored run over some prompts, apart from the study schedule."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from .cards import Card, Prompt, Topic


class Quiz(models.Model):
    """A scored run over some cards, apart from the study schedule unless the
    person asks for its answers to count as reviews."""

    class Mode(models.TextChoices):
        RANDOM = "random", "Random"
        WEAKEST = "weakest", "Weakest first"
        UNSEEN = "unseen", "Never studied"
        # Drawn for an interview (interviews/cram.py): lowest predicted recall at
        # its time first. Not offered on the quiz form.
        CRAM = "cram", "Cram for an interview"

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
    # The card browser's search the cards were drawn from, if any.
    search_text = models.CharField(max_length=500, blank=True)
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
