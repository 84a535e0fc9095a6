"""A large Anki deck written by Anki's own engine (the ``anki`` package of
requirements-dev.txt), for the import benchmark: basic notes in nested decks,
a study history of Anki's review log, and images."""

import random
from pathlib import Path

from .images import png

DAY_MS = 24 * 60 * 60 * 1000


def build_deck_elsewhere(folder: str, **options) -> Path:
    """build_deck in a worker process: its errors come back as RuntimeError (the
    engine's own exceptions cannot be sent between processes)."""
    try:
        return build_deck(folder, **options)
    except Exception as error:
        raise RuntimeError(f"{type(error).__name__}: {error}") from None


def build_deck(
    folder: str, *, notes: int, reviews: int, images: int, image_bytes: int, seed: int = 1
) -> Path:
    """Write ``deck.apkg`` (Anki 2.1.50's format, collection.anki21b) in
    ``folder``: ``notes`` Basic notes, ``reviews`` answers spread over their
    cards (each studied card ends in review, due in the coming weeks), and
    ``images`` images of about ``image_bytes`` each, one on each of the first
    notes' back."""
    from anki.collection import AddNoteRequest, Collection, ExportAnkiPackageOptions

    chance = random.Random(seed)
    col = Collection(str(Path(folder) / "collection.anki2"))
    basic = col.models.by_name("Basic")
    decks = [col.decks.id(f"Interview::Topic {n}") for n in range(10)]
    requests = []
    for n in range(notes):
        note = col.new_note(basic)
        note.fields[0] = f"Question {n}: what is <b>term {n}</b>?"
        picture = f' <img src="figure{n}.png">' if n < images else ""
        note.fields[1] = f"Answer {n}, with a <i>detail</i>.{picture}"
        note.tags = [f"tag{n % 50}", "bench"]
        requests.append(AddNoteRequest(note=note, deck_id=decks[n % len(decks)]))
    col.add_notes(requests)
    for n in range(images):
        col.media.write_data(f"figure{n}.png", png(size=image_bytes + n))

    card_ids = [row[0] for row in col.db.all("SELECT id FROM cards ORDER BY id")]
    per_card = max(1, reviews // len(card_ids))
    start_ms = 1_700_000_000_000
    log, written, taken = [], 0, set()
    for card_id in card_ids:
        if written >= reviews:
            break
        moment, interval = start_ms + chance.randrange(DAY_MS), 0
        for step in range(min(per_card, reviews - written)):
            ease = 1 if chance.random() < 0.1 else chance.choice((2, 3, 3, 3, 4))
            last, interval = interval, (1 if ease == 1 else max(1, interval * 2 + 1))
            kind = 0 if step == 0 else 1
            review_id = moment + step
            while review_id in taken:  # the review's id is its time, and unique
                review_id += 1
            taken.add(review_id)
            log.append((review_id, card_id, -1, ease, interval, last, 2500, 8000, kind))
            moment += interval * DAY_MS
            written += 1
    col.db.executemany("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", log)
    studied = {row[1] for row in log}
    col.db.executemany(
        "UPDATE cards SET type = 2, queue = 2, ivl = ?, due = ?, reps = ? WHERE id = ?",
        [(10, chance.randrange(30), per_card, card_id) for card_id in studied],
    )
    path = Path(folder) / "deck.apkg"
    options = ExportAnkiPackageOptions(with_scheduling=True, with_media=True, legacy=False)
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    col.close()
    return path
