"""Each app declares its part of a backup once (accounts.backup.sections): every
field of a backed-up model is in its section or named as left out, so a field
added to a model without a word about backups fails here."""

import ast
from pathlib import Path

from accounts.backup.fields import TopicList
from accounts.backup.sections import Children, Section, sections
from tests.accounts.rows_of import models_a_person_can_have


def every_section():
    for section in sections():
        yield section
        for field in getattr(section, "fields", ()):
            if isinstance(field, Children):
                yield field.child


def test_every_field_of_a_backed_up_model_is_in_its_section_or_left_out_on_purpose():
    assert len(list(every_section())) == 19
    for section in every_section():
        model = section.model
        declared = [name for field in section.fields for name in field.model_fields()]
        left_out = set(section.not_backed_up)
        concrete = {f.name for f in model._meta.concrete_fields}
        assert len(declared) == len(set(declared)), f"{section.name} declares a field twice"
        assert set(declared) <= {f.name for f in model._meta.get_fields()}, section.name
        assert left_out <= concrete, f"{section.name}: leaves out fields {model} does not have"
        assert not left_out & set(declared), f"{section.name}: both backed up and left out"
        undeclared = concrete - set(declared) - left_out
        assert not undeclared, (
            f"{model.__name__}.{', '.join(sorted(undeclared))}: add it to the "
            f"“{section.name}” section of the backup, or to its not_backed_up"
        )


def test_a_section_written_back_keeps_the_times_it_declares():
    times = {s.name: s.timestamps for s in every_section() if isinstance(s, Section)}
    assert times["cards"] == ("created_at", "updated_at")
    assert times["checklist_items"] == ("updated_at",)
    assert times["reviews"] == ()


def test_a_merge_updates_every_declared_value_but_the_match_and_the_creation_time():
    by_name = {s.name: s for s in every_section()}
    assert by_name["interviews"].updated == (
        "timezone",
        "duration_minutes",
        "stage",
        "status",
        "links",
        "notes",
        "updated_at",
        # The account's own calendar id stays (interviews.backup drops it from
        # the changes); the sequence goes past both.
        "ical_uid",
        "ical_sequence",
        "ical_changed_at",
    )
    assert by_name["cards"].updated == ("kind", "back", "text_format", "suspended", "updated_at")


def test_the_core_does_not_import_the_apps_it_backs_up():
    core = Path(__file__).resolve().parents[2] / "accounts" / "backup"
    for path in core.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in {"cards", "interviews"}, f"{path.name}: {name}"


# What a person can have rows of, but a backup leaves out, and why.
NOT_IN_A_BACKUP = {
    "auth.User": "the account a backup is restored into",
    "auth.User_groups": "given by this server's administrators",
    "auth.User_user_permissions": "given by this server's administrators",
    "admin.LogEntry": "the administrators' record of this server",
    "accounts.RestoreJob": "a run on this server's workers; what it restored is backed up",
    "cards.ImportJob": "a run on this server's workers; what it imported is backed up",
    "cards.BulkJob": "a run on this server's workers; what it changed is backed up",
    "cards.OptimizeJob": "a run on this server's workers; what it fitted is in the schedule",
    "cards.Prompt": "made again from each card",
    "cards.ReviewDay": "counted again from the review log",
    "cards.UndoRecord": "the undo of the last bulk action, offered once right after it",
    "cards.ResetProgress": "a reset's copy for its undo, offered once right after it",
    "cards.ResetReview": "a reset's copy for its undo, offered once right after it",
    "cards.PendingImage": "an image added in the card editor, kept a day for its card; the "
    "saved card's images are backed up",
}


def test_every_model_a_person_can_have_rows_of_is_backed_up_or_left_out_on_purpose():
    backed_up = set()
    for section in every_section():
        backed_up.add(section.model._meta.label)
        for field in section.fields:  # a list of topics: the many-to-many table's rows
            if isinstance(field, TopicList):
                through = section.model._meta.get_field(field.name).remote_field.through
                backed_up.add(through._meta.label)
    assert "cards.SchedulerSettings" in backed_up
    kinds = {model._meta.label for model in models_a_person_can_have()}
    assert not backed_up & set(NOT_IN_A_BACKUP)
    assert kinds - backed_up - set(NOT_IN_A_BACKUP) == set(), "add it to a backup section"
    assert set(NOT_IN_A_BACKUP) <= kinds
