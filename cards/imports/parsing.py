"""Reading an uploaded file into rows: the format is told by the file's name,
unless the person chose one on the upload form (ImportJob.reading)."""

from pathlib import PurePosixPath

from .apkg import parse_package
from .quizlet import parse_quizlet
from .rows import ParsedFile
from .text import parse_text


def parse_upload(
    *, file, filename: str, default_topic: str = "", reading: dict | None = None
) -> ParsedFile:
    """The rows of an uploaded file, validated, and the reason for every row left
    out. Raises ImportRejected when the file as a whole cannot be read."""
    file.seek(0)
    reading = reading or {}
    if reading.get("format") == "quizlet":
        return parse_quizlet(
            file, term=reading["term"], row=reading["row"], default_topic=default_topic
        )
    suffix = PurePosixPath(filename.lower()).suffix
    if suffix in (".apkg", ".colpkg"):
        return parse_package(file, default_topic=default_topic, suffix=suffix)
    return parse_text(file, filename=filename, default_topic=default_topic)
