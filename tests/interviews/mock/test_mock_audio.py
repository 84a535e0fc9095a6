"""Answering aloud through HTTP: a recording sent with the answer is kept in the
storage under a name of its own, played back to its owner only, refused when it
is not audio or too large or long, replaced by the next one, and deleted with
its question."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interviews.models import MockAnswer
from tests.conftest import stored_files
from tests.interviews.mock import recordings
from tests.interviews.mock.test_mock_services import TECH, answer_at, make_question, start

pytestmark = pytest.mark.django_db

HTMX = {"headers": {"HX-Request": "true"}}


@pytest.fixture
def session(user):
    make_question(user, area=TECH, text="How does a hash map grow?")
    make_question(user, area=TECH, text="What is a race condition?")
    return start(user, areas=[TECH], count=2, time_limit=120)


def send(client, session, answer, content, *, name="answer.webm", seconds="2", **extra):
    audio = SimpleUploadedFile(name, content, content_type="audio/webm")
    data = {"answer": answer.pk, "audio": audio, "seconds": seconds}
    return client.post(reverse("mock:audio_upload", args=[session.pk]), data, **extra)


def audio_url(answer) -> str:
    return reverse("mock:audio", args=[answer.pk])


def test_a_recording_is_kept_and_played_back_beside_the_answer(
    client_in, user, session, media_root
):
    answer = answer_at(session)
    content = recordings.webm(seconds=2)
    response = send(client_in, session, answer, content, **HTMX)
    assert response.status_code == 200
    assert f'<audio controls preload="metadata" src="{audio_url(answer)}"' in response.text
    assert "Your spoken answer, 2 s" in response.text

    answer.refresh_from_db()
    assert answer.audio_seconds == 2
    [kept] = stored_files(media_root)
    assert kept == answer.audio.name and kept.startswith("mock-audio/") and kept.endswith(".webm")
    assert user.username not in kept

    played = client_in.get(audio_url(answer))
    assert played.status_code == 200
    assert played["Content-Type"] == "audio/webm"
    assert "private" in played["Cache-Control"]
    assert b"".join(played.streaming_content) == content
    # The session page plays it back while the answer is being typed.
    page = client_in.get(reverse("mock:session", args=[session.pk]))
    assert f'src="{audio_url(answer)}"' in page.text
    assert "Recordings are kept on this server only, up to 5 min." in page.text


def test_only_the_answering_page_may_use_the_microphone(client_in, session):
    def microphone(url: str) -> str:
        policy = client_in.get(url)["Permissions-Policy"]
        return dict(part.strip().split("=", 1) for part in policy.split(","))["microphone"]

    assert microphone(reverse("mock:session", args=[session.pk])) == "(self)"
    assert microphone(reverse("mock:start")) == "()"


@pytest.mark.parametrize(
    "content, content_type",
    [(recordings.ogg(), "audio/ogg"), (recordings.mp4(), "audio/mp4")],
)
def test_ogg_and_mp4_recordings_are_kept_by_their_content(
    client_in, session, content, content_type
):
    answer = answer_at(session)
    # Sent under a .webm name: the first bytes decide the kind, not the name.
    assert send(client_in, session, answer, content, **HTMX).status_code == 200
    played = client_in.get(audio_url(answer))
    assert played["Content-Type"] == content_type
    assert b"".join(played.streaming_content) == content


def test_a_plain_form_upload_comes_back_to_the_page_with_a_message(client_in, session):
    answer = answer_at(session)
    response = send(client_in, session, answer, recordings.webm(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("mock:session", args=[session.pk])
    assert "Your spoken answer was saved." in response.text


def test_a_text_file_named_webm_is_refused_and_nothing_kept(client_in, session, media_root):
    answer = answer_at(session)
    response = send(client_in, session, answer, b"just some notes\n" * 20, **HTMX)
    assert response.status_code == 400
    assert "That file is not a recording this page can keep" in response.text
    assert "Nothing was saved." in response.text
    assert stored_files(media_root) == []
    answer.refresh_from_db()
    assert not answer.audio and answer.audio_seconds is None
    assert client_in.get(audio_url(answer)).status_code == 404


def test_a_recording_over_10_mb_is_refused_and_nothing_kept(client_in, session, media_root):
    answer = answer_at(session)
    content = recordings.webm() + bytes(10 * 1024 * 1024)
    response = send(client_in, session, answer, content, **HTMX)
    assert response.status_code == 400
    assert "at most 10.0\xa0MB is kept. Nothing was saved" in response.text
    assert stored_files(media_root) == []
    answer.refresh_from_db()
    assert not answer.audio


def test_a_recording_said_to_last_over_5_minutes_is_refused(client_in, session, media_root):
    answer = answer_at(session)
    response = send(client_in, session, answer, recordings.webm(), seconds="301", **HTMX)
    assert response.status_code == 400
    assert "at most 5:00 is kept. Nothing was saved." in response.text
    assert stored_files(media_root) == []


def test_a_second_recording_replaces_the_first_once_saved(
    client_in, session, media_root, django_capture_on_commit_callbacks
):
    answer = answer_at(session)
    with django_capture_on_commit_callbacks(execute=True):
        send(client_in, session, answer, recordings.webm(seconds=2), **HTMX)
    answer.refresh_from_db()
    first = answer.audio.name
    with django_capture_on_commit_callbacks(execute=True):
        send(client_in, session, answer, recordings.ogg(), seconds="3", **HTMX)
    answer.refresh_from_db()
    assert answer.audio.name != first and answer.audio_seconds == 3
    assert stored_files(media_root) == [answer.audio.name]
    assert b"".join(client_in.get(audio_url(answer)).streaming_content) == recordings.ogg()


def test_someone_elses_recording_and_session_are_404(client, session, other_user):
    answer = answer_at(session)
    client.force_login(session.user)
    send(client, session, answer, recordings.webm(), **HTMX)
    client.force_login(other_user)
    assert client.get(audio_url(answer)).status_code == 404
    response = send(client, session, answer, recordings.ogg(), **HTMX)
    assert response.status_code == 404
    answer.refresh_from_db()
    assert answer.audio.name.endswith(".webm")


def test_a_scored_answer_takes_no_new_recording(client_in, session, media_root):
    answer = answer_at(session)
    client_in.post(reverse("mock:submit", args=[session.pk]), {"answer": answer.pk, "text": "x"})
    client_in.post(reverse("mock:score", args=[session.pk]), {"answer": answer.pk})
    response = send(client_in, session, answer, recordings.webm(), **HTMX)
    assert response.status_code == 400
    assert "This answer is already scored; the recording was not kept." in response.text
    assert stored_files(media_root) == []


def test_the_scoring_page_plays_the_recording_of_a_handed_in_answer(client_in, session):
    answer = answer_at(session)
    client_in.post(reverse("mock:submit", args=[session.pk]), {"answer": answer.pk, "text": "x"})
    send(client_in, session, answer, recordings.webm(), **HTMX)  # sent as the answer went
    page = client_in.get(reverse("mock:session", args=[session.pk]))
    assert 'data-testid="coaching"' in page.text
    assert f'src="{audio_url(answer)}"' in page.text


def test_an_answer_without_a_recording_leaves_its_player_empty(client_in, session):
    # Empty, the player's place is hidden by the design (.mock-audio:empty), so the
    # scoring page shows no blank strip under the answer.
    answer = answer_at(session)
    client_in.post(reverse("mock:submit", args=[session.pk]), {"answer": answer.pk, "text": "x"})
    page = client_in.get(reverse("mock:session", args=[session.pk]))
    assert 'data-testid="coaching"' in page.text
    assert re.search(r'<div id="mock-audio"[^>]*></div>', page.text)


def test_deleting_a_question_deletes_the_recordings_of_its_answers(
    client_in, session, media_root, django_capture_on_commit_callbacks
):
    answer = answer_at(session)
    send(client_in, session, answer, recordings.webm(), **HTMX)
    assert len(stored_files(media_root)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client_in.post(reverse("mock:question_delete", args=[answer.question_id]))
    assert response.status_code == 302
    assert not MockAnswer.objects.filter(pk=answer.pk).exists()
    assert stored_files(media_root) == []


def test_the_admin_shows_a_recording_without_taking_one(client, session, media_root):
    admin = get_user_model().objects.create_superuser("boss", password="x")
    answer = answer_at(session)
    client.force_login(session.user)
    send(client, session, answer, recordings.webm(), **HTMX)
    client.force_login(admin)
    for url in (
        reverse("admin:interviews_mockanswer_change", args=[answer.pk]),
        reverse("admin:interviews_mocksession_change", args=[session.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert 'type="file"' not in page.text
    answer.refresh_from_db()
    assert stored_files(media_root) == [answer.audio.name]
