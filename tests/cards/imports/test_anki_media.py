"""Images and sounds in packages built by Anki's own engine: images are named on
the rows for the import, sounds are taken out of the text and listed in the
preview; a kept image is served only to those who may read its card."""

import os
import zipfile

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions
from django.core.files.storage import default_storage
from django.test import TestCase
from django.urls import reverse

from cards.imports.anki_media import check_image, store_images
from cards.imports.rows import ImportRejected, row_options
from cards.models import CardMedia
from tests.cards.imports.images import png
from tests.cards.imports.test_anki_engine import upload_package
from tests.cards.imports.test_apkg import make_apkg, parse_file
from tests.cards.imports.test_views import body, job_url
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


def test_an_older_package_names_its_images_and_drops_its_sounds(client_in, tmp_path):
    job = upload_package(client_in, package_with_media(tmp_path, legacy=True))
    page = body(client_in.get(job_url(job)))
    assert "1 sound is left out of the cards: sounds are not supported." in page
    assert "1 image the cards show is not in the package; it shows as a broken image." in page
    job.refresh_from_db()
    [row] = job.rows
    assert "[sound:" not in row[2]
    assert row_options(row)["media"] == ["red_checker.png"]


def test_a_newer_package_names_its_images_and_drops_its_sounds(client_in, tmp_path):
    path = package_with_media(tmp_path, legacy=False)
    with zipfile.ZipFile(path) as archive:  # the format under test
        assert "collection.anki21b" in archive.namelist()
        assert archive.read("media").startswith(b"\x28\xb5\x2f\xfd")  # zstd
    job = upload_package(client_in, path)
    page = body(client_in.get(job_url(job)))
    assert "1 sound is left out of the cards" in page
    assert "1 image the cards show is not in the package" in page
    job.refresh_from_db()
    [row] = job.rows
    assert "[sound:" not in row[2]
    assert row_options(row)["media"] == ["red_checker.png"]


def test_a_kept_image_is_served_to_its_reader_only(client, user, other_user):
    card = make_card(make_topic(user), user, front='<img src="red_checker.png">')
    [media] = store_images(card, {"red_checker.png": png()})
    card.refresh_from_db()
    url = reverse("cards:card_media", args=[card.pk, "red_checker.png"])
    assert f'src="{url}"' in card.front
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
    assert row_options(parsed.rows[0])["media"] == ["dot.png"]
    assert parsed.notes[1:3] == [
        "1 image is larger than 5.0\xa0MB, the most kept for one image, and is left out. "
        "In Anki, make it smaller and export again.",
        "1 file the cards show as images is not PNG, JPEG, GIF or WebP and is left out "
        "(SVG is not kept: it can hold scripts).",
    ]
