"""Backups written by older versions of prep restore, each missing what its
format did not hold yet."""

import json

import pytest

from accounts.backup import BackupRejected, backup_bytes, backup_document, restore_backup
from accounts.backup.profile import NEW_CARD_ORDER
from accounts.models import Profile
from cards.browse.hide import unhide_cards
from cards.models import Card, HiddenCard, Quiz, ReviewLog, SavedSearch, SchedulerSettings
from cards.progress import dashboard
from interviews.models import Interview, InterviewerQuestion, MockAnswer, OwnModelAnswer
from tests.accounts.backups import NOW, in_format, restore_file, snapshot, total_rows
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_version_6_backup_restores_without_saved_searches(full_user):
    document = in_format(backup_document(user=full_user, now=NOW), 6)
    target = make_user("target")

    restore_backup(user=target, data=document, merge=False)

    assert not SavedSearch.objects.filter(user=target).exists()
    assert set(Quiz.objects.filter(user=target).values_list("search_text", flat=True)) == {""}


def test_saved_searches_come_back_and_a_merge_keeps_those_of_the_same_name(full_user):
    document = backup_document(user=full_user, now=NOW)
    target = make_user("target")
    SavedSearch.objects.create(user=target, name="KAFKA DUE", text="kept as it is")

    restore_backup(user=target, data=document, merge=True)

    saved = dict(SavedSearch.objects.filter(user=target).values_list("name", "text"))
    assert saved == {"KAFKA DUE": "kept as it is", "Starter – “quoted”": 'starter "a phrase"'}


def test_a_version_1_backup_without_days_restores_with_days_in_the_persons_zone(full_user):
    document = in_format(backup_document(user=full_user, now=NOW), 1)
    target = make_user("from-version-1")
    Profile.objects.filter(user=target).update(timezone="Asia/Tokyo")
    restore_backup(user=target, data=document, merge=False)
    logs = list(ReviewLog.objects.filter(user=target))
    assert len(logs) == len(document["reviews"]) > 0
    tokyo = Profile.for_user(target).zone
    assert all(log.day == log.reviewed_at.astimezone(tokyo).date() for log in logs)
    assert sum(dashboard.review_days(user=target).values()) == len(logs)


def test_a_review_day_that_is_not_a_date_is_refused_and_nothing_is_written(full_user):
    document = json.loads(json.dumps(backup_document(user=full_user, now=NOW)))
    document["reviews"][0]["day"] = "the 25th"
    target = make_user("bad-day")
    before = total_rows()
    with pytest.raises(BackupRejected) as error:
        restore_backup(user=target, data=document, merge=False)
    assert "reviews[0].day: must be a date such as 2026-11-25" in str(error.value)
    assert total_rows() == before


def test_a_version_2_backup_restores_the_default_order_and_schedule(full_user):
    document = in_format(backup_document(user=full_user, now=NOW), 2)
    assert "scheduler" not in document and "new_card_order" not in document["settings"]
    target = make_user("from-version-2")
    # Chosen before the restore, into an account with nothing else: the file decides.
    Profile.objects.filter(user=target).update(new_card_order="random")
    SchedulerSettings.objects.create(user=target, desired_retention=0.8)

    restore_backup(user=target, data=document, merge=False)

    profile = Profile.objects.get(user=target)
    assert (profile.new_cards_per_day, profile.timezone) == (35, "Europe/Berlin")
    assert [getattr(profile, name) for name in NEW_CARD_ORDER] == [
        "interleaved",
        "own_first",
        "added",
    ]
    assert not SchedulerSettings.objects.filter(user=target).exists()  # FSRS's defaults
    assert list(
        InterviewerQuestion.objects.filter(owner=target).values_list(
            "key_point_synonyms", flat=True
        )
    ) == [[]]
    assert set(
        MockAnswer.objects.filter(session__user=target).values_list("suggested", flat=True)
    ) == {None}
    # Nor had format 2 the coaching of format 4: the original without it is the same.
    InterviewerQuestion.objects.filter(owner=full_user).update(
        key_point_synonyms=[], model_answer=""
    )
    MockAnswer.objects.filter(session__user=full_user).update(suggested=None)
    OwnModelAnswer.objects.filter(user=full_user).delete()
    # Nor the saved searches of format 7.
    Quiz.objects.filter(user=full_user).update(search_text="")
    SavedSearch.objects.filter(user=full_user).delete()
    # Nor the calendar ids of format 5: each interview got a new one.
    for interview in Interview.objects.filter(user=full_user):
        restored = Interview.objects.get(user=target, company=interview.company)
        assert restored.ical_uid != interview.ical_uid
        Interview.objects.filter(pk=restored.pk).update(ical_uid=interview.ical_uid)
    Card.objects.filter(owner=full_user).update(text_format=Card.TextFormat.MARKDOWN)
    # Nor the hidden starter cards of format 7: shown again, as they were.
    unhide_cards(list(HiddenCard.objects.values_list("card_id", flat=True)), user=full_user)
    assert snapshot(target) | {"profile": None, "scheduler": None} == snapshot(full_user) | {
        "profile": None,
        "scheduler": None,
    }


def test_a_version_4_backup_restores_every_card_as_markdown(full_user):
    document = in_format(backup_document(user=full_user, now=NOW), 4)
    target = make_user("from-version-4")
    restore_backup(user=target, data=document, merge=False)
    formats = Card.objects.filter(owner=target).values_list("text_format", flat=True)
    assert set(formats) == {Card.TextFormat.MARKDOWN}
    assert Card.objects.filter(owner=full_user, text_format=Card.TextFormat.HTML).count() == 1


def test_an_html_card_comes_back_html(full_user):
    target = make_user("html-target")
    restore_backup(user=target, data=backup_document(user=full_user, now=NOW), merge=False)
    card = Card.objects.get(owner=target, kind="reversed")
    assert (card.text_format, card.front) == ("html", "<b>Front</b> a*b*c")


def test_a_version_2_backup_may_not_hold_a_schedule(full_user):
    document = backup_document(user=full_user, now=NOW)
    document["version"] = 2
    with pytest.raises(BackupRejected, match="settings.new_card_spread: is not a field"):
        restore_backup(user=make_user("x"), data=document, merge=False)
    document = in_format(document, 2) | {"scheduler": None}
    with pytest.raises(BackupRejected, match=r"scheduler: is not a part .*\(format 2\)"):
        restore_backup(user=make_user("y"), data=document, merge=False)


def test_a_person_who_never_set_a_schedule_restores_without_one(user):
    Profile.objects.filter(user=user).update(new_card_source="mixed")
    document = backup_document(user=user, now=NOW)
    assert document["scheduler"] is None
    target = make_user("target")
    restore_file(target, backup_bytes(document))
    assert not SchedulerSettings.objects.filter(user=target).exists()
    assert Profile.objects.get(user=target).new_card_source == "mixed"


def test_a_merge_keeps_the_accounts_schedule_and_fills_in_a_missing_one(full_user, other_user):
    document = backup_document(user=full_user, now=NOW)
    restore_backup(user=other_user, data=document, merge=True)
    assert snapshot(other_user)["scheduler"] == snapshot(full_user)["scheduler"]

    SchedulerSettings.objects.filter(user=other_user).update(
        desired_retention=0.95, parameters=None, metrics={}
    )
    restore_backup(user=other_user, data=document, merge=True)
    theirs = SchedulerSettings.objects.get(user=other_user)
    assert (theirs.desired_retention, theirs.parameters, theirs.metrics) == (0.95, None, {})
