"""A card's images travel in a backup (format 6) and come back with the card,
linked to it where it is restored; a restore that fails leaves no file behind."""

import base64
import json

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from accounts.backup import BackupRejected, backup_document, restore_backup
from cards.imports.anki_media import store_images
from cards.models import Card, CardMedia
from prep_site.devtools.images import png
from tests.accounts.backups import NOW, upload
from tests.factories import make_card, make_topic, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pictured(user):
    card = make_card(make_topic(user, name="Games"), user, front='Which? <img src="red.png">')
    store_images(card, {"red.png": png()})
    return card


def download(user) -> bytes:
    client = Client()
    client.force_login(user)
    return b"".join(client.get(reverse("accounts:backup_download")).streaming_content)


def test_an_image_comes_back_with_its_card_in_another_account(pictured, user):
    content = download(user)
    [row] = json.loads(content)["card_images"]
    assert row["name"] == "red.png"
    assert base64.b64decode(row["data"]) == png()

    someone = make_user("someone")
    client = Client()
    client.force_login(someone)
    response = upload(client, content)
    assert response.status_code == 302, response.content.decode()
    card = Card.objects.get(owner=someone)
    url = reverse("cards:card_media", args=[card.pk, "red.png"])
    assert card.pk != pictured.pk
    assert card.front == 'Which? <img src="red.png">'
    assert (
        f'<img src="{url}">'
        in client.get(reverse("cards:card_detail", args=[card.pk])).content.decode()
    )
    assert b"".join(client.get(url).streaming_content) == png()
    media = CardMedia.objects.get(card=card)
    assert media.file.name != pictured.media.get().file.name  # a file of its own
    assert media.size == len(png())

    # Merged into the same account again, nothing is added twice.
    upload(client, content, merge=True)
    assert CardMedia.objects.filter(card__owner=someone).count() == 1


def test_a_failed_restore_leaves_no_image_file(pictured, user):
    document = backup_document(user=user, now=NOW)
    document["reviews"] = [{"card": "nope"}]  # written after the images, and wrong
    files_before = set(default_storage.listdir("card-media")[1])
    with pytest.raises(BackupRejected, match="reviews"):
        restore_backup(user=make_user("someone"), data=document, merge=False)
    assert set(default_storage.listdir("card-media")[1]) == files_before
    assert CardMedia.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("not base64!", r"card_images\[0\]\.data: must be an image in base64"),
        (base64.b64encode(b"<svg onload=alert(1)>").decode(), "is not a PNG, JPEG, GIF or WebP"),
    ],
)
def test_a_broken_image_is_named_and_nothing_written(pictured, user, data, message):
    document = backup_document(user=user, now=NOW)
    document["card_images"][0]["data"] = data
    someone = make_user("someone")
    with pytest.raises(BackupRejected, match=message):
        restore_backup(user=someone, data=document, merge=False)
    assert not Card.objects.filter(owner=someone).exists()
