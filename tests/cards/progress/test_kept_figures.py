"""The figures kept per person in the shared cache (prep_site/figures.py) are
right after every write that changes them: each test reads the page first, so
its figures are kept, writes the way a person (or a worker, or the admin) does,
and reads the page again."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.backup import backup_document
from accounts.backup.export import backup_bytes
from cards.models import Card, ImportJob, Rating, ReviewLog
from tests.accounts.test_auth import ORDER
from tests.cards.imports.test_views import confirm_url, uploaded_job
from tests.cards.test_denormalized import dashboard, grade, home_figures, start_session
from tests.factories import make_card, make_interview, make_topic
from tests.interviews.test_interviews import interview_data

pytestmark = pytest.mark.django_db

CSV = "front,back,topic,tags\nWhat is a partition?,An ordered log,Distributed systems,kafka\n"


def guided(client) -> bool:
    """Whether home shows a new person's first steps instead of the figures."""
    body = client.get("/").content.decode()
    return 'data-testid="guide"' in body and 'data-testid="home-streak"' not in body


def new_on_dashboard(client) -> tuple[int, int]:
    """(new today, never studied) as the dashboard shows them."""
    body = client.get(reverse("cards:progress")).content.decode()
    found = re.search(
        r'data-testid="new-today">(\d+)</div>\s*<div[^>]*>new today<br>'
        r"<span[^>]*>(\d+) never studied",
        body,
    )
    return int(found.group(1)), int(found.group(2))


def cards_on_home(client, topic) -> int:
    """The card count the home page shows under the topic's name."""
    body = client.get(reverse("home")).content.decode()
    found = re.search(re.escape(topic.name) + r".*?(\d+) cards?", body, flags=re.DOTALL)
    return int(found.group(1))


def test_reading_twice_shows_the_same_figures_from_the_cache(client_in, user, topic):
    make_card(topic, user)
    assert cards_on_home(client_in, topic) == 1
    assert dashboard(client_in)["topics"][topic.name]["prompts"] == 1
    # A row written behind the app's back (no request of the person's): the
    # kept figures stand until the person writes.
    make_card(topic, user)
    assert cards_on_home(client_in, topic) == 1
    assert dashboard(client_in)["topics"][topic.name]["prompts"] == 1


def test_a_new_card_counts_at_once(client_in, user, topic):
    make_card(topic, user)
    assert cards_on_home(client_in, topic) == 1
    assert new_on_dashboard(client_in) == (1, 1)
    data = {"topic": topic.pk, "kind": "basic", "front": "Paxos?", "back": "Consensus", "tags": ""}
    assert client_in.post(reverse("cards:card_create"), data).status_code == 302
    assert cards_on_home(client_in, topic) == 2
    assert new_on_dashboard(client_in) == (2, 2)


def test_a_card_moved_or_deleted_counts_at_once(client_in, user, topic):
    card = make_card(topic, user, front="Raft?")
    other = make_topic(owner=user, name="Databases")
    assert (cards_on_home(client_in, topic), cards_on_home(client_in, other)) == (1, 0)
    data = {
        "topic": other.pk,
        "kind": "basic",
        "front": "Raft terms?",
        "back": "Epochs",
        "tags": "",
    }
    assert client_in.post(reverse("cards:card_edit", args=[card.pk]), data).status_code == 302
    assert (cards_on_home(client_in, topic), cards_on_home(client_in, other)) == (0, 1)
    assert client_in.post(reverse("cards:card_delete", args=[card.pk])).status_code == 302
    assert cards_on_home(client_in, other) == 0
    assert dashboard(client_in)["topics"]["Databases"]["prompts"] == 0


def test_a_grade_and_its_undo_count_at_once(client_in, user, topic):
    card = make_card(topic, user)
    session = start_session(client_in, topic)
    assert dashboard(client_in)["reviews_today"] == 0
    assert guided(client_in)  # nothing studied yet: home shows the first steps
    grade(client_in, session, card.prompts.get(), Rating.GOOD)
    figures = dashboard(client_in)
    assert figures["reviews_today"] == 1 and figures["topics"][topic.name]["studied"] == 1
    assert home_figures(client_in)["streak"] == 1
    review = ReviewLog.objects.get(user=user)
    response = client_in.post(reverse("cards:study_undo", args=[session.pk]), {"review": review.pk})
    assert response.status_code in (200, 302)
    figures = dashboard(client_in)
    assert figures["reviews_today"] == 0 and figures["topics"][topic.name]["studied"] == 0
    assert guided(client_in)  # studied nothing again


def test_suspending_a_card_counts_at_once(client_in, user, topic):
    card = make_card(topic, user)
    assert dashboard(client_in)["topics"][topic.name]["prompts"] == 1
    assert client_in.post(reverse("cards:card_suspend", args=[card.pk])).status_code == 302
    assert dashboard(client_in)["topics"][topic.name]["prompts"] == 0


def test_a_new_daily_limit_shows_at_once(client_in, user, topic):
    for n in range(8):
        make_card(topic, user, front=f"Question {n}?")
    assert new_on_dashboard(client_in) == (8, 8)  # the default limit is 20
    data = {"new_cards_per_day": 5, "timezone": "UTC", **ORDER}
    assert client_in.post(reverse("accounts:settings"), data).status_code == 302
    assert new_on_dashboard(client_in) == (5, 8)


def test_an_import_counts_once_its_worker_has_written_the_cards(client_in, user, topic):
    job = uploaded_job(client_in, CSV)
    with TestCase.captureOnCommitCallbacks() as worker_tasks:
        response = client_in.post(confirm_url(job), {"on_duplicate": "skip"})
    assert response.status_code == 302
    # The page read while the worker has not written yet: nothing new.
    assert cards_on_home(client_in, topic) == 0
    for task in worker_tasks:
        task()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert cards_on_home(client_in, topic) == 1


def test_a_restore_counts_at_once(client_in, user, topic):
    make_card(topic, user, front="Kept in the backup?")
    backup = backup_bytes(backup_document(user=user, now=timezone.now()))
    Card.objects.filter(owner=user).delete()
    assert cards_on_home(client_in, topic) == 0
    upload = {"file": _json_file(backup), "merge": "on"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_in.post(reverse("accounts:backup_restore"), upload)
    assert response.status_code == 302
    assert cards_on_home(client_in, topic) == 1


def test_the_admin_changing_the_starter_library_counts_for_everyone(client_in, user):
    starter = make_topic(name="System design")
    card = make_card(starter, front="What is a load balancer?")
    assert cards_on_home(client_in, starter) == 1
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-123")
    staff = Client()
    staff.force_login(admin)
    response = staff.post(reverse("admin:cards_card_delete", args=[card.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert cards_on_home(client_in, starter) == 0


def _json_file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("backup.json", content, content_type="application/json")


def test_an_interviews_predicted_recall_follows_a_grade_and_an_edit(client_in, user, topic):
    card = make_card(topic, user)
    interview = make_interview(user)
    interview.topics.set([topic])
    page = client_in.get(interview.get_absolute_url()).content.decode()
    assert "You have not studied any of the 1 prompt" in page
    session = start_session(client_in, topic)
    grade(client_in, session, card.prompts.get(), Rating.GOOD)
    page = client_in.get(interview.get_absolute_url()).content.decode()
    assert "on average over the 1 prompt you have studied" in page
    other = make_topic(owner=user, name="Databases")
    make_card(other, user, front="What is an index?")
    data = interview_data(topics=[topic.pk, other.pk])
    response = client_in.post(reverse("interviews:edit", args=[interview.pk]), data)
    assert response.status_code == 302
    page = client_in.get(interview.get_absolute_url()).content.decode()
    assert "1 prompt never studied" in page


@pytest.mark.parametrize(
    ("url", "kept_queries"),
    [("home", 5), ("cards:progress", 6)],
)
def test_a_second_visit_reads_the_kept_figures_not_the_collection(
    client_in, user, topic, url, kept_queries, django_assert_max_num_queries
):
    for n in range(3):
        make_card(topic, user, front=f"Question {n}?")
    make_interview(user).topics.set([topic])
    assert client_in.get(reverse(url)).status_code == 200
    with django_assert_max_num_queries(kept_queries):
        assert client_in.get(reverse(url)).status_code == 200
