"""Topics hold cards; a card asks one or more prompts; each person keeps their own
FSRS progress per prompt and a log of every grade.

The starter library is the rows with no owner: everyone reads it, nobody edits
it through the app, and each person's progress on it is their own.

The models live by what they are about: ``cards`` (topics, cards, prompts),
``study`` (progress, sessions, the review log and its daily counts),
``quizzes``, ``import_jobs``, ``scheduler`` (each person's own FSRS),
``searches`` (the card browser's saved searches), and ``bulk`` and ``reset``
(its bulk actions' undo and jobs). Import them from here.
"""

from .bulk import BulkJob, HiddenCard, UndoRecord
from .cards import (
    MAX_CARDS_PER_PERSON,
    MAX_FACE_LENGTH,
    MAX_TAG_LENGTH,
    MAX_TAGS_PER_CARD,
    MAX_TOPICS_PER_PERSON,
    Card,
    CardQuerySet,
    Prompt,
    PromptQuerySet,
    Topic,
    TopicQuerySet,
    check_room,
    check_tags,
)
from .import_jobs import ImportJob
from .media import (
    MAX_IMAGES_PER_CARD,
    MAX_MEDIA_BYTES,
    MAX_MEDIA_BYTES_PER_PERSON,
    CardMedia,
    PendingImage,
    delete_files_on_commit,
)
from .quizzes import Quiz, QuizItem
from .reset import ResetProgress, ResetReview
from .scheduler import OptimizeJob, SchedulerSettings
from .searches import MAX_SAVED_SEARCHES, MAX_SEARCH_NAME, SavedSearch
from .study import Progress, Rating, ReviewDay, ReviewLog, State, StudySession

__all__ = [
    "MAX_IMAGES_PER_CARD",
    "MAX_SAVED_SEARCHES",
    "MAX_SEARCH_NAME",
    "MAX_MEDIA_BYTES",
    "MAX_MEDIA_BYTES_PER_PERSON",
    "MAX_CARDS_PER_PERSON",
    "MAX_FACE_LENGTH",
    "MAX_TAG_LENGTH",
    "MAX_TAGS_PER_CARD",
    "MAX_TOPICS_PER_PERSON",
    "Card",
    "BulkJob",
    "CardMedia",
    "CardQuerySet",
    "HiddenCard",
    "ImportJob",
    "OptimizeJob",
    "PendingImage",
    "Progress",
    "Prompt",
    "PromptQuerySet",
    "Quiz",
    "QuizItem",
    "Rating",
    "ResetProgress",
    "ResetReview",
    "ReviewDay",
    "ReviewLog",
    "SavedSearch",
    "SchedulerSettings",
    "State",
    "StudySession",
    "Topic",
    "TopicQuerySet",
    "UndoRecord",
    "check_room",
    "check_tags",
    "delete_files_on_commit",
]
