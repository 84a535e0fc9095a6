"""Images of cards (from an Anki package, or added in the card editor), kept in
Django's default storage under a random name and served only through
``cards:card_media`` to those who may read the card. Only PNG, JPEG, GIF and
WebP are kept (read from the first bytes); SVG is refused, since it can carry
scripts. An image added in the editor waits as a ``PendingImage`` of its
person's until the card that shows it is saved (cards/images/services.py)."""

import uuid
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat

# The most one image may weigh, and the most a person's images may weigh in all.
MAX_MEDIA_BYTES = 5 * 1024 * 1024
MAX_MEDIA_BYTES_PER_PERSON = 200 * 1024 * 1024
# The most images one card keeps (an Anki note shows a few; a diagram or two is usual).
MAX_IMAGES_PER_CARD = 20


@dataclass(frozen=True)
class ImageKind:
    extension: str
    content_type: str


PNG = ImageKind(".png", "image/png")
JPEG = ImageKind(".jpg", "image/jpeg")
GIF = ImageKind(".gif", "image/gif")
WEBP = ImageKind(".webp", "image/webp")
KINDS = {kind.extension: kind for kind in (PNG, JPEG, GIF, WEBP)}


def sniff(head: bytes) -> ImageKind | None:
    """The kind of image these first bytes start, by their magic numbers."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    return None


def kind_of(name: str) -> ImageKind:
    """The kind of a kept image, from the extension it was kept under."""
    return KINDS.get(PurePath(name).suffix.lower(), PNG)


def refusal(data: bytes) -> str | None:
    """Why these bytes are not kept as a card's image (the end of a sentence
    that names the image), or None when they are."""
    if len(data) > MAX_MEDIA_BYTES:
        return (
            f"is {len(data):,} bytes; at most {MAX_MEDIA_BYTES:,} bytes "
            f"({filesizeformat(MAX_MEDIA_BYTES)}) is kept for one image"
        )
    if sniff(data[:12]) is None:
        return "is not a PNG, JPEG, GIF or WebP image (SVG is not kept: it can carry scripts)"
    return None


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
    """What the images of a person's cards, and those waiting for a card, weigh in all."""
    total = models.Sum("size")
    kept = CardMedia.objects.filter(card__owner_id=user_id).aggregate(total=total)
    pending = PendingImage.objects.filter(owner_id=user_id).aggregate(total=total)
    return (kept["total"] or 0) + (pending["total"] or 0)


def delete_files_on_commit(media) -> None:
    """Delete the files of these images (a CardMedia or PendingImage QuerySet) once the
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


class PendingImage(models.Model):
    """An image added in the card editor, waiting for the card that shows it to
    be saved; then it becomes one of the card's ``CardMedia`` (same file). One
    no card took is deleted a day after it came (cards.images.services)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_images"
    )
    name = models.CharField(
        max_length=200, unique=True, help_text="The random name the card's text gives it."
    )
    file = models.FileField(upload_to=card_media_path, max_length=200)
    size = models.PositiveIntegerField(help_text="The image's size in bytes.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.name} of {self.owner_id}, waiting for a card"
