"""Images and sounds in packages built by Anki's own engine: images come with
their cards, sounds are taken out of the text and listed in the preview; a kept
image is served only to those who may read its card and goes with it."""

import html
import os
import zipfile
from datetime import timedelta

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions
from django.core.files.storage import default_storage
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from cards.imports import tasks
from cards.imports.anki_media import check_image, store_images
from cards.imports.rows import ImportRejected, row_options
from cards.models import MAX_MEDIA_BYTES_PER_PERSON, Card, CardMedia, ImportJob
from prep_site.devtools.images import png
from tests.cards.imports.test_anki_engine import upload_package
from tests.cards.imports.test_apkg import make_apkg, parse_file
from tests.cards.imports.test_views import body, confirm_url, job_url
from tests.factories import make_card, make_topic

pytestmark = pytest.mark.django_db


def package_with_media(folder, *, legacy: bool):
    col = Collection(str(folder / "collection.anki2"))
    col.media.write_data("red_checker.png", png())
    col.media.write_data("hello.mp3", b"ID3" + b"\x00" * 64)
    note = col.new_note(col.models.by_name("Basic"))
    note.fields[0] = 'Which piece? <img src="red_checker.png">'
    note.fields[1] = 'A red checker[sound:hello.mp3] <img src="missing.png">'
    col.add_note(note, col.decks.id("Games"))
    path = folder / "media.apkg"
    options = ExportAnkiPackageOptions(with_media=True, legacy=legacy)
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    col.close()
    return path


@pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "anki21b"])
def test_a_package_brings_its_images_and_drops_its_sounds(
    client_in, user, other_user, tmp_path, legacy
):
    path = package_with_media(tmp_path, legacy=legacy)
    with zipfile.ZipFile(path) as archive:  # the format under test
        assert ("collection.anki21b" in archive.namelist()) is not legacy
        assert archive.read("media").startswith(b"\x28\xb5\x2f\xfd") is not legacy  # zstd
    job = upload_package(client_in, path)
    page = body(client_in.get(job_url(job)))
    assert "1 image comes with the cards; only you will see them." in page
    assert "1 sound is left out of the cards: sounds are not supported." in page
    assert "1 image the cards show is not in the package; it shows as a broken image." in page

    with TestCase.captureOnCommitCallbacks(execute=True):
        client_in.post(confirm_url(job), {"on_duplicate": "skip"})
    card = Card.objects.get(owner=user)
    url = reverse("cards:card_media", args=[card.pk, "red_checker.png"])
    assert card.front == 'Which piece? <img src="red_checker.png">'  # as Anki had it
    assert card.back == 'A red checker <img src="missing.png">'
    page = body(client_in.get(reverse("cards:card_detail", args=[card.pk])))
    assert f'src="{url}"' in page
    response = client_in.get(url)
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png()
    client_in.force_login(other_user)
    assert client_in.get(url).status_code == 404


def test_images_past_the_limit_for_one_person_write_nothing(client_in, user, tmp_path):
    kept = make_card(make_topic(user), user, front='<img src="old.png">')
    store_images(kept, {"old.png": png()})
    CardMedia.objects.update(size=MAX_MEDIA_BYTES_PER_PERSON - 10)  # nearly full already
    job = upload_package(client_in, package_with_media(tmp_path, legacy=True))
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_in.post(confirm_url(job), {"on_duplicate": "skip"}, follow=True)
    assert "more than the 200.0\xa0MB kept for one person. Nothing was imported." in html.unescape(
        body(response)
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW
    assert Card.objects.filter(owner=user).count() == 1
    assert CardMedia.objects.count() == 1
    assert stored("card-media") == 1  # the one kept before


def stored(folder: str) -> int:
    try:
        return len(default_storage.listdir(folder)[1])
    except FileNotFoundError:
        return 0


def test_a_kept_image_is_served_to_its_reader_only(client, user, other_user):
    card = make_card(make_topic(user), user, front='<img src="red_checker.png">')
    [media] = store_images(card, {"red_checker.png": png()})
    url = reverse("cards:card_media", args=[card.pk, "red_checker.png"])
    assert f'src="{url}"' in card.front_html()
    assert media.size == len(png())

    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png()

    client.force_login(other_user)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("what", ["card", "topic"])
def test_an_image_goes_with_its_card_or_topic(client_in, user, what):
    topic = make_topic(user)
    card = make_card(topic, user, front='<img src="a.png">')
    [media] = store_images(card, {"a.png": png()})
    assert default_storage.exists(media.file.name)
    target = card if what == "card" else topic
    url = reverse(f"cards:{what}_delete", args=[target.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client_in.post(url).status_code == 302
    assert not CardMedia.objects.exists()
    assert not default_storage.exists(media.file.name)


def test_an_svg_or_a_large_file_is_refused():
    with pytest.raises(ImportRejected, match="SVG is not kept"):
        check_image("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
    with pytest.raises(ImportRejected, match=r"at most 5,242,880 bytes"):
        check_image("big.png", png() + b"\x00" * (5 * 1024 * 1024))


def test_images_too_large_or_of_another_kind_are_left_out_with_a_line(tmp_path):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    large = png() + os.urandom(5 * 1024 * 1024)  # random: it does not compress
    path = make_apkg(
        tmp_path,
        [(['<img src="a.svg"> <img src="big.png"> <img src="dot.png">', "Back"], [], 1)],
        media={"a.svg": svg, "big.png": large, "dot.png": png()},
    )
    parsed = parse_file(path, default_topic="Images")
    assert list(row_options(parsed.rows[0])["media"]) == ["dot.png"]
    assert parsed.notes[1:3] == [
        "1 image is larger than 5.0\xa0MB, the most kept for one image, and is left out. "
        "In Anki, make it smaller and export again.",
        "1 file the cards show as images is not PNG, JPEG, GIF or WebP and is left out "
        "(SVG is not kept: it can hold scripts).",
    ]


def test_the_images_of_a_preview_nobody_confirmed_go_with_it(client_in, tmp_path, media_root):
    job = upload_package(client_in, package_with_media(tmp_path, legacy=True))
    job.refresh_from_db()
    [(path, _size)] = job.rows[0][5]["media"].values()
    assert default_storage.exists(path)
    a_day_ago = (timezone.now() - timedelta(hours=25)).timestamp()
    os.utime(media_root / path, (a_day_ago, a_day_ago))
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert tasks.purge_stale() == 1
    assert not default_storage.exists(path)


def test_a_deck_of_22_mb_of_images_is_taken_whole(client_in, user, tmp_path):
    """Past the 20 MB a text file may have: a package's limit is its own, and
    what counts is what is kept."""
    col = Collection(str(tmp_path / "collection.anki2"))
    for n in range(5):
        col.media.write_data(f"board{n}.png", png(size=4_400_000 + n))
        note = col.new_note(col.models.by_name("Basic"))
        note.fields[0], note.fields[1] = f"Board {n}?", f'<img src="board{n}.png">'
        col.add_note(note, col.decks.id("Go"))
    path = tmp_path / "boards.apkg"
    options = ExportAnkiPackageOptions(with_media=True, legacy=True)
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    col.close()
    assert os.path.getsize(path) > 21_700_000

    job = upload_package(client_in, path)
    assert "5 images come with the cards" in body(client_in.get(job_url(job)))
    with TestCase.captureOnCommitCallbacks(execute=True):
        client_in.post(confirm_url(job), {"on_duplicate": "skip"})
    kept = CardMedia.objects.filter(card__owner=user)
    assert kept.count() == 5
    assert sum(kept.values_list("size", flat=True)) > 22_000_000


def test_a_package_past_its_limit_says_what_to_do_in_anki(client_in, settings, tmp_path):
    settings.PREP_IMPORT_PACKAGE_MAX_BYTES = 1000
    path = package_with_media(tmp_path, legacy=True)
    with path.open("rb") as file:
        response = client_in.post(reverse("cards:import"), {"file": file})
    page = html.unescape(body(response))
    assert "The package is larger than 1000\xa0bytes, the most an import takes." in page
    assert "In Anki, choose Tools, Check Media and delete the unused files" in page
    assert not ImportJob.objects.exists()


def test_an_updated_card_takes_the_images_of_its_new_back(client_in, user, tmp_path):
    topic = make_topic(user, name="Games")
    card = make_card(topic, user, front='Which piece? <img src="red_checker.png">', back="old")
    job = upload_package(client_in, package_with_media(tmp_path, legacy=False))
    with TestCase.captureOnCommitCallbacks(execute=True):
        client_in.post(confirm_url(job), {"on_duplicate": "update"})
    card.refresh_from_db()
    assert card.front == 'Which piece? <img src="red_checker.png">'  # the front is the match
    assert card.back == 'A red checker <img src="missing.png">'
    assert not card.media.exists()  # its back shows no kept image

    path = tmp_path / "again"
    path.mkdir()
    col = Collection(str(path / "collection.anki2"))
    col.media.write_data("red_checker.png", png())
    note = col.new_note(col.models.by_name("Basic"))
    note.fields[0] = card.front
    note.fields[1] = 'Now <img src="red_checker.png">'
    col.add_note(note, col.decks.id("Games"))
    col.export_anki_package(
        out_path=str(path / "again.apkg"),
        options=ExportAnkiPackageOptions(with_media=True, legacy=False),
        limit=None,
    )
    col.close()
    for _ in range(2):  # a second update keeps the image it has
        job = upload_package(client_in, path / "again.apkg")
        with TestCase.captureOnCommitCallbacks(execute=True):
            client_in.post(confirm_url(job), {"on_duplicate": "update"})
    card.refresh_from_db()
    url = reverse("cards:card_media", args=[card.pk, "red_checker.png"])
    assert card.back == 'Now <img src="red_checker.png">'
    assert f'src="{url}"' in card.back_html()
    assert card.media.count() == 1
    assert client_in.get(url).status_code == 200


@pytest.mark.parametrize(
    ("text", "html", "shown"),
    [
        ('<img src="a b&amp;c.png">', True, "/media/a%20b%26c.png"),
        ("![board](board.png)", False, "/media/board.png"),
        ('<img src="https://example.com/x.png">', True, 'src="https://example.com/x.png"'),
        ('<img src="/static/x.png">', True, 'src="/static/x.png"'),
    ],
)
def test_only_an_image_given_by_its_name_is_one_of_the_card(user, text, html, shown):
    card = make_card(make_topic(user), user, front=text)
    card.text_format = Card.TextFormat.HTML if html else Card.TextFormat.MARKDOWN
    assert shown in card.front_html()
    assert ("/media/" in card.front_html()) is shown.startswith("/media/")
