"""Deleting an account (accounts/delete/): the person and everything of theirs go,
everyone else's data and the shared starter library stay. The rows of each
person are found by walking every model (tests/accounts/rows_of.py), not from a
list, so a model added later that the deletion misses fails these tests."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_q.models import Task
from taggit.models import Tag

from accounts.backup import backup_bytes, backup_document, restore_jobs
from accounts.delete.services import account_delete
from accounts.models import RestoreJob
from cards import imports as importing
from cards.browse.bulk import run_bulk_action
from cards.images.services import add_image
from cards.imports.anki_media import store_images
from cards.models import BulkJob, Card, CardMedia, ImportJob, OptimizeJob, PendingImage, ReviewLog
from cards.schedule.services import retention_save
from interviews.models import MockAnswer
from prep_site.devtools.images import png
from tests.accounts.backups import NOW, build_account, make_starter
from tests.accounts.rows_of import (
    ids_named_for_people,
    models_a_person_can_have,
    row_counts,
    rows_naming,
    rows_of,
)
from tests.conftest import stored_files
from tests.factories import PASSWORD, make_card, make_topic, make_user
from tests.interviews.mock import recordings

pytestmark = pytest.mark.django_db

LEAVER = "leaver-q7x"


def log_in(username: str, password: str = PASSWORD) -> Client:
    """A browser of its own, logged in through the login form (django-axes logs it)."""
    browser = Client()
    browser.post(reverse("login"), {"username": username, "password": password})
    return browser


def give_everything(user, starter, admin, *, tag: str, run_tasks) -> None:
    """One of everything a person can have: the backup tests' account (cards, tags,
    reviews, quizzes, interviews, checklists, mock interviews…), a finished import
    and a finished restore run by their tasks, a kept upload, two sessions, failed
    and good logins, a group and a permission, an undo of a bulk action, and admin
    log entries by them and about their rows."""
    build_account(user, starter)
    only = make_topic(owner=user, name=f"Only {tag}")
    alone = make_card(only, user, front="Mine alone", tags=[tag])
    store_images(alone, {"diagram.png": png()})  # an image kept with a card: a file of theirs
    # An image added in the card editor, waiting for its card: a file of theirs too.
    add_image(user=user, upload=SimpleUploadedFile("pasted.png", png()))
    upload = SimpleUploadedFile("cards.csv", b"front,back,topic\nImported?,Yes,Imported\n")
    with run_tasks(execute=True):
        job = importing.receive_upload(user=user, upload=upload)
    with run_tasks(execute=True):
        importing.start_import(job=ImportJob.objects.get(pk=job.pk), on_duplicate="skip")
    content = backup_bytes(backup_document(user=user, now=NOW))
    with run_tasks(execute=True):
        restore_jobs.start_restore(
            user=user, upload=SimpleUploadedFile("backup.json", content), merge=True
        )
    retention_save(user=user, retention=0.85)
    OptimizeJob.objects.create(user=user, status=OptimizeJob.Status.DONE, outcome="Kept.")
    # A bulk action in the card browser: its undo is kept, a reset's with its
    # copy of the progress and reviews.
    studied = ReviewLog.objects.filter(user=user).values_list("card_id", flat=True).first()
    run_bulk_action(user=user, action="reset", ids=[studied], text=None, topic=None, tags=[])
    # A bulk action on many cards, run on a worker, with the undo it kept.
    BulkJob.objects.create(
        user=user, action="suspend", status=BulkJob.Status.DONE, undo=user.bulk_undo
    )
    # A mock interview answer spoken aloud: its recording is a file of theirs.
    spoken = MockAnswer.objects.filter(session__user=user).order_by("pk").first()
    spoken.audio.save("answer.webm", ContentFile(recordings.webm()))
    # A file a job kept after it ended, as when deleting it failed.
    left = RestoreJob(user=user, filename="left.json", size=2, status=RestoreJob.Status.FAILED)
    left.upload.save("left.json", ContentFile(b"{}"))

    log_in(user.username)
    log_in(user.username, "wrong password")
    user.groups.add(Group.objects.get_or_create(name="Reviewers")[0])
    user.user_permissions.add(Permission.objects.get(codename="view_card"))
    user.is_staff = True
    user.save()
    card = Card.objects.filter(owner=user).first()
    for author, row in [(admin, card), (admin, user), (user, starter.topic)]:
        LogEntry.objects.log_actions(
            user_id=author.pk, queryset=[row], action_flag=CHANGE, change_message="Changed"
        )


@pytest.fixture
def people(settings, django_capture_on_commit_callbacks):
    """Two people with one of everything, and an administrator. Their jobs' tasks
    run as their transactions commit."""
    settings.PREP_RESTORE_INLINE_BYTES = 1024  # the restore runs as a job
    starter = make_starter()
    admin = get_user_model().objects.create_superuser("admin", password=PASSWORD)
    leaver, stayer = make_user(LEAVER), make_user("stayer")
    for person in (leaver, stayer):
        tag = f"{person.username}'s own tag"
        give_everything(
            person, starter, admin, tag=tag, run_tasks=django_capture_on_commit_callbacks
        )
    return leaver, stayer, starter


def test_nothing_of_theirs_is_left_and_everyone_elses_stays(
    people, media_root, django_capture_on_commit_callbacks
):
    leaver, stayer, starter = people
    theirs, others = rows_of(leaver), rows_of(stayer)
    counts = row_counts()
    # The accounts have a row of every model a person can have rows of.
    kinds = models_a_person_can_have()
    assert {m._meta.label for m in kinds if not theirs.get(m) or not others.get(m)} == set()
    named = rows_naming(LEAVER)  # django-axes' records, the admin log's "leaver-q7x"
    assert {m._meta.label for m in named} >= {"axes.AccessAttempt", "axes.AccessLog", "taggit.Tag"}
    their_sessions, their_tasks = sessions_of(leaver), tasks_of(theirs)
    assert len(their_sessions) == 1 and len(their_tasks) == 3  # import: read, write; restore
    kept = {job.user: [job.upload.name] for job in RestoreJob.objects.exclude(upload="")}
    for answer in MockAnswer.objects.exclude(audio="").select_related("session__user"):
        kept[answer.session.user].append(answer.audio.name)
    for media in CardMedia.objects.select_related("card__owner"):
        kept[media.card.owner].append(media.file.name)
    for image in PendingImage.objects.select_related("owner"):
        kept[image.owner].append(image.file.name)
    # A restore's, a recording, a card's image and one waiting for its card.
    assert [len(names) for names in kept.values()] == [4, 4]
    assert stored_files(media_root) == sorted(sum(kept.values(), []))

    with django_capture_on_commit_callbacks(execute=True):  # the files go once it commits
        assert account_delete(user=leaver) is True

    # Nothing that pointed at them, named them or was kept for them is left.
    left = {m._meta.label for m, pks in theirs.items() if m._base_manager.filter(pk__in=pks)}
    assert left == set()
    assert rows_naming(LEAVER) == {}
    assert ids_named_for_people(leaver.pk) == []
    assert sessions_of(leaver) == [] and tasks_of(theirs) == []
    assert not Tag.objects.filter(name=f"{LEAVER}'s own tag").exists()
    assert stored_files(media_root) == sorted(kept[stayer])

    # Everyone else's rows are all there, and no other row went: the shared
    # starter library and the tags someone else uses stay.
    assert rows_of(stayer) == others
    assert Tag.objects.filter(name__in=["kafka", "stayer's own tag"]).count() == 2
    gone = {m: set(pks) for m, pks in theirs.items()}
    for model, pks in named.items():
        gone.setdefault(model, set()).update(pks)
    expected = {m: n - len(gone.get(m, ())) for m, n in counts.items()}
    expected[Task] -= 3
    expected[Session] -= 1
    assert row_counts() == expected
    for row in [starter.topic, starter.card, starter.question, starter.to_ask]:
        row.refresh_from_db()


def sessions_of(user) -> list[str]:
    return [s.pk for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]


def tasks_of(rows) -> list[str]:
    """django-q2's task records filed under a job among ``rows``."""
    groups = {f"{model._meta.label_lower}:{pk}" for model, pks in rows.items() for pk in pks}
    return list(Task.objects.filter(group__in=groups).values_list("name", flat=True))


# Through the pages ------------------------------------------------------------------------

DELETE = reverse("accounts:delete")


def test_the_settings_page_leads_to_the_delete_page(client_in):
    page = client_in.get(reverse("accounts:settings")).content.decode()
    assert f'href="{DELETE}"' in page


def test_the_delete_page_offers_the_backup_first_and_says_what_goes(
    client_in, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):  # the first page of a session
        response = client_in.get(DELETE)
    page = response.content.decode()
    assert response.status_code == 200
    download = page.index(f'href="{reverse("accounts:backup_download")}"')
    assert download < page.index(">Delete my account<")
    for thing in ["cards", "reviews", "topics", "quizzes", "interviews", "checklists"]:
        assert thing in page
    for thing in ["mock interviews", "imports and restores", "files you uploaded"]:
        assert thing in page
    assert 'type="password"' in page


def test_a_wrong_password_deletes_nothing(client_in, user, topic):
    make_card(topic, user, front="Still here?")
    before = row_counts()
    response = client_in.post(DELETE, {"password": "not it", "confirm": "on"})
    assert response.status_code == 400
    assert "That is not your password. Nothing was deleted." in response.content.decode()
    assert row_counts() == before
    assert client_in.get(reverse("cards:topic_list")).status_code == 200  # still logged in


def test_the_box_must_be_ticked(client_in, user):
    response = client_in.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 400
    assert "Tick the box to say you want your account deleted." in response.content.decode()
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_deleting_logs_out_says_so_and_the_login_is_gone(client, other_user):
    make_user(LEAVER)
    browser, other_device = log_in(LEAVER), log_in(LEAVER)
    response = browser.post(DELETE, {"password": PASSWORD, "confirm": "on"}, follow=True)
    assert response.redirect_chain == [(reverse("accounts:deleted"), 302)]
    assert "Your account and everything in it are gone" in response.content.decode()
    assert not get_user_model().objects.filter(username=LEAVER).exists()
    # Logged out here and on the other device; the login form refuses them.
    for device in (browser, other_device):
        page = device.get(reverse("cards:topic_list"))
        assert page.status_code == 302 and page.url.startswith(reverse("login"))
    login = client.post(reverse("login"), {"username": LEAVER, "password": PASSWORD})
    assert login.status_code == 200
    assert "Please enter a correct username and password" in login.content.decode()


def test_a_second_submit_is_harmless(client_in, user, other_user):
    first = client_in.post(DELETE, {"password": PASSWORD, "confirm": "on"})
    again = client_in.post(DELETE, {"password": PASSWORD, "confirm": "on"})
    assert first.url == reverse("accounts:deleted")
    assert again.status_code == 302 and again.url.startswith(reverse("login"))
    # The same form processed twice at once: the second finds the account gone.
    assert account_delete(user=user) is False
    assert get_user_model().objects.filter(pk=other_user.pk).exists()


def test_an_import_under_way_is_waited_for(client_in, user, media_root):
    upload = SimpleUploadedFile("cards.csv", b"front,back\nQ,A\n")
    job = importing.receive_upload(user=user, upload=upload)  # its task has not run
    page = client_in.get(DELETE).content.decode()
    assert "An import or a restore of yours is under way" in page
    assert f'href="{job.get_absolute_url()}"' in page

    before = row_counts()
    response = client_in.post(DELETE, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 409
    assert "Your account was not deleted: an import or a restore of yours is under way" in (
        response.content.decode()
    )
    assert row_counts() == before and len(stored_files(media_root)) == 1


def test_the_deleted_page_is_open_to_anyone(client):
    response = client.get(reverse("accounts:deleted"))
    assert response.status_code == 200


def test_the_delete_page_needs_a_login(client):
    response = client.get(DELETE)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
