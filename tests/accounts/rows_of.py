"""Which rows of the database belong to a person, found by walking every model
(django.apps.apps.get_models), independently of the deletion code: a row is
theirs when it points at them or at a row of theirs, by a foreign key (the
many-to-many link tables included) or by a generic pointer (a content type and
an object id: taggit's tagged items, the admin log)."""

import json
from collections import defaultdict

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models

Rows = dict[type[models.Model], set]


def all_models() -> list[type[models.Model]]:
    """Every table once: the link tables included, proxies (another view of a
    table, as django-q2's Success and Failure of its Task) left out."""
    return [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy]


def _generic_pointers(model) -> list[tuple[str, str]]:
    """(content type field, object id field) pairs of a model: its GenericForeignKeys,
    and the admin log's kind (a content type beside an ``object_id``)."""
    pointers = [
        (field.ct_field, field.fk_field)
        for field in model._meta.private_fields
        if hasattr(field, "ct_field")
    ]
    names = {field.name for field in model._meta.concrete_fields}
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is ContentType:
            for id_name in ("object_id", "object_pk"):
                if id_name in names and (field.name, id_name) not in pointers:
                    pointers.append((field.name, id_name))
    return pointers


def rows_of(user) -> Rows:
    theirs: Rows = defaultdict(set)
    theirs[get_user_model()].add(user.pk)
    changed = True
    while changed:
        changed = False
        for model in all_models():
            found: set = set()
            for field in model._meta.concrete_fields:
                if field.is_relation and theirs.get(field.related_model):
                    found |= set(
                        model._base_manager.filter(
                            **{f"{field.attname}__in": theirs[field.related_model]}
                        ).values_list("pk", flat=True)
                    )
            for type_field, id_field in _generic_pointers(model):
                for pk, type_id, object_id in model._base_manager.values_list(
                    "pk", f"{type_field}_id", id_field
                ):
                    target = ContentType.objects.get_for_id(type_id).model_class()
                    if {str(object_id)} & {str(key) for key in theirs.get(target, ())}:
                        found.add(pk)
            if found - theirs[model]:
                theirs[model] |= found
                changed = True
    return dict(theirs)


def models_a_person_can_have() -> set[type[models.Model]]:
    """Every model that points at the user model, or at such a model, by a foreign
    key: a person can have rows of each."""
    reached = {get_user_model()}
    changed = True
    while changed:
        changed = False
        for model in all_models():
            if model in reached:
                continue
            if any(
                field.is_relation and field.related_model in reached
                for field in model._meta.concrete_fields
            ):
                reached.add(model)
                changed = True
    return reached


def row_counts() -> dict[type[models.Model], int]:
    return {model: model._base_manager.count() for model in all_models()}


def rows_naming(needle: str) -> Rows:
    """The rows with a text value (text, JSON) that contains ``needle``, in any case."""
    found: Rows = defaultdict(set)
    for model in all_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                rows = model._base_manager.filter(**{f"{field.name}__icontains": needle})
                found[model] |= set(rows.values_list("pk", flat=True))
            elif isinstance(field, models.JSONField):
                for pk, value in model._base_manager.values_list("pk", field.name):
                    if needle.lower() in json.dumps(value).lower():
                        found[model].add(pk)
    return {model: pks for model, pks in found.items() if pks}


def ids_named_for_people(user_id: int) -> list[str]:
    """Whole-number fields that are not foreign keys but are named for a person
    (``user_id``, ``owner``…) and hold ``user_id``."""
    found = []
    for model in all_models():
        for field in model._meta.concrete_fields:
            if field.is_relation or not isinstance(field, models.IntegerField):
                continue
            named = any(word in field.name for word in ("user", "owner", "person", "account"))
            if named and model._base_manager.filter(**{field.name: user_id}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found
