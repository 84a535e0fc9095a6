"""Background jobs: work that outlives the request that asked for it (an
import, a large restore, the nightly purge), run by django-q2's workers.

A job's state is a row the person's page reads: its status (on the job's own
model), how far it has got (``done`` of ``total``), what it is doing now
(``stage``) and how many times a worker has started it (``attempts``). The
task writes them in short transactions of their own; a page that polls only
reads. A task is enqueued once the transaction that asked for it commits, so a
worker never finds a job that is not there yet.

A worker that dies mid-task (killed, out of memory, the machine restarted)
leaves its task locked in the broker; django-q2 hands it to a worker again
once ``Q_CLUSTER["retry"]`` seconds have passed. The task then counts the
attempt, and past ``PREP_TASK_ATTEMPTS`` it records the job as stopped instead
of running it again. A task that outlives its timeout, or raises, is recorded
by django-q2 as failed, and its hook (``on_failure``) settles the job.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    connection,
    connections,
    models,
    transaction,
)
from django.utils import timezone
from django_q.tasks import async_task

from prep_site import figures

# One job under way per person, whatever its kind (has_job_under_way).
BUSY = (
    "You already have an import or a restore under way: wait for it to finish (its page "
    "shows how far it has got), then try again."
)


class JobState(models.Model):
    """The progress columns every kind of job has. A job model also names the
    field of the person it is for and its statuses while under way."""

    person_field = "user"
    under_way: tuple[str, ...] = ()
    # Whether it is the person's one job at a time (has_job_under_way). A job
    # that only reads (fitting the schedule) keeps no file and blocks nothing.
    exclusive = True

    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True, help_text="What the job is doing now.")
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker has started this job."
    )

    class Meta:
        abstract = True

    @property
    def percent(self) -> int:
        if self.total == 0:
            return 0
        return min(100, self.done * 100 // self.total)

    def record_progress(
        self, *, done: int, total: int | None = None, stage: str | None = None
    ) -> None:
        """Record progress, committed at once (the caller is in no transaction)."""
        changes = {"done": done}
        if total is not None:
            changes["total"] = total
        if stage is not None:
            changes["stage"] = stage[:200]
        type(self)._default_manager.filter(pk=self.pk).update(**changes)
        for name, value in changes.items():
            setattr(self, name, value)

    def end(self, *, running: dict, **changes) -> bool:
        """Move the job out of its running state (``running`` filters for it),
        writing ``changes``: once, whoever tries first (a worker, a hook, a
        retry). False when the job had already left it. The kept file (every
        job model keeps it in ``upload``) is deleted with it."""
        kept = self.upload.name
        ended = (
            type(self)
            ._default_manager.filter(pk=self.pk, **running)
            .update(upload="", stage="", **changes)
        )
        if ended and kept:
            default_storage.delete(kept)
        if ended:
            figures.changed(getattr(self, f"{self.person_field}_id"))
        self.refresh_from_db()
        return bool(ended)


@contextmanager
def progress_aside(job: JobState) -> Iterator[Callable[[int, int], None]]:
    """A ``report(done, total)`` for work that runs in one long transaction (a
    restore, an import's write), where the job's row cannot be written through
    the transaction's own connection (the page would see nothing until it
    commits). On PostgreSQL the row is written through a second connection that
    commits each write at once. SQLite has one writer at a time and the
    transaction is it, so there the row is left as it was until the end."""
    side = None
    table = connection.ops.quote_name(type(job)._meta.db_table)

    def report(done: int, total: int) -> None:
        nonlocal side
        if not connection.in_atomic_block:
            job.record_progress(done=done, total=total)
            return
        if connection.vendor != "postgresql":
            return
        if side is None:
            side = connections.create_connection(DEFAULT_DB_ALIAS)
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET done = %s, total = %s WHERE id = %s", [done, total, job.pk]
            )

    try:
        yield report
    finally:
        if side is not None:
            side.close()


class QueuedJob(JobState):
    """A job a person starts from a page and a worker runs: it waits for a
    worker, runs, and ends done or failed, one of its kind under way per person
    (``start_one``). A model names the text field that says why it failed
    (``failure_field``), and declares ``queued_constraints`` in its Meta."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Working"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    under_way = (Status.QUEUED, Status.RUNNING)
    # Such a job locks what it changes as a request would: an import, a restore
    # or an account deletion need not wait for it (has_job_under_way).
    exclusive = False
    failure_field = "failure"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def in_progress(self) -> bool:
        return self.status in self.under_way

    @classmethod
    def mark_running(cls, job_id: int, **changes) -> None:
        cls._default_manager.filter(pk=job_id).update(status=cls.Status.RUNNING, **changes)

    @classmethod
    def mark_done(cls, job_id: int, **changes) -> bool:
        return finish(cls, job_id, status=cls.Status.DONE, **changes)

    @classmethod
    def mark_failed(cls, job_id: int, text: str) -> bool:
        """Fail the job, saying why in ``text``: once, whoever tries first."""
        return finish(cls, job_id, status=cls.Status.FAILED, **{cls.failure_field: text})

    @classmethod
    def claim(cls, job_id: int, *, stopped: str) -> bool:
        """Count one more start of the job; False when it must not run. A job
        started too often is failed, saying ``stopped``."""
        running = {"status__in": cls.under_way}
        if claim_attempt(cls, job_id, running=running):
            return True
        if cls._default_manager.filter(pk=job_id, **running).exists():
            cls.mark_failed(job_id, stopped)
        return False


def queued_constraints(prefix: str) -> list[models.BaseConstraint]:
    """A QueuedJob's constraints: its status is one of its statuses, and one is
    under way per person (``start_one`` checks it first, with a message)."""
    return [
        models.CheckConstraint(
            condition=models.Q(status__in=["queued", "running", "done", "failed"]),
            name=f"{prefix}_status_valid",
        ),
        models.UniqueConstraint(
            fields=["user"],
            condition=models.Q(status__in=["queued", "running"]),
            name=f"{prefix}_one_under_way",
        ),
    ]


def start_one(
    model: type[QueuedJob], *, user, task: str, on_failure: str, **fields
) -> QueuedJob | None:
    """Create the person's job and have a worker run ``task`` on it once the job
    is committed (``on_failure`` as for enqueue_after_commit). None, writing
    nothing, when they already have one of its kind under way (checked under a
    lock, and by the table's constraint in a race)."""
    try:
        with transaction.atomic():
            under_way = model._default_manager.select_for_update().filter(
                user=user, status__in=model.under_way
            )
            if under_way.exists():
                return None
            job = model._default_manager.create(user=user, **fields)
            enqueue_after_commit(task, job, on_failure=on_failure)
    except IntegrityError:
        return None
    return job


def purge_finished(*, older_than: datetime) -> int:
    """Delete the records of queued jobs of every kind that ended (done or
    failed) before ``older_than``, but each person's latest of each kind, which
    its page shows. Returns how many went."""
    deleted = 0
    for model in apps.get_models():
        if not issubclass(model, QueuedJob):
            continue
        person = model.person_field
        rows = model._default_manager
        newer = rows.filter(**{person: models.OuterRef(person)}).filter(
            models.Q(created_at__gt=models.OuterRef("created_at"))
            | models.Q(created_at=models.OuterRef("created_at"), pk__gt=models.OuterRef("pk"))
        )
        ended = [model.Status.DONE, model.Status.FAILED]
        stale = rows.filter(status__in=ended, finished_at__lt=older_than)
        deleted += stale.filter(models.Exists(newer)).delete()[0]
    return deleted


def settle_failure(task, settle: Callable[..., None]) -> None:
    """For a django-q2 hook: call ``settle(job_id=, reason=)`` if the task failed."""
    reason = failure_of(task)
    if reason is not None:
        settle(job_id=task.args[0], reason=reason)


def finish(model: type[JobState], job_id: int, **changes) -> bool:
    """Move a job that has a ``finished_at`` out of its running states, writing
    ``changes``: once, whoever tries first (the worker, the failure hook)."""
    return bool(
        model._default_manager.filter(pk=job_id, status__in=model.under_way).update(
            stage="", finished_at=timezone.now(), **changes
        )
    )


def has_job_under_way(user, *, besides: JobState | None = None) -> bool:
    """Whether the person has a job of any kind under way (one at a time: BUSY
    says so). Called in the transaction that would start one; the person's row
    is locked first, so two requests at once (two tabs) are taken one after the
    other. Each job model also has a partial unique constraint behind this."""
    people = get_user_model()._default_manager
    list(people.select_for_update().filter(pk=user.pk).values_list("pk"))
    for model in apps.get_models():
        if not issubclass(model, JobState) or not model.exclusive:
            continue
        jobs = model._default_manager.filter(
            **{model.person_field: user, "status__in": model.under_way}
        )
        if isinstance(besides, model):
            jobs = jobs.exclude(pk=besides.pk)
        if jobs.exists():
            return True
    return False


def max_attempts() -> int:
    return settings.PREP_TASK_ATTEMPTS


def claim_attempt(model: type[JobState], job_id: int, *, running: dict) -> bool:
    """Count one more start of the job, if it is still in a running state
    (``running`` filters it). False when it must not run: it is no longer
    running (already done, or settled), or a worker has started it too often."""
    claimed = model._default_manager.filter(pk=job_id, **running).update(
        attempts=models.F("attempts") + 1
    )
    if not claimed:
        return False
    attempts = model._default_manager.filter(pk=job_id).values_list("attempts", flat=True).get()
    return attempts <= max_attempts()


def task_group(job: JobState) -> str:
    """The group django-q2 files a job's tasks under (``cards.importjob:12``), by
    which they are found again when the job's person is deleted."""
    return f"{job._meta.label_lower}:{job.pk}"


def enqueue_after_commit(func: str, job: JobState, *, on_failure: str) -> None:
    """Run the task ``func`` (a dotted path) with the job's id on a worker once
    the current transaction commits; the hook ``on_failure(task)`` runs when
    django-q2 records the task as failed."""
    label = f"{func.rsplit('.', 1)[-1]} {job.pk}"
    group = task_group(job)
    transaction.on_commit(
        lambda: async_task(func, job.pk, hook=on_failure, task_name=label, group=group)
    )


def jobs_of(user, *, under_way: bool = False) -> list[JobState]:
    """The person's jobs of every kind that keep a file (only those a worker has
    still to finish, with ``under_way``), without the data they carry."""
    found: list[JobState] = []
    for model in apps.get_models():
        if not issubclass(model, JobState) or not model.exclusive:
            continue
        rows = model._default_manager.filter(**{model.person_field: user})
        if under_way:
            rows = rows.filter(status__in=model.under_way)
        found += rows.only("pk", "status", "filename", "upload")
    return found


def forget_tasks(jobs: list[JobState]) -> int:
    """Delete django-q2's records of the jobs' tasks (their results, kept for the admin)."""
    from django_q.models import Task

    groups = [task_group(job) for job in jobs]
    return Task.objects.filter(group__in=groups).delete()[0] if groups else 0


def delete_unread_files(folder: str, *, readers: models.QuerySet, older_than: datetime) -> int:
    """Delete the files under ``folder`` of the default storage that no job will
    read: kept by none of ``readers`` (the jobs still under way) and last
    changed before ``older_than`` (a file saved a moment ago may belong to a job
    whose transaction has not committed yet)."""
    keep = set(readers.exclude(upload="").values_list("upload", flat=True))
    removed = 0
    for name in _walk(folder):
        if name in keep:
            continue
        try:
            changed = default_storage.get_modified_time(name)
        except (FileNotFoundError, NotImplementedError):
            continue
        if changed < older_than:
            default_storage.delete(name)
            removed += 1
    return removed


def _walk(folder: str):
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(f"{folder}/{sub}")


def failure_of(task) -> str | None:
    """Why django-q2 recorded ``task`` as failed, in words; None if it succeeded."""
    if task.success:
        return None
    result = str(task.result or "")
    if "TimeoutException" in result or "timeout" in result.lower():
        minutes = max(1, settings.Q_CLUSTER["timeout"] // 60)
        return f"it took longer than the {minutes} minutes a background job may run"
    return "the server met an error while working on it"
