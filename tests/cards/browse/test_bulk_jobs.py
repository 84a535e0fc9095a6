"""Bulk actions on more than 1,000 cards run on a worker (django-q2, run at
once in the test settings when the job commits): the person is sent to the
job's page, which ends with the action's message and its Undo button. Fewer
cards stay a direct action."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from cards import integrity
from cards.browse import jobs
from cards.models import BulkJob, Card, Progress, Topic, UndoRecord
from tests.factories import make_collection, make_topic

pytestmark = pytest.mark.django_db(transaction=True)

BULK = reverse("cards:card_bulk")
UNDO = reverse("cards:card_bulk_undo")
MANY = jobs.BACKGROUND_ABOVE + 5


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def many(user) -> Topic:
    return make_collection(user, MANY)


def test_a_move_of_many_cards_runs_as_a_job_and_ends_with_its_message_and_undo(
    client_in, user, many
):
    streams = make_topic(owner=user, name="Streams")
    data = {"action": "move", "all": "1", "q": "", "topic": streams.pk}
    response = client_in.post(BULK, data)
    job = BulkJob.objects.get(user=user)
    assert response.status_code == 302
    assert response["Location"] == reverse("cards:card_bulk_job", args=[job.pk])
    assert job.status == BulkJob.Status.DONE
    assert Card.objects.filter(topic=streams).count() == MANY
    assert set(Progress.objects.filter(user=user).values_list("topic_id", flat=True)) == {
        streams.pk
    }
    assert integrity.find_progress_copies() == []

    page = client_in.get(response["Location"])
    html = page.content.decode()
    assert f"Moved {MANY:,} cards to Streams." in html
    assert 'data-status="done"' in html and "100%" in html
    assert f'name="undo" value="{UndoRecord.objects.get(user=user).pk}"' in html
    assert 'hx-trigger="every' not in html  # no more polling once done

    response = client_in.post(UNDO, {"undo": job.undo_id})
    assert said(response) == [f"Undone: {MANY:,} cards back in their topics."]
    assert Card.objects.filter(topic=many).count() == MANY
    job.refresh_from_db()
    assert job.undo_id is None
    assert 'name="undo"' not in client_in.get(job.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "action, data, message",
    [
        ("add_tags", {"tags": "big, bulk"}, f"Added big, bulk to {MANY:,} cards."),
        ("suspend", {}, f"Suspended {MANY:,} cards."),
    ],
)
def test_tags_and_suspension_of_many_cards_run_as_jobs(
    client_in, user, many, action, data, message
):
    response = client_in.post(BULK, {"action": action, "all": "1", "q": "", **data})
    job = BulkJob.objects.get(user=user)
    assert job.status == BulkJob.Status.DONE and job.message == message
    assert message in client_in.get(response["Location"]).content.decode()


def test_the_job_page_polls_while_under_way_and_shows_the_stage(client_in, user):
    job = BulkJob.objects.create(
        user=user,
        action="suspend",
        params={"text": "tag:big", "topic": None, "tags": []},
        status=BulkJob.Status.RUNNING,
        done=1,
        total=3,
        stage="Reading and changing 5,000 cards",
    )
    html = client_in.get(job.get_absolute_url()).content.decode()
    assert "Reading and changing 5,000 cards…" in html
    assert 'hx-trigger="every 1s"' in html
    assert 'aria-valuenow="33"' in html
    fragment = client_in.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="bulk-job-status"')


def test_a_second_job_while_one_is_under_way_is_refused(client_in, user, many):
    BulkJob.objects.create(user=user, action="suspend", status=BulkJob.Status.RUNNING)
    response = client_in.post(BULK, {"action": "suspend", "all": "1", "q": ""})
    assert response["Location"] == reverse("cards:card_browser")
    assert said(response) == [jobs.UNDER_WAY]
    assert BulkJob.objects.filter(user=user).count() == 1
    assert not Card.objects.filter(owner=user, suspended=True).exists()


def test_a_job_that_is_refused_says_why_and_changes_nothing(client_in, user, many):
    response = client_in.post(BULK, {"action": "remove_tags", "all": "1", "q": "", "tags": "x"})
    job = BulkJob.objects.get(user=user)
    assert job.status == BulkJob.Status.DONE
    html = client_in.get(response["Location"]).content.decode()
    assert "Those cards never had x." in html
    assert 'name="undo"' not in html


def test_another_persons_job_page_is_not_found(client, user, other_user):
    job = BulkJob.objects.create(user=user, action="suspend", status=BulkJob.Status.DONE)
    client.force_login(other_user)
    assert client.get(job.get_absolute_url()).status_code == 404


def test_up_to_1000_cards_stay_a_direct_action(client_in, user):
    make_collection(user, jobs.BACKGROUND_ABOVE)
    response = client_in.post(BULK, {"action": "suspend", "all": "1", "q": ""})
    assert response["Location"] == reverse("cards:card_browser")
    assert said(response) == [f"Suspended {jobs.BACKGROUND_ABOVE:,} cards."]
    assert not BulkJob.objects.exists()
