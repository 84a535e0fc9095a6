"""Images added in the card editor: chosen with "Add image", pasted into the
front or back, or dropped onto them.

The page's script sends each image on its own (``cards:image_upload``) as soon
as it is added, before the card is saved, so a new card and an edited one take
images the same way. The image is checked as an import's are (``refusal``: PNG,
JPEG, GIF or WebP by its first bytes, at most MAX_MEDIA_BYTES, the person's
images together at most MAX_MEDIA_BYTES_PER_PERSON) and kept as a
``PendingImage`` of the person's, under a new random name that the script
writes into the text where the cursor was (``![](name)``, or ``<img>`` in an
HTML card). Until the card is saved, the image is served to its person only
(``cards:pending_image``), and the preview shows it from there.

Saving the card (``save_card_and_images``) makes each pending image its text
names one of the card's ``CardMedia``, keeping the same file, in the card's
transaction; a name of anyone else's, or of nothing, stays a broken image. A
card keeps at most MAX_IMAGES_PER_CARD images. An image no saved card took is
deleted a day after it came (``purge_stale``, run by the hourly purge)."""

import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from .. import services
from ..models import Card, CardMedia, PendingImage
from ..models.media import (
    MAX_IMAGES_PER_CARD,
    MAX_MEDIA_BYTES,
    MAX_MEDIA_BYTES_PER_PERSON,
    delete_files_on_commit,
    kept_image_bytes,
    refusal,
    save_image_file,
    sniff,
)

# How long an image added in the editor waits for its card to be saved.
PENDING_HOURS = 24
NOTHING_SAVED = "Nothing was saved."


class ImageRefused(ValueError):
    """An image that is not kept: not an image of a kind kept, or too large."""


def add_image(*, user, upload) -> PendingImage:
    """Keep an image the editor sent, waiting for its card; ImageRefused (and
    nothing kept) when it is not one to keep."""
    if upload is None:
        raise ImageRefused(f"No image came with the request. {NOTHING_SAVED}")
    if upload.size > MAX_MEDIA_BYTES:
        raise ImageRefused(
            f"The image is {filesizeformat(upload.size)}; at most "
            f"{filesizeformat(MAX_MEDIA_BYTES)} is kept for one image. {NOTHING_SAVED}"
        )
    data = upload.read(MAX_MEDIA_BYTES + 1)
    if reason := refusal(data):
        raise ImageRefused(f"The file {reason}. {NOTHING_SAVED}")
    kind = sniff(data[:12])
    with transaction.atomic():
        # The person's row, locked: two uploads at once are counted one after the other.
        list(
            get_user_model()
            ._default_manager.select_for_update()
            .filter(pk=user.pk)
            .values_list("pk")
        )
        kept = kept_image_bytes(user.pk)
        if kept + len(data) > MAX_MEDIA_BYTES_PER_PERSON:
            raise ImageRefused(
                f"Your images already take {filesizeformat(kept)} of the "
                f"{filesizeformat(MAX_MEDIA_BYTES_PER_PERSON)} kept for one person. "
                f"{NOTHING_SAVED}"
            )
        name = save_image_file(data, kind.extension)
        image = PendingImage(owner=user, name=f"{uuid.uuid4().hex}{kind.extension}", size=len(data))
        image.file.name = name
        try:
            image.save()
        except Exception:
            image.file.storage.delete(name)
            raise
    return image


def pending_addresses(*, card: Card, reader) -> dict[str, str]:
    """The images of ``reader``'s that the card's text names and that wait for
    their card: name → the address they are served at."""
    names = card.image_names()
    if not names:
        return {}
    pending = PendingImage.objects.filter(owner=reader, name__in=names)
    return {
        name: reverse("cards:pending_image", args=[name])
        for name in pending.values_list("name", flat=True)
    }


def images_past_limit(*, card: Card, user) -> str | None:
    """Why the card cannot keep the images its text names, if it cannot."""
    names = card.image_names()
    if not names:
        return None
    adding = PendingImage.objects.filter(owner=user, name__in=names).count()
    kept = card.media.count() if card.pk else 0
    if kept + adding <= MAX_IMAGES_PER_CARD:
        return None
    return (
        f"A card keeps at most {MAX_IMAGES_PER_CARD} images; with these it would keep "
        f"{kept + adding}. Take some out of the text."
    )


def save_card_and_images(*, card: Card, tags: list[str]) -> Card:
    """Save the card (``services.save_card``) and make the pending images of its
    owner's that its text names its own, all in one transaction."""
    names = card.image_names()  # rendered before the write lock is taken
    with transaction.atomic():
        services.save_card(card=card, tags=tags)
        if names:
            names -= set(card.media.filter(name__in=names).values_list("name", flat=True))
            pending = list(
                PendingImage.objects.select_for_update().filter(
                    owner_id=card.owner_id, name__in=names
                )
            )
            CardMedia.objects.bulk_create(
                CardMedia(card=card, name=image.name, file=image.file.name, size=image.size)
                for image in pending
            )
            PendingImage.objects.filter(pk__in=[image.pk for image in pending]).delete()
    return card


def purge_stale(*, now=None) -> int:
    """Delete the images added in the editor that no card took within
    PENDING_HOURS, with their files. Returns how many went."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=PENDING_HOURS)
    with transaction.atomic():
        # Locked, so that a card saved meanwhile takes an image whole or not at all.
        ids = list(
            PendingImage.objects.select_for_update()
            .filter(created_at__lt=cutoff)
            .values_list("pk", flat=True)
        )
        stale = PendingImage.objects.filter(pk__in=ids)
        delete_files_on_commit(stale)
        deleted, _ = stale.delete()
    return deleted
