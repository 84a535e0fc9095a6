"""An interview's calendar file: one event that a calendar can update, known by
an id that does not change with the address or a restore; and the interview's
time, read in its own zone whatever the person's zone."""

import json
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.backup import BackupRejected, backup_document, restore_backup
from accounts.models import Profile
from interviews.models import Interview, Stage, Status
from tests.factories import make_interview, make_user
from tests.migrating import models_at

pytestmark = pytest.mark.django_db

START = datetime(2031, 5, 2, 9, 0, tzinfo=UTC)


def event_of(client, interview, **headers) -> icalendar.Event:
    response = client.get(reverse("interviews:calendar", args=[interview.pk]), **headers)
    assert response.status_code == 200
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    return event


def form_data(interview, **overrides) -> dict:
    data = {
        "company": interview.company,
        "role": interview.role,
        "scheduled_at": "2031-05-02T09:00",
        "timezone": "UTC",
        "duration_minutes": interview.duration_minutes,
        "stage": interview.stage,
        "status": interview.status,
        "links": interview.links,
        "notes": interview.notes,
    }
    return data | overrides


def backdate(interview, days=3) -> datetime:
    """Made some days ago (the file's times are to the second)."""
    earlier = (timezone.now() - timedelta(days=days)).replace(microsecond=0)
    Interview.objects.filter(pk=interview.pk).update(created_at=earlier)
    return earlier


# The event's id ---------------------------------------------------------------------------


def test_the_uid_is_the_same_from_any_address(client_in, user):
    interview = make_interview(user, scheduled_at=START)
    here = event_of(client_in, interview, HTTP_HOST="localhost")
    there = event_of(client_in, interview, HTTP_HOST="127.0.0.1:8000")
    assert str(here["uid"]) == str(there["uid"]) == str(interview.ical_uid)
    assert "localhost" not in str(here["uid"]) and "@" not in str(here["uid"])


def test_two_interviews_have_two_uids(client_in, user):
    first = make_interview(user, scheduled_at=START)
    second = make_interview(user, scheduled_at=START + timedelta(days=1))
    assert str(event_of(client_in, first)["uid"]) != str(event_of(client_in, second)["uid"])


def test_the_uid_and_sequence_survive_a_backup_and_restore(client, client_in, user):
    interview = make_interview(user, scheduled_at=START, notes="First")
    client_in.post(
        reverse("interviews:edit", args=[interview.pk]), form_data(interview, notes="Second")
    )
    before = event_of(client_in, interview)
    assert before["sequence"] == 1
    download = client_in.get(reverse("accounts:backup_download"))
    content = b"".join(download.streaming_content)

    newcomer = make_user("newcomer")
    client.force_login(newcomer)
    response = client.post(
        reverse("accounts:backup_restore"),
        {"file": SimpleUploadedFile("backup.json", content, content_type="application/json")},
    )
    assert response.status_code == 302
    restored = Interview.objects.get(user=newcomer)
    assert restored.pk != interview.pk
    after = event_of(client, restored, HTTP_HOST="localhost")
    assert str(after["uid"]) == str(before["uid"])
    assert after["sequence"] == 1
    assert after.decoded("last-modified") == before.decoded("last-modified")


def test_a_merge_keeps_the_accounts_uid_and_raises_the_sequence(user):
    interview = make_interview(user, scheduled_at=START, notes="Old notes")
    document = json.loads(json.dumps(backup_document(user=user, now=START)))
    (row,) = document["interviews"]
    # The same interview, edited elsewhere later: another id, newer notes.
    row |= {
        "ical_uid": "0b5c1c3e-5d1f-4f7e-9a43-6a1f1f1f1f1f",
        "ical_sequence": 2,
        "notes": "New notes",
        "updated_at": "2199-01-01T00:00:00.000000Z",
    }
    restore_backup(user=user, data=document, merge=True)
    merged = Interview.objects.get(user=user)
    assert merged.notes == "New notes"
    assert merged.ical_uid == interview.ical_uid
    assert merged.ical_sequence == 3


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not-an-id", "interviews[1].ical_uid: “not-an-id” is not a valid UUID."),
        ("same", "interviews[1].ical_uid: is used by two interviews"),
    ],
)
def test_a_bad_calendar_id_in_a_backup_is_named(user, value, message):
    make_interview(user, scheduled_at=START)
    make_interview(user, scheduled_at=START + timedelta(days=1))
    document = json.loads(json.dumps(backup_document(user=user, now=START)))
    first, second = document["interviews"]
    second["ical_uid"] = first["ical_uid"] if value == "same" else value
    target = make_user("target")
    with pytest.raises(BackupRejected) as error:
        restore_backup(user=target, data=document, merge=False)
    assert message in str(error.value)
    assert not Interview.objects.filter(user=target).exists()


def test_a_restored_id_the_person_already_uses_is_replaced(user):
    """A backup of an interview since moved restores beside it, with an id of its own."""
    interview = make_interview(user, scheduled_at=START)
    document = json.loads(json.dumps(backup_document(user=user, now=START)))
    Interview.objects.filter(pk=interview.pk).update(scheduled_at=START + timedelta(hours=2))
    restore_backup(user=user, data=document, merge=True)
    ids = list(Interview.objects.filter(user=user).values_list("ical_uid", flat=True))
    assert len(ids) == len(set(ids)) == 2


# Changes: SEQUENCE and LAST-MODIFIED ------------------------------------------------------


def test_a_new_interview_is_at_sequence_0_stamped_when_made(client_in, user):
    interview = make_interview(user, scheduled_at=START)
    made = backdate(interview)
    event = event_of(client_in, interview)
    assert event["sequence"] == 0
    assert event.decoded("created") == event.decoded("last-modified") == made
    assert event.decoded("dtstamp") == made
    # The same interview gives the same file.
    url = reverse("interviews:calendar", args=[interview.pk])
    assert client_in.get(url).content == client_in.get(url).content


@pytest.mark.parametrize(
    "change",
    [
        {"scheduled_at": "2031-05-02T10:00"},
        {"timezone": "Europe/Paris"},
        {"company": "Renamed"},
        {"role": "Staff engineer"},
        {"duration_minutes": 90},
        {"stage": Stage.ONSITE},
        {"links": "https://meet.example/new"},
        {"notes": "Room 4 on the third floor"},
    ],
)
def test_an_edit_raises_the_sequence_and_dates_the_change(client_in, user, change):
    interview = make_interview(user, scheduled_at=START, timezone="UTC")
    made = backdate(interview)
    before = event_of(client_in, interview)

    response = client_in.post(
        reverse("interviews:edit", args=[interview.pk]), form_data(interview, **change)
    )
    assert response.status_code == 302

    after = event_of(client_in, interview)
    assert (before["sequence"], after["sequence"]) == (0, 1)
    assert after.decoded("last-modified") > made == before.decoded("last-modified")
    assert after.decoded("dtstamp") == after.decoded("last-modified")
    assert after.decoded("created") == made
    assert str(after["uid"]) == str(before["uid"])

    client_in.post(
        reverse("interviews:edit", args=[interview.pk]),
        form_data(interview, **(change | {"notes": "Again"})),
    )
    assert event_of(client_in, interview)["sequence"] == 2


def test_saving_without_a_change_to_the_event_leaves_the_sequence(client_in, user):
    interview = make_interview(user, scheduled_at=START, timezone="UTC")
    made = backdate(interview)
    edit = reverse("interviews:edit", args=[interview.pk])
    client_in.post(edit, form_data(interview))
    client_in.post(edit, form_data(interview, status=Status.PASSED))  # not in the file
    event = event_of(client_in, interview)
    assert event["sequence"] == 0
    assert event.decoded("last-modified") == made


# The time, in the interview's zone ---------------------------------------------------------


@pytest.fixture
def in_paris(user, client_in):
    Profile.objects.filter(user=user).update(timezone="Europe/Paris")
    return client_in


def new_interview(client, when: str, zone: str):
    return client.post(
        reverse("interviews:create"),
        {
            "company": "Zone Co",
            "role": "Data engineer",
            "scheduled_at": when,
            "timezone": zone,
            "duration_minutes": 60,
            "stage": Stage.TECHNICAL,
            "status": Status.UPCOMING,
            "links": "",
            "notes": "",
        },
    )


def test_a_time_the_persons_zone_skips_is_taken_in_the_interviews_zone(in_paris, user):
    # Paris skips 02:00 to 03:00 on 30 March 2031; New York has 02:30 that day (EDT).
    response = new_interview(in_paris, "2031-03-30T02:30", "America/New_York")
    assert response.status_code == 302
    interview = Interview.objects.get(user=user)
    assert interview.scheduled_at == datetime(2031, 3, 30, 6, 30, tzinfo=UTC)
    assert event_of(in_paris, interview).decoded("dtstart") == interview.scheduled_at


def test_a_time_the_interviews_zone_skips_is_refused_with_the_gap(in_paris, user):
    # New York skips 02:00 to 03:00 on 9 March 2031; Paris has 02:30 that day.
    response = new_interview(in_paris, "2031-03-09T02:30", "America/New_York")
    assert response.status_code == 200
    assert (
        "Sun 9 Mar 2031, 02:30 does not exist in America/New_York: the clocks go forward "
        "from 02:00 to 03:00 then. Choose a time before 02:00 or from 03:00."
    ) in response.content.decode()
    assert not Interview.objects.exists()


def test_a_time_the_interviews_zone_shows_twice_is_the_first(in_paris, user):
    # New York shows 01:00 to 02:00 twice on 2 November 2031: EDT, then EST.
    response = new_interview(in_paris, "2031-11-02T01:30", "America/New_York")
    assert response.status_code == 302
    interview = Interview.objects.get(user=user)
    assert interview.scheduled_at == datetime(2031, 11, 2, 5, 30, tzinfo=UTC)


def test_saving_an_interview_at_the_second_of_a_repeated_time_keeps_it(in_paris, user):
    second = datetime(2031, 11, 2, 6, 30, tzinfo=UTC)  # 01:30 EST, the second 01:30
    interview = make_interview(user, scheduled_at=second, timezone="America/New_York")
    page = in_paris.get(reverse("interviews:edit", args=[interview.pk])).content.decode()
    assert 'value="2031-11-02T01:30"' in page
    response = in_paris.post(
        reverse("interviews:edit", args=[interview.pk]),
        form_data(interview, scheduled_at="2031-11-02T01:30", timezone="America/New_York"),
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.scheduled_at == second
    assert interview.ical_sequence == 0


def test_a_time_with_seconds_from_the_browser_is_read(client_in, user):
    response = new_interview(client_in, "2031-05-02T09:00:00", "UTC")
    assert response.status_code == 302
    assert Interview.objects.get(user=user).scheduled_at == START


# The migration ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_each_kept_interview_an_id_of_its_own():
    with models_at(("interviews", "0004_answer_audio")) as apps:
        person = apps.get_model("auth", "User").objects.create(username="kept", password="!")
        for n in range(3):
            apps.get_model("interviews", "Interview").objects.create(
                user=person, company=f"Co {n}", role="Engineer", scheduled_at=START
            )
    kept = Interview.objects.filter(user__username="kept")
    ids = list(kept.values_list("ical_uid", flat=True))
    assert len(ids) == len(set(ids)) == 3 and None not in ids
    assert set(kept.values_list("ical_sequence", flat=True)) == {0}
