from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from interviews.models import Interview, Stage, Status
from tests.factories import make_interview, make_topic

pytestmark = pytest.mark.django_db


def interview_data(**overrides):
    data = {
        "company": "Acme Data",
        "role": "ML engineer",
        "scheduled_at": "2031-03-14T15:30",
        "timezone": "America/New_York",
        "duration_minutes": 45,
        "stage": Stage.TECHNICAL,
        "status": Status.UPCOMING,
        "links": "https://acme.example/jobs/42\nhttps://meet.example/abc",
        "notes": "Ask about the feature store.",
    }
    data.update(overrides)
    return data


def test_add_an_interview_in_its_own_time_zone(client_in, user):
    topic = make_topic(owner=user, name="Spark")
    response = client_in.post(reverse("interviews:create"), interview_data(topics=[topic.pk]))
    interview = Interview.objects.get(user=user)
    assert response.status_code == 302
    assert response.url == interview.get_absolute_url()
    # 15:30 in New York in March 2031 (daylight saving) is 19:30 UTC.
    assert interview.scheduled_at == datetime(2031, 3, 14, 19, 30, tzinfo=ZoneInfo("UTC"))
    assert interview.link_list() == ["https://acme.example/jobs/42", "https://meet.example/abc"]
    assert list(interview.topics.all()) == [topic]


def test_edit_form_shows_the_time_where_the_interview_is(client_in, user):
    client_in.post(reverse("interviews:create"), interview_data())
    interview = Interview.objects.get(user=user)
    body = client_in.get(reverse("interviews:edit", args=[interview.pk])).content.decode()
    assert 'value="2031-03-14T15:30"' in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"scheduled_at": "next tuesday"}, "Enter a date and time"),
        ({"scheduled_at": "2031-02-30T10:00"}, "Enter a date and time"),
        ({"company": ""}, "This field is required"),
        ({"timezone": "Moon/Base"}, "Choose a time zone from the list"),
        ({"timezone": "Etc/GMT+5"}, "Choose a time zone from the list"),
        ({"timezone": "localtime"}, "Choose a time zone from the list"),
        ({"links": "ftp://old.example/file"}, "is not a web address"),
        ({"links": "javascript:alert(1)"}, "is not a web address"),
        ({"duration_minutes": 0}, "greater than or equal to 5"),
        ({"stage": "lunch"}, "Select a valid choice"),
    ],
)
def test_bad_interviews_are_explained_and_not_saved(client_in, overrides, message):
    response = client_in.post(reverse("interviews:create"), interview_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Interview.objects.exists()


def test_list_shows_next_first_and_past_apart(client_in, user):
    now = timezone.now()
    later = make_interview(user, company="Later Inc", scheduled_at=now + timedelta(days=9))
    sooner = make_interview(user, company="Sooner Ltd", scheduled_at=now + timedelta(days=2))
    make_interview(user, company="Old Co", scheduled_at=now - timedelta(days=3))
    make_interview(
        user, company="Withdrawn Co", scheduled_at=now + timedelta(days=1), status=Status.WITHDRAWN
    )
    body = client_in.get(reverse("interviews:list")).content.decode()
    upcoming, past = body.split('data-testid="past"')
    assert upcoming.index(sooner.company) < upcoming.index(later.company)
    assert "Old Co" in past and "Withdrawn Co" in past
    assert "Old Co" not in upcoming


def test_empty_list_invites_to_plan_one(client_in):
    body = client_in.get(reverse("interviews:list")).content.decode()
    assert "No interview coming up" in body


def test_home_shows_the_next_interview_and_days_left(client_in, user):
    make_interview(user, company="Soon Corp", scheduled_at=timezone.now() + timedelta(days=3))
    body = client_in.get("/").content.decode()
    assert "Soon Corp" in body
    assert "in <strong>3 days</strong>" in body


def test_calendar_file_parses_back(client_in, user):
    start = datetime(2031, 5, 2, 9, 0, tzinfo=ZoneInfo("UTC"))
    interview = make_interview(
        user,
        company="Cal Co",
        role="Data engineer",
        scheduled_at=start,
        duration_minutes=90,
        links="https://cal.example/job",
        notes="Bring questions",
    )
    response = client_in.get(reverse("interviews:calendar", args=[interview.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Interview: Cal Co, Data engineer"
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=90)
    assert "Bring questions" in str(event["description"])
    assert str(event["url"]) == "https://cal.example/job"


def test_edit_and_delete(client_in, user):
    interview = make_interview(user)
    response = client_in.post(
        reverse("interviews:edit", args=[interview.pk]),
        interview_data(company="Renamed", status=Status.PASSED),
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert (interview.company, interview.status) == ("Renamed", Status.PASSED)
    client_in.post(reverse("interviews:delete", args=[interview.pk]))
    assert not Interview.objects.exists()


def test_another_users_interview_is_a_404_everywhere(client_in, other_user):
    foreign = make_interview(other_user)
    for name in ("detail", "edit", "delete", "calendar", "checklist_print", "checklist_markdown"):
        url = reverse(f"interviews:{name}", args=[foreign.pk])
        assert client_in.get(url).status_code == 404, name
    for name in ("edit", "delete", "checklist_add", "checklist_new", "checklist_reorder"):
        url = reverse(f"interviews:{name}", args=[foreign.pk])
        assert client_in.post(url, interview_data()).status_code == 404, name
    assert Interview.objects.filter(pk=foreign.pk, company=foreign.company).exists()


def test_new_interview_form_starts_in_the_persons_zone_with_common_zones_first(client_in, user):
    from accounts.models import Profile

    Profile.objects.filter(user=user).update(timezone="Asia/Kolkata")
    page = client_in.get(reverse("interviews:create")).content.decode()
    start = page.index('name="timezone"')
    select = page[start : page.index("</select>", start)]
    assert select.count("selected") == 1
    assert '<option value="Asia/Kolkata" selected>Asia/Kolkata</option>' in select
    common = select[select.index('<optgroup label="Common">') : select.index("</optgroup>")]
    assert common.count("<option") == 16
    assert '<option value="America/New_York">America/New York</option>' in common
    everything = select[select.index('<optgroup label="All zones">') :]
    names = [part.split('"')[0] for part in everything.split('value="')[1:]]
    assert names == sorted(names) and len(names) > 300
    assert "UTC" in names and "Europe/Kyiv" in names
    for odd in ("localtime", "Factory", "posixrules", "Etc/GMT+5", "EST5EDT", "US/Eastern"):
        assert odd not in names, odd


def test_an_interview_stored_in_a_zone_no_longer_offered_keeps_it(client_in, user):
    interview = make_interview(user, timezone="Etc/GMT+5")
    page = client_in.get(reverse("interviews:edit", args=[interview.pk])).content.decode()
    assert '<option value="Etc/GMT+5" selected>' in page
    response = client_in.post(
        reverse("interviews:edit", args=[interview.pk]), interview_data(timezone="Etc/GMT+5")
    )
    assert response.status_code == 302


def test_a_past_interview_still_marked_upcoming_shows_it_took_place(client_in, user):
    past = make_interview(user, company="Pastco", scheduled_at=timezone.now() - timedelta(days=2))
    ahead = make_interview(user, company="Nextco")
    listed = client_in.get(reverse("interviews:list")).content.decode()
    coming, gone = listed.split('data-testid="past"', 1)
    assert "Nextco" in coming and "Pastco" not in coming
    row = gone[gone.index("Pastco") :]
    assert row[row.index('data-testid="status">') :].startswith('data-testid="status">Took place<')
    assert "Upcoming<" not in gone
    page = client_in.get(past.get_absolute_url()).content.decode()
    assert 'data-testid="status">Took place<' in page and "Upcoming<" not in page
    assert "Record how it went" in page
    # The stored status is the person's to change: reading left it alone.
    past.refresh_from_db()
    assert past.status == Status.UPCOMING
    page = client_in.get(ahead.get_absolute_url()).content.decode()
    assert 'data-testid="status">Upcoming<' in page and "Record how it went" not in page
    # Once they record the outcome, that is what shows.
    past.status = Status.PASSED
    past.save()
    page = client_in.get(past.get_absolute_url()).content.decode()
    assert 'data-testid="status">Passed<' in page
