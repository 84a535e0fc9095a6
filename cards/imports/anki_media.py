"""Images and sounds in Anki packages.

A package's ``media`` entry maps its numbered zip entries ("0", "1", …) to the
names the notes use (``<img src="diagram.png">``). In older packages it is JSON;
in Anki 2.1.50's (beside collection.anki21b) it is zstd-compressed protobuf,
and each file is zstd-compressed on its own. Images are kept when their first
bytes say PNG, JPEG, GIF or WebP; SVG is refused (it can carry scripts), as is
anything else. Sounds (``[sound:…]``) are taken out of the text: they are not
supported."""

import html
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import zstandard
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat

from ..models import MAX_MEDIA_BYTES, MAX_MEDIA_BYTES_PER_PERSON, CardMedia
from ..models.media import ImageKind, kept_image_bytes, refusal, save_image_file, sniff
from .protobuf import proto_fields
from .rows import ImportRejected

MAX_MEDIA_MAP_BYTES = 16 * 1024 * 1024
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
IMAGE_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
SOUND = re.compile(r"\[sound:([^\]]*)\]")


@dataclass(frozen=True)
class MediaFile:
    info: zipfile.ZipInfo  # its entry in the package
    size: int  # its size once unpacked, as the package declares it
    compressed: bool  # zstd-compressed on its own (Anki 2.1.50's packages)


def read_media_map(archive: zipfile.ZipFile, by_name: dict) -> dict[str, MediaFile]:
    """The package's media by the names the notes use. Empty when it has none,
    or when its map cannot be read."""
    info = by_name.get("media")
    if info is None or info.file_size > MAX_MEDIA_MAP_BYTES:
        return {}
    try:
        raw = archive.read(info)
        if raw.startswith(ZSTD_MAGIC):  # Anki 2.1.50: zstd-compressed protobuf
            raw = zstandard.ZstdDecompressor().decompress(raw, max_output_size=MAX_MEDIA_MAP_BYTES)
            return _newer_map(raw, by_name)
        numbered = json.loads(raw.decode("utf-8"))
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        return {}
    except (
        zstandard.ZstdError,
        UnicodeDecodeError,
        ValueError,
        IndexError,
        TypeError,
        AttributeError,
    ):
        return {}
    if not isinstance(numbered, dict):
        return {}
    return {
        name: MediaFile(by_name[str(number)], by_name[str(number)].file_size, compressed=False)
        for number, name in numbered.items()
        if str(number) in by_name and isinstance(name, str)
    }


def _newer_map(raw: bytes, by_name: dict) -> dict[str, MediaFile]:
    """Anki's MediaEntries: entry n (name = 1, size = 2, legacy_zip_filename =
    255) is zip entry "n"."""
    media = {}
    for index, entry in enumerate(proto_fields(raw).get(1, [])):
        fields = {number: values[0] for number, values in proto_fields(entry).items()}
        zip_name = str(fields.get(255, index))
        name = fields.get(1, b"").decode("utf-8")
        if name and zip_name in by_name:
            media[name] = MediaFile(by_name[zip_name], int(fields.get(2, 0)), compressed=True)
    return media


def head_of(archive: zipfile.ZipFile, media: MediaFile, size: int = 12) -> bytes:
    """The first bytes of a media file, unpacked."""
    try:
        with archive.open(media.info) as file:
            if not media.compressed:
                return file.read(size)
            with zstandard.ZstdDecompressor().stream_reader(file) as source:
                return source.read(size)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        return b""
    except zstandard.ZstdError:
        return b""


def screen(archive: zipfile.ZipFile, media: dict[str, MediaFile]) -> dict[str, str]:
    """Why each file of the media map would not be kept as an image ("large" or
    "kind"), or "" when it would: its size as the package declares it, its kind
    by its first bytes."""
    reasons = {}
    for name, file in media.items():
        if max(file.size, 0 if file.compressed else file.info.file_size) > MAX_MEDIA_BYTES:
            reasons[name] = "large"
        else:
            reasons[name] = "" if sniff(head_of(archive, file)) else "kind"
    return reasons


def _unpacked(archive: zipfile.ZipFile, media: MediaFile) -> bytes | None:
    """A media file's bytes, None when it cannot be read or passes the limit."""
    try:
        with archive.open(media.info) as file:
            if media.compressed:
                with zstandard.ZstdDecompressor().stream_reader(file) as source:
                    data = source.read(MAX_MEDIA_BYTES + 1)
            else:
                data = file.read(MAX_MEDIA_BYTES + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        return None
    except zstandard.ZstdError:
        return None
    return data if len(data) <= MAX_MEDIA_BYTES and sniff(data[:12]) else None


def keep_for_import(archive, media: dict[str, MediaFile], rows: list[list]) -> int:
    """Copy the images the rows name out of the package into the default
    storage, beside the kept uploads (``imports/``, purged with them), and name
    each row's as {name: [path, size]}. An image that cannot be read is dropped.
    Returns how many images were kept."""
    kept: dict[str, list] = {}
    for row in rows:
        names = row[5].get("media") if len(row) > 5 else None
        if not names:
            continue
        for name in names:
            if name not in kept:
                data = _unpacked(archive, media[name])
                kind = sniff(data[:12]) if data else None
                path = f"imports/media/{uuid.uuid4().hex}{kind.extension}" if kind else ""
                kept[name] = (
                    [default_storage.save(path, ContentFile(data)), len(data)] if kind else []
                )
        row[5]["media"] = {name: kept[name] for name in names if kept[name]}
        if not row[5]["media"]:
            del row[5]["media"]
    return sum(1 for file in kept.values() if file)


def image_names(text: str) -> list[str]:
    """The local images a field refers to, each once, in order."""
    names = (html.unescape(match.group(3)).strip() for match in IMAGE_SRC.finditer(text))
    names = (n for n in names if n and len(n) <= 200 and "/" not in n and ":" not in n)
    return list(dict.fromkeys(names))


def without_sounds(text: str) -> tuple[str, list[str]]:
    """The text without its ``[sound:…]`` tags, and the sounds' names."""
    return SOUND.sub("", text), SOUND.findall(text)


def check_image(name: str, data: bytes) -> ImageKind:
    """Refuse an image too large or not an image; its kind otherwise."""
    reason = refusal(data)
    if reason is not None:
        raise ImportRejected(f"The image “{name}” {reason}.")
    return sniff(data[:12])


def check_media_room(user_id: int, adding: int) -> None:
    """Refuse images that would take a person past MAX_MEDIA_BYTES_PER_PERSON."""
    kept = kept_image_bytes(user_id)
    if kept + adding > MAX_MEDIA_BYTES_PER_PERSON:
        raise ImportRejected(
            f"The images of this import take {filesizeformat(adding)}; with the "
            f"{filesizeformat(kept)} of images you keep already, that is more than the "
            f"{filesizeformat(MAX_MEDIA_BYTES_PER_PERSON)} kept for one person. Nothing was "
            "imported. In Anki, make the images smaller or remove unused ones (Tools, Check "
            "Media), then export again."
        )


def _images_of(options) -> dict:
    """A planned row's images: {name: [path, size]}."""
    images = (options or {}).get("media")
    return images if isinstance(images, dict) else {}


def check_images_room(user_id: int, rows) -> None:
    """Refuse the images of these planned rows if the person has no room for them."""
    adding = {path: size for row in rows for path, size in _images_of(row.options).values()}
    if adding:
        check_media_room(user_id, sum(adding.values()))


class ImportedImages:
    """The images of an import's new cards, copied from where reading the
    package kept them (``keep_for_import``). ``saved``: the files written so
    far, deleted by ``discard`` if the import does not commit."""

    def __init__(self, *, user_id: int, rows):
        self.saved: list[str] = []
        check_images_room(user_id, rows)

    def attach(self, cards, rows, *, faces=("front", "back"), has=None) -> None:
        """Keep the images each card's ``faces`` show (the cards are saved; their
        text keeps the images' names, linked when shown: Card.render). ``has``:
        the names of the images each card keeps already (an updated card)."""
        media = []
        has = has or {}
        for card, row in zip(cards, rows, strict=True):
            kept = set(has.get(card.pk, ()))
            shown = image_names("".join(getattr(card, face) for face in faces))
            for name, (path, size) in _images_of(row.options).items():
                if name in kept or name not in shown:
                    continue
                try:
                    with default_storage.open(path) as source:
                        self.saved.append(save_image_file(source, PurePath(path).suffix))
                except FileNotFoundError:
                    continue  # purged meanwhile: the card shows a broken image
                media.append(CardMedia(card_id=card.pk, name=name, file=self.saved[-1], size=size))
                kept.add(name)
        CardMedia.objects.bulk_create(media)

    def attach_to_updated(self, cards, rows) -> None:
        """An updated card takes its new back's images; those it keeps already stay."""
        if not any(_images_of(row.options) for row in rows):
            return
        has: dict[int, set[str]] = {}
        pairs = CardMedia.objects.filter(card__in=[card.pk for card in cards])
        for card_id, name in pairs.values_list("card_id", "name"):
            has.setdefault(card_id, set()).add(name)
        self.attach(cards, rows, faces=("back",), has=has)

    def discard(self) -> None:
        for name in self.saved:
            default_storage.delete(name)


def store_images(card, images: dict[str, bytes]) -> list[CardMedia]:
    """Keep ``images`` for ``card``, under the names its text gives them, after
    checking each. Files are written first; if the rows cannot be, they are
    deleted."""
    saved: list[str] = []
    rows = []
    try:
        for name, data in images.items():
            kind = check_image(name, data)
            saved.append(save_image_file(data, kind.extension))
            rows.append(CardMedia(card=card, name=name, file=saved[-1], size=len(data)))
        CardMedia.objects.bulk_create(rows)
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise
    return rows
