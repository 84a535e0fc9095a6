"""Deleting an account: the person and everything of theirs, in one transaction.

The person's rows go with their user row (every model that belongs to a person
points at it, or at a row that does, with CASCADE). What does not point at it
is found before and cleared here: the tags only their cards used, the admin
log's entries about their rows, django-q2's records of their jobs' tasks, their
sessions and django-axes' login records. Their kept files (uploads, spoken
answers, card images and those waiting in the card editor) are deleted from
the default storage once the transaction has committed. The shared starter
library has no owner, so it stays.

While an import or a restore of theirs is under way the deletion is refused:
a worker is reading their file or writing their rows in a transaction of its
own, and deleting under it would fail it half-way. The check locks the
person's row, so no job starts until the deletion has committed.
"""

from collections import defaultdict
from importlib import import_module

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from cards.models import CardMedia, PendingImage, UndoRecord
from interviews.mock.audio import recordings_of
from interviews.models import MockAnswer
from prep_site import jobs
from prep_site.jobs import has_job_under_way

JOB_UNDER_WAY = (
    "Your account was not deleted: an import or a restore of yours is under way. Wait for it "
    "to finish (its page shows how far it has got), then delete your account."
)


class DeletionRefused(Exception):
    pass


def account_delete(*, user) -> bool:
    """Delete the person and everything of theirs. False when the account was
    already gone (the same form sent twice)."""
    with transaction.atomic():
        if has_job_under_way(user):  # locks the person's row
            raise DeletionRefused(JOB_UNDER_WAY)
        people = get_user_model()._default_manager
        if not people.filter(pk=user.pk).exists():
            return False
        their_jobs = jobs.jobs_of(user)
        files = [job.upload.name for job in their_jobs if job.upload]
        files += recordings_of(MockAnswer.objects.filter(session__user=user))
        files += CardMedia.objects.filter(card__owner=user).values_list("file", flat=True)
        files += PendingImage.objects.filter(owner=user).values_list("file", flat=True)
        for record in UndoRecord.objects.filter(user=user):
            record.release_files()  # a delete's kept images
        jobs.forget_tasks(their_jobs)
        tags = _tags_in_use()
        logged = _logged_objects()
        people.filter(pk=user.pk).delete()
        _delete_unused_tags(tags)
        _forget_log_entries(logged)
        _delete_sessions(user.pk)
        _forget_logins(user.get_username())
        transaction.on_commit(lambda: _delete_files(files))
    return True


def _tags_in_use() -> set[int]:
    return set(TaggedItem.objects.values_list("tag_id", flat=True).distinct())


def _delete_unused_tags(before: set[int]) -> None:
    """Tags that only the person's items used: nobody else's card carries them, and
    their names are the person's words. A tag someone else uses stays."""
    Tag.objects.filter(pk__in=before - _tags_in_use()).delete()


def _logged_objects() -> dict[int, set[str]]:
    """The rows the admin log speaks of that exist now, by content type."""
    wanted: dict[int, set[str]] = defaultdict(set)
    for type_id, object_id in LogEntry.objects.exclude(object_id=None).values_list(
        "content_type_id", "object_id"
    ):
        wanted[type_id].add(object_id)
    return {type_id: _existing(type_id, ids) for type_id, ids in wanted.items()}


def _existing(type_id: int, ids: set[str]) -> set[str]:
    model = ContentType.objects.get_for_id(type_id).model_class()
    if model is None:
        return set()
    keys = []
    for object_id in ids:
        try:
            keys.append(model._meta.pk.to_python(object_id))
        except ValidationError:
            continue
    found = model._default_manager.filter(pk__in=keys).values_list("pk", flat=True)
    return {str(pk) for pk in found}


def _forget_log_entries(before: dict[int, set[str]]) -> None:
    """The admin log's entries about rows the deletion took: their text repeats
    the person's (a card's front, the user name)."""
    for type_id, ids in before.items():
        gone = ids - _existing(type_id, ids)
        LogEntry.objects.filter(content_type_id=type_id, object_id__in=gone).delete()


def _delete_sessions(user_id) -> None:
    """Log the person out everywhere. Sessions kept in the database are looked
    through, the ones not yet expired (an expired one logs no one in, and
    ``clearsessions`` takes it); sessions kept only in a cache (REDIS_URL)
    cannot be listed, but they name a person who no longer exists and so are
    anonymous from now on."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return
    theirs = []
    live = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    rows = live.values_list("session_key", "session_data")
    for key, data in rows.iterator():
        if store().decode(data).get(SESSION_KEY) == str(user_id):
            theirs.append(key)
    for key in theirs:
        store(session_key=key).delete()


def _forget_logins(username: str) -> None:
    """django-axes' records of logins and failed logins with the person's name."""
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=username).delete()


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
