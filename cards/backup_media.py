"""The images of a person's cards in a backup (from format 6): each a row with
its card, the name the card's text gives it, and its bytes in base64. Restored
images are checked as an import checks them (the kind by the first bytes, the
size of each, and the room a person has), and their files are written through
Django's storage; if the restore fails, the files written are deleted."""

import base64
import binascii

from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat

from accounts.backup.fields import LEFT_OUT, STARTER, Field, Ref, Text, problem
from accounts.backup.sections import Section, batches

from .models import MAX_MEDIA_BYTES, MAX_MEDIA_BYTES_PER_PERSON, CardMedia
from .models.media import kept_image_bytes, refusal, save_image_file, sniff

# Images are written this many at a time: each may be MAX_MEDIA_BYTES.
IMAGE_CHUNK = 20


class ImageData(Field):
    """An image's bytes, in base64; stands for the model's file and size."""

    on_model = False

    @property
    def column(self) -> str:
        return "file"

    def model_fields(self) -> tuple[str, ...]:
        return ("file", "size")

    def dump(self, export, value):
        try:
            with default_storage.open(value) as file:
                return base64.b64encode(file.read()).decode("ascii")
        except FileNotFoundError:
            return LEFT_OUT  # its file is gone: the card shows a broken image either way

    def load(self, row, restore):
        where = row.place(self.name)
        try:
            data = base64.b64decode(row.text(self.name), validate=True)
        except (binascii.Error, ValueError):
            raise problem(where, "must be an image in base64") from None
        reason = refusal(data)
        if reason is not None:
            raise problem(where, reason)
        return data


class CardImages(Section):
    name, model = "card_images", CardMedia
    fields = (Ref("card", to="cards"), Text("name"), ImageData("data"))
    streamed = True
    since = 6
    # A row of base64: the largest image and then some.
    row_limit = MAX_MEDIA_BYTES * 4 // 3 + 64 * 1024
    match = ("card", "name")
    not_backed_up = ("id",)

    def __init__(self):
        super().__init__()
        self.not_validated += ("file", "size")  # checked by ImageData, given by the write

    def rows(self, user):
        return CardMedia.objects.filter(card__owner=user).order_by("pk")

    def check(self, restore, checked, row, seen):
        card = checked.values["card"]
        if card.startswith(STARTER):
            raise problem(row.place("card"), "only your own cards keep images")
        key = (card, checked.row.name)
        if key in seen:
            raise problem(row.place("name"), f"card “{card}” has the image “{key[1]}” twice")
        seen.add(key)

    def write(self, restore, checked):
        cards = restore.sections["cards"]
        kept = CardMedia.objects.filter(card__owner=restore.user)
        existing = set(kept.values_list("card_id", "name"))
        room = MAX_MEDIA_BYTES_PER_PERSON - kept_image_bytes(restore.user.pk)
        for batch in batches(checked, IMAGE_CHUNK):
            new = []
            for each in batch:
                media, data = each.row, each.values["data"]
                media.card_id = cards.pk_of(restore, each.values["card"])
                if (media.card_id, media.name) in existing:
                    restore.report.kept[self.name] += 1
                    continue
                room -= len(data)
                if room < 0:
                    most = filesizeformat(MAX_MEDIA_BYTES_PER_PERSON)
                    raise problem(
                        self.name, f"the images take more than the {most} kept for one person"
                    )
                media.file = save_image_file(data, sniff(data[:12]).extension)
                restore.on_failure(lambda name=media.file.name: default_storage.delete(name))
                media.size = len(data)
                new.append(media)
            CardMedia.objects.bulk_create(new)
            restore.report.added[self.name] += len(new)
            restore.after_batch()
