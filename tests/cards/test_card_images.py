"""Images added in the card editor (cards/images/): each is checked as an
import's are and waits for its card, which takes it on save; until then only its
person sees it, in the preview."""

import html
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cards.images import services as images
from cards.imports import tasks
from cards.models import (
    MAX_IMAGES_PER_CARD,
    MAX_MEDIA_BYTES,
    MAX_MEDIA_BYTES_PER_PERSON,
    Card,
    CardMedia,
    PendingImage,
)
from prep_site.devtools.images import png
from tests.factories import make_card
from tests.security.outcomes import changed_tables, snapshot

pytestmark = pytest.mark.django_db

UPLOAD = reverse("cards:image_upload")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200 + b"\xff\xd9"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def send(client, data: bytes, name: str = "pasted.png"):
    return client.post(UPLOAD, {"image": SimpleUploadedFile(name, data, "image/png")})


def refused(client, data: bytes, name: str = "pasted.png") -> str:
    """The reason an upload is refused, checked to keep nothing."""
    before = snapshot()
    files = stored()
    response = send(client, data, name)
    assert response.status_code == 400
    assert changed_tables(before, snapshot()) == []
    assert stored() == files
    return response.json()["error"]


def stored() -> list[str]:
    try:
        return sorted(default_storage.listdir("card-media")[1])
    except FileNotFoundError:
        return []


def card_fields(topic, **overrides) -> dict:
    data = {"topic": topic.pk, "kind": "basic", "text_format": "markdown", "tags": ""}
    return {**data, "front": "What is drawn?", "back": "A dot.", **overrides}


@pytest.mark.parametrize(
    ("data", "extension"), [(png(), ".png"), (JPEG, ".jpg")], ids=["png", "jpeg"]
)
def test_a_png_or_a_jpeg_waits_for_its_card_and_only_its_person_sees_it(
    client_in, user, other_user, data, extension, django_assert_max_num_queries
):
    # The person and their profile; in a transaction (with its savepoint), their
    # row locked, what their images weigh (two sums) and the new row; the session.
    with django_assert_max_num_queries(11):
        response = send(client_in, data, name="My Screenshot.png")
    assert response.status_code == 200
    name = response.json()["name"]
    assert name.endswith(extension) and "Screenshot" not in name
    image = PendingImage.objects.get(owner=user)
    assert (image.name, image.size) == (name, len(data))
    shown = client_in.get(reverse("cards:pending_image", args=[name]))
    assert shown.status_code == 200
    assert b"".join(shown.streaming_content) == data
    client_in.force_login(other_user)
    assert client_in.get(reverse("cards:pending_image", args=[name])).status_code == 404


def test_an_svg_or_a_file_named_png_that_is_not_one_is_refused(client_in):
    assert "SVG is not kept" in refused(client_in, SVG, name="drawing.svg")
    assert "is not a PNG, JPEG, GIF or WebP image" in refused(client_in, b"not a png at all")
    assert "No image came" in client_in.post(UPLOAD, {}).json()["error"]


def test_an_image_past_the_size_of_one_is_refused(client_in):
    message = refused(client_in, png() + b"\x00" * MAX_MEDIA_BYTES)
    assert message == (
        "The image is 5.0\xa0MB; at most 5.0\xa0MB is kept for one image. Nothing was saved."
    )


def test_an_image_past_the_persons_total_is_refused(client_in, user, topic):
    kept = make_card(topic, user, front="![](old.png)")
    CardMedia.objects.create(
        card=kept, name="old.png", file="card-media/old.png", size=MAX_MEDIA_BYTES_PER_PERSON - 100
    )
    assert send(client_in, b"\x89PNG\r\n\x1a\n" + b"\x00" * 80).status_code == 200  # it fits
    assert refused(client_in, png()) == (
        "Your images already take 200.0\xa0MB of the 200.0\xa0MB kept for one person. "
        "Nothing was saved."
    )


def test_an_upload_without_the_csrf_token_is_refused(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert send(browser, png()).status_code == 403
    assert not PendingImage.objects.exists()


def test_a_new_card_keeps_its_pasted_image_which_its_readers_see(
    client_in, user, other_user, topic
):
    name = send(client_in, png()).json()["name"]
    # The preview shows it from where it waits.
    body = client_in.post(
        reverse("cards:card_preview"), card_fields(topic, front=f"Dot: ![]({name})")
    ).content.decode()
    assert f'<img src="{reverse("cards:pending_image", args=[name])}" alt="">' in body

    response = client_in.post(
        reverse("cards:card_create"), card_fields(topic, front=f"Dot: ![]({name})")
    )
    assert response.status_code == 302
    card = Card.objects.get(owner=user)
    [media] = card.media.all()
    assert (media.name, media.size) == (name, len(png()))
    assert not PendingImage.objects.exists()
    assert stored() == [media.file.name.removeprefix("card-media/")]  # the same file

    address = reverse("cards:card_media", args=[card.pk, name])
    page = client_in.get(card.get_absolute_url()).content.decode()
    assert f'<img src="{address}" alt="">' in page
    assert b"".join(client_in.get(address).streaming_content) == png()
    assert client_in.get(reverse("cards:pending_image", args=[name])).status_code == 404
    client_in.force_login(other_user)
    assert client_in.get(address).status_code == 404


def test_an_edited_card_takes_a_new_image_and_keeps_its_old_ones(client_in, user, topic):
    card = make_card(topic, user, front="Old", back="A dot.")
    old = send(client_in, png()).json()["name"]
    client_in.post(
        reverse("cards:card_edit", args=[card.pk]), card_fields(topic, front=f"![]({old})")
    )
    new = send(client_in, JPEG).json()["name"]
    front = f"![]({old}) and ![]({new})"
    preview = client_in.post(
        reverse("cards:card_preview"), {**card_fields(topic, front=front), "card": card.pk}
    ).content.decode()
    assert reverse("cards:card_media", args=[card.pk, old]) in preview
    assert reverse("cards:pending_image", args=[new]) in preview
    client_in.post(reverse("cards:card_edit", args=[card.pk]), card_fields(topic, front=front))
    assert sorted(card.media.values_list("name", flat=True)) == sorted([old, new])


def test_another_persons_image_cannot_be_taken_by_its_name(client_in, user, other_user, topic):
    theirs = Client()
    theirs.force_login(other_user)
    name = send(theirs, png()).json()["name"]
    front = f"![]({name})"
    preview = client_in.post(reverse("cards:card_preview"), card_fields(topic, front=front))
    assert reverse("cards:pending_image", args=[name]) not in preview.content.decode()
    client_in.post(reverse("cards:card_create"), card_fields(topic, front=front))
    card = Card.objects.get(owner=user)
    assert not card.media.exists()
    assert PendingImage.objects.get().owner == other_user  # still theirs, waiting
    address = reverse("cards:card_media", args=[card.pk, name])
    assert client_in.get(address).status_code == 404


def test_a_card_keeps_at_most_its_number_of_images(client_in, user, topic):
    names = [send(client_in, png()).json()["name"] for _ in range(MAX_IMAGES_PER_CARD + 1)]
    front = " ".join(f"![]({name})" for name in names)
    before = snapshot()
    response = client_in.post(reverse("cards:card_create"), card_fields(topic, front=front))
    assert response.status_code == 200
    assert "A card keeps at most 20 images; with these it would keep 21." in html.unescape(
        response.content.decode()
    )
    assert changed_tables(before, snapshot()) == []


def test_an_image_no_card_took_goes_after_a_day(
    client_in, user, topic, django_capture_on_commit_callbacks
):
    waiting = send(client_in, png()).json()["name"]
    taken = send(client_in, JPEG).json()["name"]
    client_in.post(reverse("cards:card_create"), card_fields(topic, front=f"![]({taken})"))
    PendingImage.objects.filter(name=waiting).update(
        created_at=timezone.now() - timedelta(hours=images.PENDING_HOURS, minutes=1)
    )
    fresh = send(client_in, png()).json()["name"]
    with django_capture_on_commit_callbacks(execute=True):  # files go once it commits
        tasks.purge_stale()
    assert list(PendingImage.objects.values_list("name", flat=True)) == [fresh]
    assert len(stored()) == 2  # the card's image and the fresh one
    assert CardMedia.objects.get().name == taken
