"""Model answers through the real test client: the starter one shown after an
answer and on a question's history, a person's own one written over it, deleted,
refused when too long, and never written to someone else's question."""

import pytest
from django.test import Client
from django.urls import reverse

from interviews.models import InterviewerQuestion, OwnModelAnswer
from tests.interviews.mock.test_mock_services import TECH, answer_at, make_question, start

pytestmark = pytest.mark.django_db

STARTER_TEXT = "I would grow the table by doubling it and rehashing every key."
STARTER_LABEL = "Model answer from the starter bank"
OWN_LABEL = "Your model answer"


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def starter_question():
    question = make_question(text="How does a hash map grow?")
    InterviewerQuestion.objects.filter(pk=question.pk).update(
        starter_key="iq-hash-map", model_answer=STARTER_TEXT
    )
    question.refresh_from_db()
    return question


def history(question) -> str:
    return reverse("mock:question_history", args=[question.pk])


def write(client, question, text, **extra):
    return client.post(
        reverse("mock:model_answer", args=[question.pk]), {"text": text, **extra}, follow=True
    )


def test_the_starter_model_answer_shows_after_the_answer_is_handed_in(
    client_in, user, starter_question
):
    session = start(user, areas=[TECH], count=1)
    page = body(client_in.get(session.get_absolute_url()))
    assert STARTER_TEXT not in page  # not while answering
    answer = answer_at(session, 1)
    client_in.post(
        reverse("mock:submit", args=[session.pk]), {"answer": answer.pk, "text": "Rehash it."}
    )
    page = body(client_in.get(session.get_absolute_url()))
    assert 'data-state="scoring"' in page
    assert STARTER_TEXT in page and STARTER_LABEL in page
    assert page.index('name="covered"') < page.index(STARTER_TEXT)  # below the key points

    page = body(client_in.get(history(starter_question)))
    assert STARTER_TEXT in page and STARTER_LABEL in page


def test_a_person_overrides_the_starter_answer_for_themselves_only(
    client_in, user, other_user, starter_question
):
    response = write(client_in, starter_question, "  Mine: double the buckets.\r\nThen rehash. ")
    assert response.redirect_chain == [(history(starter_question), 302)]
    page = body(response)
    assert "Your model answer was saved." in page
    assert OWN_LABEL in page and "Mine: double the buckets.\nThen rehash." in page
    assert STARTER_TEXT not in page
    # The shared starter row is untouched; someone else still sees it.
    starter_question.refresh_from_db()
    assert starter_question.model_answer == STARTER_TEXT
    other = Client()
    other.force_login(other_user)
    page = body(other.get(history(starter_question)))
    assert STARTER_TEXT in page and "Mine: double" not in page

    # Writing again replaces it: one override per person and question.
    write(client_in, starter_question, "Second thoughts.")
    assert list(OwnModelAnswer.objects.values_list("user", "text")) == [
        (user.pk, "Second thoughts.")
    ]


def test_written_from_the_session_page_it_goes_back_there(client_in, user, starter_question):
    session = start(user, areas=[TECH], count=1)
    response = write(
        client_in, starter_question, "From the session.", next=session.get_absolute_url()
    )
    assert response.redirect_chain[-1] == (session.get_absolute_url(), 302)
    # Somewhere else than this site: back to the question's history instead.
    response = write(client_in, starter_question, "Again.", next="https://example.com/")
    assert response.redirect_chain[-1] == (history(starter_question), 302)


def test_empty_text_deletes_the_override_and_brings_the_starter_one_back(
    client_in, user, starter_question
):
    write(client_in, starter_question, "Mine.")
    page = body(write(client_in, starter_question, "   "))
    assert "Your model answer was deleted. The starter model answer is shown again." in page
    assert STARTER_TEXT in page and STARTER_LABEL in page
    assert not OwnModelAnswer.objects.exists()
    page = body(write(client_in, starter_question, ""))
    assert "There was no model answer of yours to delete." in page


def test_too_long_a_model_answer_is_refused_and_nothing_changes(client_in, starter_question):
    write(client_in, starter_question, "Kept.")
    response = client_in.post(
        reverse("mock:model_answer", args=[starter_question.pk]), {"text": "x" * 5_001}
    )
    assert response.status_code == 400
    page = body(response)
    assert "at most 5,000 characters; this one has 5,001. Nothing was saved." in page
    assert f">{'x' * 5_001}</textarea>" in page  # put back in the box
    assert list(OwnModelAnswer.objects.values_list("text", flat=True)) == ["Kept."]


def test_a_null_character_is_refused_and_nothing_changes(client_in, starter_question):
    write(client_in, starter_question, "Kept.")
    response = client_in.post(
        reverse("mock:model_answer", args=[starter_question.pk]), {"text": "A\x00B"}
    )
    assert response.status_code == 400
    assert "cannot contain the null character" in body(response)
    assert list(OwnModelAnswer.objects.values_list("text", flat=True)) == ["Kept."]


def test_someone_elses_question_is_a_404_and_nothing_is_written(
    client_in, other_user, starter_question
):
    theirs = make_question(other_user, text="Their own question?")
    response = client_in.post(reverse("mock:model_answer", args=[theirs.pk]), {"text": "Mine!"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.model_answer == "" and not OwnModelAnswer.objects.exists()
    assert (
        client_in.get(reverse("mock:model_answer", args=[starter_question.pk])).status_code == 405
    )


def test_own_question_keeps_its_model_answer_from_the_form_and_the_small_form(client_in, user):
    data = {"text": "What is a B-tree?", "area": TECH, "key_points_text": "Balanced\nPages"}
    too_long = client_in.post(reverse("mock:question_create"), {**data, "model_answer": "y" * 5001})
    assert too_long.status_code == 200
    assert "A model answer has at most 5,000 characters; this one has 5001." in body(too_long)
    assert not InterviewerQuestion.objects.filter(owner=user).exists()

    client_in.post(reverse("mock:question_create"), {**data, "model_answer": "A balanced tree."})
    question = InterviewerQuestion.objects.get(owner=user)
    assert question.model_answer == "A balanced tree."
    page = body(client_in.get(history(question)))
    assert OWN_LABEL in page and "A balanced tree." in page

    page = body(write(client_in, question, "A balanced tree of pages."))
    assert "Your model answer was saved." in page and "A balanced tree of pages." in page
    question.refresh_from_db()
    assert question.model_answer == "A balanced tree of pages."
    assert not OwnModelAnswer.objects.exists()  # kept on the question itself

    page = body(write(client_in, question, ""))
    assert "Your model answer was deleted." in page and "No model answer yet." in page
    question.refresh_from_db()
    assert question.model_answer == ""
