"""Uploaded files stop being kept once they pass the route's size limit.

Django reads a request's whole body before any view runs (the CSRF check parses
the form), and by default keeps every uploaded file whole, on disk past 2.5 MB,
however large it is. ``SizeLimitUploadHandler`` comes first in
FILE_UPLOAD_HANDLERS and counts each file's bytes. Past the route's limit (the
import's, the restore's or a spoken answer's) it passes nothing more of the file on to Django's
handlers, deletes what they had kept, and leaves in ``request.FILES`` a
``TooLargeUpload``: the file's name and full size, and no content. (An Anki package
sent to the import has a limit of its own, told by its name.) The forms'
size checks, which are per file too, then refuse it with their usual message.
The rest of the body is still read (the fields after the file are parsed), but
none of the file is kept. (A request may carry only one file:
DATA_UPLOAD_MAX_NUMBER_FILES.)
"""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.urls import Resolver404, resolve

# The routes that take a file, and the setting that holds their limit. Any other
# route keeps no more than the largest of these.
LIMIT_SETTINGS = {
    "cards:import": "PREP_IMPORT_MAX_BYTES",
    "accounts:backup_restore": "PREP_BACKUP_MAX_BYTES",
    "mock:audio_upload": "PREP_MOCK_AUDIO_MAX_BYTES",
}
# An Anki package sent to the import carries its images, so it has a larger limit
# of its own; what it keeps is then limited by what is kept (the collection and
# each person's images), not by what it carries.
PACKAGE_SUFFIXES = (".apkg", ".colpkg")
PACKAGE_LIMIT_SETTING = "PREP_IMPORT_PACKAGE_MAX_BYTES"
ALL_LIMIT_SETTINGS = (*LIMIT_SETTINGS.values(), PACKAGE_LIMIT_SETTING)


def is_package(file_name: str | None) -> bool:
    return bool(file_name) and file_name.lower().endswith(PACKAGE_SUFFIXES)


def upload_limit(request: HttpRequest, file_name: str | None = None) -> int:
    """The most bytes of one file (named ``file_name``) that a request to this
    route may have kept."""
    try:
        route = resolve(request.path_info, getattr(request, "urlconf", None)).view_name
    except Resolver404:
        route = None
    if route == "cards:import" and is_package(file_name):
        return getattr(settings, PACKAGE_LIMIT_SETTING)
    if route in LIMIT_SETTINGS:
        return getattr(settings, LIMIT_SETTINGS[route])
    return max(getattr(settings, name) for name in LIMIT_SETTINGS.values())


class TooLargeUploadError(ValueError):
    pass


class TooLargeUpload(UploadedFile):
    """A file that was larger than the limit: its name and size, never its content.
    Reading it is an error rather than an empty file, so nothing can mistake it
    for what was sent."""

    def __init__(self, *, name, content_type, size, charset, content_type_extra):
        super().__init__(BytesIO(), name, content_type, size, charset, content_type_extra)

    def _refuse(self, *args, **kwargs):
        raise TooLargeUploadError(
            f"{self.name} ({self.size} bytes) is over the upload limit and was not kept."
        )

    open = read = readline = readlines = chunks = __iter__ = _refuse

    def multiple_chunks(self, chunk_size=None):
        return False


class SizeLimitUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.limit = upload_limit(request)
        self.size = 0  # bytes of the current file so far
        self.too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.limit = upload_limit(self.request, self.file_name)
        self.size = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.size <= self.limit:
            return raw_data
        if not self.too_large:
            self.too_large = True
            self._discard_what_was_kept()
        return None  # Django's handlers, further down, get nothing more of it

    def file_complete(self, file_size):
        if not self.too_large:
            return None  # Django's own handlers return the file they kept
        return TooLargeUpload(
            name=self.file_name,
            content_type=self.content_type,
            size=self.size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def _discard_what_was_kept(self) -> None:
        # Django's handlers keep the file they are writing as ``.file`` (its
        # parser closes them the same way when an upload fails); closing a
        # temporary upload deletes it.
        for handler in self.request.upload_handlers:
            if handler is not self and getattr(handler, "file", None) is not None:
                handler.file.close()
