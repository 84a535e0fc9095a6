"""``manage.py check_data``: the values stored as copies or counts of others
(cards.integrity). A clean database reports nothing; each kind of drift,
planted with an ``update()`` (or a delete) that goes around the code keeping
the copy, is reported in words and exits 1, and ``--fix`` repairs it."""

from datetime import UTC
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.utils import timezone

from cards.models import (
    Card,
    Progress,
    Prompt,
    Rating,
    ReviewDay,
    ReviewLog,
    StudySession,
)
from cards.study import services
from tests.factories import make_card, make_topic


def check_data(*args) -> tuple[int, str]:
    """Run the command: its exit status and what it wrote."""
    out = StringIO()
    try:
        call_command("check_data", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


@pytest.fixture
def studied(user, topic):
    """A card of each kind in two topics, every prompt of the first three graded
    in a session (the basic card twice), and a fourth card not studied yet:
    every copy is there to drift."""
    other = make_topic(owner=user, name="Databases")
    basic = make_card(topic, user, front="Quorum?")
    reversed_card = make_card(topic, user, front="Lease", kind=Card.Kind.REVERSED)
    cloze = make_card(other, user, front="{{c1::Raft}} elects a {{c2::leader}}", kind="cloze")
    later = make_card(other, user, front="Never studied yet?")
    session = services.start_session(user=user, topics=[topic, other])
    now = timezone.now()
    for prompt, reps in [
        (basic.prompts.get(), 0),
        (reversed_card.prompts.get(ordinal=0), 0),
        (reversed_card.prompts.get(ordinal=1), 0),
        (cloze.prompts.get(ordinal=1), 0),
        (cloze.prompts.get(ordinal=2), 0),
        (basic.prompts.get(), 1),
    ]:
        services.grade_prompt(
            user=user,
            session=session,
            prompt=prompt,
            rating=Rating.GOOD,
            expected_reps=reps,
            duration_ms=1000,
            now=now,
        )
    services.next_prompt_for(session=session, now=now, zone=UTC, new_per_day=20, remember=True)
    assert StudySession.objects.get(pk=session.pk).new_from == later.pk
    return {
        "other": other,
        "basic": basic,
        "reversed": reversed_card,
        "cloze": cloze,
        "later": later,
        "session": session,
    }


@pytest.mark.django_db
def test_a_clean_database_reports_nothing(studied):
    assert ReviewLog.objects.count() == 6 and ReviewDay.objects.count() == 2
    assert check_data() == (0, "Every copy agrees with its source.\n")
    assert check_data("--fix") == (0, "Nothing to fix.\n")


def plant_progress_topic(rows):
    Progress.objects.filter(card=rows["basic"]).update(topic=rows["other"])
    return "[progress copies] Progress row", "topic and suspension is topic"


def plant_progress_suspended(rows):
    Progress.objects.filter(card=rows["cloze"]).update(suspended=True)
    return "[progress copies]", "suspended, should be topic"


def plant_prompt_count(rows):
    Card.objects.filter(pk=rows["basic"].pk).update(prompt_count=3)
    return f"[prompts] Card {rows['basic'].pk} “Quorum?” (basic)", "prompt_count is 3, should be 1"


def plant_kind_changed_by_update(rows):
    # What the admin did before: a basic card made a cloze of three, its prompts left.
    Card.objects.filter(pk=rows["later"].pk).update(
        kind="cloze", front="{{c1::a}} {{c2::b}} {{c3::c}}", prompt_count=3
    )
    return f"[prompts] Card {rows['later'].pk}", "its prompts is [0], should be [1, 2, 3]"


def plant_review_day_count(rows):
    ReviewDay.objects.filter(topic=rows["other"]).update(reviews=F("reviews") + 4)
    return "[review days] Day", "the count is 6 reviews, 0 in review, 0 passed, should be 2"


def plant_review_deleted(rows):
    ReviewLog.objects.filter(card=rows["reversed"]).delete()
    return "[review days]", "is 4 reviews, 0 in review, 0 passed, should be 2 reviews"


def plant_review_card(rows):
    ReviewLog.objects.filter(card=rows["reversed"]).update(card=rows["cloze"])
    return "[card ids] Review", f"its card is card {rows['cloze'].pk}, should be card"


def plant_new_from_past_a_new_card(rows):
    StudySession.objects.filter(pk=rows["session"].pk).update(new_from=rows["later"].pk + 50)
    return (
        f"[new_from] Study session {rows['session'].pk} of alice",
        f"is {rows['later'].pk + 50}, should be {rows['later'].pk} at most",
    )


def plant_progress_deleted(rows):
    # A progress row gone makes its prompt new again, below where the session looks.
    Progress.objects.filter(card=rows["basic"]).delete()
    return "[new_from]", f"card {rows['basic'].pk} has a prompt never studied"


PLANTS = [
    plant_progress_topic,
    plant_progress_suspended,
    plant_prompt_count,
    plant_kind_changed_by_update,
    plant_review_day_count,
    plant_review_deleted,
    plant_review_card,
    plant_new_from_past_a_new_card,
    plant_progress_deleted,
]


@pytest.mark.django_db
@pytest.mark.parametrize("plant", PLANTS, ids=lambda plant: plant.__name__[6:])
def test_each_drift_is_reported_and_fixed(studied, plant):
    assert check_data()[0] == 0
    subject, words = plant(studied)

    status, output = check_data()
    assert status == 1, output
    assert subject in output and words in output, output
    assert "run check_data --fix to repair them" in output

    status, output = check_data("--fix")
    assert status == 0, output
    assert subject in output and "Fixed " in output, output
    assert check_data() == (0, "Every copy agrees with its source.\n")


@pytest.mark.django_db
def test_the_fix_writes_the_values_the_app_would_have(studied, user):
    rows = studied
    plant_kind_changed_by_update(rows)
    plant_progress_topic(rows)
    plant_review_deleted(rows)
    StudySession.objects.filter(pk=rows["session"].pk).update(new_from=10**6)

    assert check_data("--fix")[0] == 0

    later = Card.objects.get(pk=rows["later"].pk)
    assert later.prompt_count == 3
    assert list(later.prompts.values_list("ordinal", flat=True)) == [1, 2, 3]
    assert set(Progress.objects.filter(card=rows["basic"]).values_list("topic_id", flat=True)) == {
        rows["basic"].topic_id
    }
    assert sum(ReviewDay.objects.filter(user=user).values_list("reviews", flat=True)) == 4
    # The session's search for new cards starts at the first card with a new
    # prompt (the one that became a cloze), and finds it.
    session = StudySession.objects.get(pk=rows["session"].pk)
    assert session.new_from == later.pk
    shown = services.next_prompt_for(session=session, now=timezone.now(), zone=UTC, new_per_day=20)
    assert shown.prompt == Prompt.objects.get(card=later, ordinal=1)
