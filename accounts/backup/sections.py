"""How an app declares its part of a backup, and the list of those parts.

Each app describes its rows once, in its own ``backup`` module: a ``Section``
per list of rows in the file (or per child list of a row), naming the model,
the fields in the order the file has them, what identifies a row to its owner
when a restore merges, and how the checked rows are written back. The apps'
``Part`` objects are listed, in the order a backup holds them, by the setting
``PREP_BACKUP_PARTS``; the core (export, restore) reads that list and never
imports an app itself.

A section's rows may point only at sections before it.
"""

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, models, router
from django.utils.module_loading import import_string

from .fields import (
    LEFT_OUT,
    STARTER,
    Field,
    Id,
    Ref,
    Row,
    kind_of,
    problem,
    validate_model,
)


@dataclass(slots=True)
class Checked:
    """One row of the file, checked: the unsaved model row and what its fields
    that are not model attributes gave (its id, references, topics, children…)."""

    row: models.Model
    values: dict

    @property
    def id(self) -> str | None:
        return self.values.get("id")


class Section:
    """One list of rows in a backup. Subclasses set the class attributes and
    ``write``; the rest is derived from ``fields``."""

    name: str  # the key in the file, and in restore reports
    model: type[models.Model]
    fields: tuple[Field, ...]
    one = "a row"  # in messages: “"t9" is not a topic of this backup”
    noun = "row"  # in messages: “the starter topic "x" is not on this server”
    ref_kind = "a text"  # what a reference to this section must be
    streamed = False  # grows with the collection: read and written a batch at a time
    starter_key: str | None = None  # the field by which other rows point at starter rows
    match: tuple[str, ...] = ()  # what identifies a row to its owner, when merging
    not_backed_up: tuple[str, ...] = ()  # the model's fields a backup leaves out, on purpose
    parent: str | None = None  # for a child section: its foreign key to the parent row
    since = 1  # the format version that first had this part
    row_limit: int | None = None  # a streamed row's largest size, if not file.ROW_LIMIT

    def __init__(self):
        for each in self.fields:
            each.section = self
        self.keys = tuple(f.name for f in self.fields)
        self.id_field = next((f for f in self.fields if isinstance(f, Id)), None)
        self.on_model = tuple(f for f in self.fields if f.on_model)
        self.not_validated = tuple(f.name for f in self.on_model if not f.validated)
        model_fields = {f.name: f for f in self.model._meta.concrete_fields}
        # auto_now and auto_now_add overwrite what bulk_create is given: put back.
        self.timestamps = tuple(
            f.name
            for f in self.on_model
            if getattr(model_fields.get(f.name), "auto_now", False)
            or getattr(model_fields.get(f.name), "auto_now_add", False)
        )
        # A merge brings a newer row's values over, except what matches it and when it was made.
        self.updated = tuple(
            f.name
            for f in self.on_model
            if f.name not in self.match
            and not getattr(model_fields.get(f.name), "auto_now_add", False)
        )

    def __repr__(self) -> str:
        return f"<backup section {self.name}>"

    # Exporting -------------------------------------------------------------------------

    def rows(self, user) -> models.QuerySet:
        """The person's rows, in the order the backup lists them."""
        raise NotImplementedError

    def starter_rows(self) -> models.QuerySet:
        """The starter library's rows that the person's rows may point at."""
        return self.model.objects.none()

    def assign_ids(self, export, rows: models.QuerySet) -> None:
        """File ids for the rows the export will write (those whose references it
        can give), numbered in their order."""
        if self.id_field is None:
            return
        needed = [f for f in self.fields if isinstance(f, Ref) and not f.null]
        pairs = rows.values_list("pk", *(f.column for f in needed))
        export.own_ids[self.name] = {
            pk: f"{self.id_field.prefix}{n}"
            for n, pk in enumerate(
                (
                    pk
                    for pk, *refs in pairs.iterator(chunk_size=export.chunk)
                    if all(export.ref(f.to, v) for f, v in zip(needed, refs, strict=True))
                ),
                start=1,
            )
        }

    def dump_rows(self, export, rows: models.QuerySet, *, key: str | None = None) -> Iterator:
        """The rows as the file has them; with ``key``, (that column, row) pairs."""
        for each in self.fields:
            each.prepare(export, rows)
        columns = list(dict.fromkeys(f.column for f in self.fields))
        places = [(f, columns.index(f.column)) for f in self.fields]
        if key is not None:
            columns.append(key)
        for values in rows.values_list(*columns).iterator(chunk_size=export.chunk):
            out = {}
            for each, place in places:
                value = each.dump(export, values[place])
                if value is LEFT_OUT:
                    break
                out[each.name] = value
            else:
                yield out if key is None else (values[-1], out)

    # Restoring -------------------------------------------------------------------------

    def file_keys(self, version: int) -> tuple[str, ...]:
        """The keys each row has in a file of this format version."""
        return self.keys

    def check_rows(self, restore, rows, where: str | None = None) -> Iterable[Checked]:
        """The rows of the section (a list, or an iterator as the file is read),
        checked; a list unless the section is streamed."""
        where = where or self.name
        if not isinstance(rows, list | Iterator):
            raise problem(where, f"must be a list […], not {kind_of(rows)}")
        checked = self._check_each(restore, rows, where)
        return checked if self.streamed else list(checked)

    def _check_each(self, restore, rows, where: str) -> Iterator[Checked]:
        seen = self.new_seen()
        keys = self.file_keys(restore.version)
        fields = [f for f in self.fields if f.name in keys]
        model = self.model
        for n, value in enumerate(rows):
            place = f"{where}[{n}]"
            row = Row(value, place, keys)
            attributes, values = {}, {}
            for each in fields:
                (attributes if each.on_model else values)[each.name] = each.load(row, restore)
            checked = Checked(model(**attributes), values)
            validate_model(checked.row, place, exclude=self.not_validated)
            self.check(restore, checked, row, seen)
            yield checked

    def new_seen(self):
        """What ``check`` remembers across the rows of one list (a set by default)."""
        return set()

    def check(self, restore, checked: Checked, row: Row, seen) -> None:
        """Rules across rows (no two topics with one slug…); raise problem(…)."""

    def check_ref(self, restore, value: str, where: str) -> None:
        """A reference to one of this section's rows, from ``where``."""
        if self.starter_key is not None and value.startswith(STARTER):
            key = value[len(STARTER) :]
            if key not in restore.starter(self):
                raise problem(
                    where,
                    f"the starter {self.noun} “{key}” is not on this server (load the starter "
                    "library with manage.py load_starter, then restore again)",
                )
            return
        if value not in restore.file_ids[self.name]:
            raise problem(where, f"“{value}” is not {self.one} of this backup")

    def resolve(self, restore, ref: str | None):
        """The row a checked reference stands for, once written."""
        if ref is None:
            return None
        if self.starter_key is not None and ref.startswith(STARTER):
            return restore.starter(self)[ref[len(STARTER) :]]
        return restore.written[self.name][ref]

    def write(self, restore, checked: Iterable[Checked]) -> None:
        raise NotImplementedError

    def new_rows(self, restore, checked: Iterable[Checked]) -> list[Checked]:
        """For a section whose rows a person has once each (``match`` is one
        field, e.g. when a session started): the checked rows the person has
        none like, given to the person. Those they have are kept, and stand
        for the file's row wherever another row refers to it."""
        (key,) = self.match
        existing = {getattr(row, key): row for row in self.rows(restore.user)}
        new = []
        for each in checked:
            current = existing.get(getattr(each.row, key))
            if current is not None:
                restore.written[self.name][each.id] = current
                restore.report.kept[self.name] += 1
                continue
            each.row.user = restore.user
            restore.written[self.name][each.id] = each.row
            new.append(each)
        return new

    def changes(self, row: models.Model) -> dict:
        """What a merge writes over an older row that matches ``row``."""
        return {name: getattr(row, name) for name in self.updated}

    def create(self, rows: list[models.Model]) -> None:
        """bulk_create, keeping the backup's times."""
        times = [[getattr(row, name) for name in self.timestamps] for row in rows]
        self.model.objects.bulk_create(rows)
        if self.timestamps:
            set_timestamps(self.model, rows, self.timestamps, times)


class Single:
    """A part of a backup that is one object, not a list (the person's settings).
    Read and checked before anything is written; subclasses set ``write``. With
    ``optional``, the part is null when the person has no row (the defaults)."""

    name: str
    model: type[models.Model]
    fields: tuple[Field, ...]
    not_backed_up: tuple[str, ...] = ()
    streamed = False
    since = 1  # the format version that first had this part
    optional = False

    def __init__(self):
        for each in self.fields:
            each.section = self
        self.keys = tuple(f.name for f in self.fields)

    def instance(self, user) -> models.Model | None:
        raise NotImplementedError

    def file_keys(self, version: int) -> tuple[str, ...]:
        """The keys the object has in a file of this format version."""
        return self.keys

    def dump(self, export) -> dict | None:
        instance = self.instance(export.user)
        if instance is None:
            return None
        return {f.name: f.dump(export, getattr(instance, f.column)) for f in self.fields}

    def check(self, restore, value) -> dict | None:
        """The checked values; a key an older format lacks takes the model's default."""
        if value is None and self.optional:
            return None
        keys = self.file_keys(restore.version)
        row = Row(value, self.name, keys)
        values = {
            f.name: f.load(row, restore)
            if f.name in keys
            else self.model._meta.get_field(f.name).get_default()
            for f in self.fields
        }
        validate_model(
            self.model(**values),
            self.name,
            exclude=(f.name for f in self.fields if not f.validated),
        )
        return values

    def write(self, restore, values: dict | None) -> None:
        raise NotImplementedError


class Children(Field):
    """A row's list of child rows (a quiz's items), described by their own section
    whose ``parent`` is their foreign key to the row."""

    on_model = False
    stored = False

    def __init__(self, name: str, section: Section):
        super().__init__(name)
        self.child = section

    @property
    def column(self) -> str:
        return "pk"

    def prepare(self, export, rows):
        child = self.child
        parent = f"{child.parent}_id"
        mine = child.model.objects.filter(**{f"{child.parent}__in": rows.values("pk")})
        grouped = {}
        for parent_pk, row in child.dump_rows(
            export, mine.order_by(parent, "position", "pk"), key=parent
        ):
            grouped.setdefault(parent_pk, []).append(row)
        export.keep(self, grouped)

    def dump(self, export, value):
        return export.kept(self).get(value, [])

    def load(self, row, restore):
        rows = row.array(self.name)
        return list(self.child.check_rows(restore, rows, row.place(self.name)))


@dataclass(frozen=True)
class Part:
    """What one app adds to a backup: its sections, in the order the file has
    them, and how it counts what an account holds (for the data page, and to
    tell an empty account)."""

    sections: tuple = ()
    contents: Callable[[object], dict[str, int]] | None = None
    # The singular of the names its counts and reports use: {"quizzes": "quiz"}.
    singular: dict[str, str] = field(default_factory=dict)


@functools.cache
def parts() -> tuple[Part, ...]:
    return tuple(import_string(path) for path in settings.PREP_BACKUP_PARTS)


def sections() -> tuple:
    """Every section of a backup, in the file's order."""
    return tuple(section for part in parts() for section in part.sections)


def streamed() -> tuple[str, ...]:
    return tuple(s.name for s in sections() if getattr(s, "streamed", False))


def row_limits() -> dict[str, int]:
    """The streamed sections whose rows may be larger than file.ROW_LIMIT."""
    return {s.name: s.row_limit for s in sections() if getattr(s, "row_limit", None)}


# Writing in batches --------------------------------------------------------------------------


def batches(rows: Iterable, size: int) -> Iterator[list]:
    rows = iter(rows)
    while batch := list(itertools.islice(rows, size)):
        yield batch


def set_timestamps(model, rows: list, names: Iterable[str], values: list[list]) -> None:
    """auto_now and auto_now_add overwrite what bulk_create is given; put the
    backup's times back. One UPDATE run for every row (executemany): bulk_update's
    CASE over a batch took 12 s for 20,000 cards, this a fraction of a second."""
    names = tuple(names)
    for row, wanted in zip(rows, values, strict=True):
        for name, value in zip(names, wanted, strict=True):
            setattr(row, name, value)
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    params = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
