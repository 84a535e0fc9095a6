"""Images that came with a card from an Anki package, kept in Django's default
storage under a random name and served only through ``cards:media`` to those who
may read the card. Only PNG, JPEG, GIF and WebP are kept (read from the first
bytes); SVG is refused, since it can carry scripts."""

import uuid
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction

# The most one image may weigh, and the most a person's images may weigh in all.
MAX_MEDIA_BYTES = 5 * 1024 * 1024
MAX_MEDIA_BYTES_PER_PERSON = 200 * 1024 * 1024


def card_media_path(instance, filename: str) -> str:
    """Where an image is kept: a random name, nothing of the person's."""
    return f"card-media/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


def save_image_file(content, extension: str) -> str:
    """Write an image (bytes, or a file open for reading) under a new random
    name with this extension; the name it is kept under."""
    if isinstance(content, bytes):
        content = ContentFile(content)
    return default_storage.save(card_media_path(None, "image" + extension), content)


def kept_image_bytes(user_id: int) -> int:
    """What the images of a person's cards weigh in all."""
    kept = CardMedia.objects.filter(card__owner_id=user_id).aggregate(total=models.Sum("size"))
    return kept["total"] or 0


def delete_files_on_commit(media) -> None:
    """Delete the files of these images (a CardMedia QuerySet) once the
    transaction that deletes their rows commits (never if it rolls back)."""
    names = list(media.values_list("file", flat=True))
    if names:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


class CardMedia(models.Model):
    """One image a card's text refers to, by the name it had in Anki."""

    card = models.ForeignKey("cards.Card", on_delete=models.CASCADE, related_name="media")
    name = models.CharField(
        max_length=200, help_text="The file's name in the Anki package, as the card's text had it."
    )
    file = models.FileField(upload_to=card_media_path, max_length=200)
    size = models.PositiveIntegerField(help_text="The image's size in bytes.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["card", "name"], name="card_media_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} of card {self.card_id}"
