"""Answers spoken aloud: the recording the page makes in the browser, kept in
Django's default storage beside the typed answer.

The type is read from the file's first bytes, never from its name or the
content type the browser sends: WebM (and Matroska), Ogg and MP4 are kept. The
size is the hard limit (PREP_MOCK_AUDIO_MAX_BYTES). The length is the page's
own count, taken as a hint: a recording made by MediaRecorder is a live stream
whose header carries no duration, so the server cannot read it cheaply.

A file goes when its answer goes: a new recording replaces the old one, and
deleting a question or an account deletes the recordings of its answers, once
the deletion has committed (``delete_on_commit``)."""

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from ..models import MAX_MOCK_AUDIO_SECONDS, MockAnswer
from .services import MockRejected, _locked_session


class AudioRefused(ValueError):
    """A recording that is not kept: not audio, too long or too large."""


@dataclass(frozen=True)
class AudioKind:
    extension: str
    content_type: str


WEBM = AudioKind(".webm", "audio/webm")
OGG = AudioKind(".ogg", "audio/ogg")
MP4 = AudioKind(".m4a", "audio/mp4")
KINDS = {kind.extension: kind for kind in (WEBM, OGG, MP4)}
NOT_AUDIO = (
    "That file is not a recording this page can keep (WebM, Ogg or MP4 audio). Nothing was saved."
)


def sniff(head: bytes) -> AudioKind | None:
    """The kind of recording these first bytes start, by their magic numbers."""
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: WebM and Matroska
        return WEBM
    if head.startswith(b"OggS"):
        return OGG
    if head[4:8] == b"ftyp":  # ISO base media: MP4, M4A
        return MP4
    return None


def kind_of(name: str) -> AudioKind:
    """The kind of a kept recording, from the extension it was kept under."""
    return KINDS.get(PurePath(name).suffix.lower(), WEBM)


def _seconds_text(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


def check_recording(upload, seconds: int | None) -> AudioKind:
    """Refuse a recording that is too large, too long or not audio; its kind otherwise."""
    limit = settings.PREP_MOCK_AUDIO_MAX_BYTES
    if upload.size > limit:
        raise AudioRefused(
            f"The recording is {filesizeformat(upload.size)}; at most {filesizeformat(limit)} "
            "is kept. Nothing was saved: record a shorter answer."
        )
    if seconds is not None and seconds > MAX_MOCK_AUDIO_SECONDS:
        raise AudioRefused(
            f"The recording is {_seconds_text(seconds)} long; at most "
            f"{_seconds_text(MAX_MOCK_AUDIO_SECONDS)} is kept. Nothing was saved."
        )
    if upload.size == 0:
        raise AudioRefused("The recording is empty. Nothing was saved.")
    upload.seek(0)
    kind = sniff(upload.read(12))
    upload.seek(0)
    if kind is None:
        raise AudioRefused(NOT_AUDIO)
    return kind


def save_answer_audio(*, answer: MockAnswer, upload, seconds: int | None) -> MockAnswer:
    """Keep ``upload`` as the spoken answer to ``answer``, replacing any earlier
    one (deleted once this commits). Refused once the answer is scored or the
    mock interview finished; then nothing is kept."""
    kind = check_recording(upload, seconds)
    # Written before the transaction, so no lock is held while it is copied.
    path = answer.audio.field.generate_filename(answer, "answer" + kind.extension)
    name = default_storage.save(path, upload)
    try:
        with transaction.atomic():
            _locked_session(answer.session_id)
            current = MockAnswer.objects.select_for_update().get(pk=answer.pk)
            if current.scored_at is not None:
                raise MockRejected("This answer is already scored; the recording was not kept.")
            old = current.audio.name
            current.audio.name = name
            current.audio_seconds = seconds
            current.save(update_fields=["audio", "audio_seconds"])
            if old:
                delete_on_commit([old])
    except BaseException:
        default_storage.delete(name)
        raise
    answer.audio.name, answer.audio_seconds = name, seconds
    return answer


def recordings_of(answers) -> list[str]:
    """The names of the recordings kept for these answers (a MockAnswer QuerySet)."""
    return list(answers.exclude(audio="").values_list("audio", flat=True))


def delete_on_commit(names: list[str]) -> None:
    """Delete these recordings once the transaction commits (never if it rolls back)."""
    if names:
        transaction.on_commit(lambda: _delete(names))


def _delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def delete_question(question) -> None:
    """Delete a person's question with their answers to it, and the answers' recordings."""
    with transaction.atomic():
        delete_on_commit(recordings_of(question.answers.all()))
        question.delete()
