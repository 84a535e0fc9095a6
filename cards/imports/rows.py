"""What every import format is read into: the valid rows of a file, the reason
each other row was left out, and the limits on a file."""

from dataclasses import dataclass, field

from .forms import ImportRowForm

MAX_ROWS = 100_000
MAX_TOPICS = 500  # distinct topic names in one file
MAX_STORED_ERRORS = 500
PREVIEW_ROWS = 20
SHOWN_ERRORS = 200
SHOWN_DUPLICATE_LINES = 30
BATCH_SIZE = 1000
READ_CHUNK = 64 * 1024


# What a row may carry besides its text, with the default a row without it has.
# ``kind``: the card's kind when the format names it (a cloze is found from its
# text whatever the format says; see PlannedRow.kind). ``html``: the faces are
# HTML (Anki's fields), not Markdown. ``history``: study history from Anki, a
# list of {"ordinal", "reviews": [[epoch ms, rating, duration ms], ...],
# "memory": Anki's FSRS state or None} per prompt studied (anki_history.py).
# ``suspended``: the card arrives suspended. ``media``: the names of the images
# (in the package's media map) the faces refer to (anki_media.py).
ROW_OPTIONS = {"kind": None, "html": False, "history": None, "suspended": False, "media": None}


def row_options(row: list) -> dict:
    """A stored row's options, each option's default where the row gives none."""
    given = row[5] if len(row) > 5 else {}
    return {**ROW_OPTIONS, **given}


class ImportRejected(Exception):
    """The file (or the confirmation) cannot go ahead at all; ``str(error)``
    says why, for the person, naming the line or the part of the file."""


@dataclass
class ParsedFile:
    source: str
    # [line, front, back, topic, [tags], {options}]: the options a format knows
    # beyond the text (ROW_OPTIONS), only those it sets.
    rows: list[list] = field(default_factory=list)
    errors: list[list] = field(default_factory=list)  # [line, reason]
    error_count: int = 0
    notes: list[str] = field(default_factory=list)
    topic_names: set[str] = field(default_factory=set)

    def add(self, line: int, values: dict[str, str], **options) -> None:
        """Validate one row with the row form and keep it or its error, with the
        ``options`` its format gives (ROW_OPTIONS: ``kind="reversed"``, ``html=True``).
        ``values["tags"]`` is the tags as typed in a Tags box, or a list of names."""
        unknown = set(options) - set(ROW_OPTIONS)
        if unknown:
            raise TypeError(f"Unknown row options: {', '.join(sorted(unknown))}")
        if len(self.rows) + self.error_count >= MAX_ROWS:
            raise ImportRejected(
                f"The file has more than {MAX_ROWS:,} rows; split it into smaller files."
            )
        tags = values.get("tags")
        if isinstance(tags, list):  # names already whole (Anki's): not parsed again
            form = ImportRowForm({**values, "tags": ""}, tag_names=tags)
        else:
            form = ImportRowForm(values)
        if not form.is_valid():
            self.error(line, form.reason())
            return
        data = form.cleaned_data
        self.topic_names.add(data["topic"].lower())
        if len(self.topic_names) > MAX_TOPICS:
            raise ImportRejected(
                f"The file names more than {MAX_TOPICS} different topics (line {line} names "
                f"another); import at most {MAX_TOPICS} at a time."
            )
        row = [line, data["front"], data["back"], data["topic"], data["tags"]]
        self.rows.append([*row, options] if options else row)

    def error(self, line: int, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append([line, reason])
