"""Images that came with a card from an Anki package, kept in Django's default
storage under a random name and served only through ``cards:media`` to those who
may read the card. Only PNG, JPEG, GIF and WebP are kept (read from the first
bytes); SVG is refused, since it can carry scripts."""

import uuid
from dataclasses import dataclass
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat

# The most one image may weigh, and the most a person's images may weigh in all.
MAX_MEDIA_BYTES = 5 * 1024 * 1024
MAX_MEDIA_BYTES_PER_PERSON = 200 * 1024 * 1024


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
