import pytest
from django.conf import settings
from django.urls import reverse

from interviews.checklists import services
from interviews.models import ChecklistItem, QuestionCategory, QuestionToAsk
from interviews.starter import load_starter_questions
from tests.factories import make_interview

pytestmark = pytest.mark.django_db


@pytest.fixture
def interview(user):
    return make_interview(user, company="Globex")


@pytest.fixture
def bank(user):
    load_starter_questions()
    services.seed_question_bank(user=user)
    return QuestionToAsk.objects.filter(user=user)


def add_items(interview, *texts):
    return [
        services.checklist_add_new(
            interview=interview, text=text, category="team", save_to_bank=False
        )
        for text in texts
    ]


def order(interview):
    return list(interview.checklist.values_list("text", flat=True))


def test_the_bank_is_seeded_once_from_the_starter_questions(user, bank):
    count = bank.count()
    assert count >= 30
    bank.first().delete()
    assert services.seed_question_bank(user=user) == 0
    assert QuestionToAsk.objects.filter(user=user).count() == count - 1


def test_a_new_account_gets_the_starter_bank(client, db):
    load_starter_questions()
    client.post(
        reverse("accounts:signup"),
        {
            "username": "newbie",
            "password1": "a-long-unusual-pass",
            "password2": "a-long-unusual-pass",
        },
    )
    body = client.get(reverse("interviews:question_bank")).content.decode()
    assert "ramp-up" in body.lower()


def test_bank_filters_by_category_as_page_and_fragment(client_in, bank, htmx_headers):
    url = reverse("interviews:question_bank")
    tech = bank.filter(category="tech").first()
    team = bank.filter(category="team").first()
    body = client_in.get(url, {"category": "tech"}).content.decode()
    assert tech.text in body and team.text not in body
    fragment = client_in.get(url, {"category": "tech"}, **htmx_headers).content.decode()
    assert fragment.lstrip().startswith('<div id="bank-list">')
    assert tech.text in fragment


def test_bank_add_edit_delete(client_in, user):
    url = reverse("interviews:question_bank")
    response = client_in.post(url, {"category": "growth", "text": "How are promotions decided?"})
    assert response.status_code == 302
    question = QuestionToAsk.objects.get(user=user)
    client_in.post(
        reverse("interviews:question_edit", args=[question.pk]),
        {"category": "culture", "text": "How are promotions decided, and by whom?"},
    )
    question.refresh_from_db()
    assert question.category == "culture"
    client_in.post(reverse("interviews:question_delete", args=[question.pk]))
    assert not QuestionToAsk.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"category": "team", "text": "   "}, "This field is required"),
        ({"category": "snacks", "text": "Is there free lunch?"}, "Select a valid choice"),
        ({"category": "team", "text": "x" * 501}, "at most 500 characters"),
    ],
)
def test_bad_bank_questions_are_explained(client_in, data, message):
    response = client_in.post(reverse("interviews:question_bank"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not QuestionToAsk.objects.exists()


def test_another_users_bank_question_is_a_404(client_in, other_user):
    foreign = QuestionToAsk.objects.create(user=other_user, category="team", text="Secret?")
    assert client_in.get(reverse("interviews:question_edit", args=[foreign.pk])).status_code == 404
    assert (
        client_in.post(reverse("interviews:question_delete", args=[foreign.pk])).status_code == 404
    )
    assert QuestionToAsk.objects.filter(pk=foreign.pk).exists()


def test_add_from_bank_as_fragment_skips_duplicates(client_in, interview, bank, htmx_headers):
    picked = list(bank.filter(category="team")[:2])
    url = reverse("interviews:checklist_add", args=[interview.pk])
    response = client_in.post(url, {"questions": [q.pk for q in picked]}, **htmx_headers)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="checklist-panel"')
    assert picked[0].text in body and "Added 2 questions" in body
    client_in.post(url, {"questions": [picked[0].pk]})
    assert interview.checklist.count() == 2


def test_add_from_bank_with_a_foreign_question_adds_nothing(client_in, interview, other_user):
    foreign = QuestionToAsk.objects.create(user=other_user, category="team", text="Theirs?")
    response = client_in.post(
        reverse("interviews:checklist_add", args=[interview.pk]), {"questions": [foreign.pk]}
    )
    assert response.status_code == 302
    assert not interview.checklist.exists()


def test_write_a_new_question_and_keep_it_in_the_bank(client_in, user, interview):
    response = client_in.post(
        reverse("interviews:checklist_new", args=[interview.pk]),
        {"text": "What does on-call look like?", "category": "process", "save_to_bank": "on"},
    )
    assert response.status_code == 302
    item = interview.checklist.get()
    assert item.text == "What does on-call look like?"
    assert item.question.user == user and item.question.category == QuestionCategory.PROCESS


@pytest.mark.parametrize("text", ["", "   ", "x" * 501])
def test_an_empty_or_huge_new_question_is_refused(client_in, interview, text, htmx_headers):
    response = client_in.post(
        reverse("interviews:checklist_new", args=[interview.pk]),
        {"text": text, "category": "team", "save_to_bank": "on"},
        **htmx_headers,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Write the question you want to ask" in body or "at most 500" in body
    assert not ChecklistItem.objects.exists()
    assert not QuestionToAsk.objects.exists()


def test_tick_and_note_the_answer_as_fragment(client_in, interview, htmx_headers):
    (item,) = add_items(interview, "How big is the team?")
    url = reverse("interviews:checklist_item", args=[interview.pk, item.pk])
    response = client_in.post(url, {"asked": "on", "answer": "Six engineers"}, **htmx_headers)
    assert response.status_code == 200
    assert "Saved" in response.content.decode()
    item.refresh_from_db()
    assert item.asked and item.answer == "Six engineers"
    client_in.post(url, {"answer": "Six engineers"})  # unticked in a plain form post
    item.refresh_from_db()
    assert not item.asked


def test_an_asked_question_is_marked_asked_not_struck_through(client_in, interview):
    asked, waiting = add_items(interview, "How big is the team?", "Who reviews code?")
    ChecklistItem.objects.filter(pk=asked.pk).update(asked=True)

    page = client_in.get(interview.get_absolute_url()).content.decode()

    # The stylesheet shows the check mark and "Asked" on an item marked is-asked
    # (the browser test checks what shows, and the contrast).
    assert f'checklist-item is-asked" id="item-{asked.pk}"' in page
    assert f'checklist-item" id="item-{waiting.pk}"' in page
    assert '<span aria-hidden="true">&#x2713;</span> Asked</span>' in page
    css = (settings.BASE_DIR / "static/css/prep.css").read_text()
    rules = [line for line in css.splitlines() if ".checklist" in line]
    assert ".checklist-item.is-asked .checklist-asked { display: inline; }" in rules
    assert not any("line-through" in rule for rule in rules)


def test_an_oversized_answer_is_refused_and_the_old_one_kept(client_in, interview, htmx_headers):
    (item,) = add_items(interview, "Q?")
    url = reverse("interviews:checklist_item", args=[interview.pk, item.pk])
    client_in.post(url, {"answer": "kept"})
    response = client_in.post(url, {"answer": "x" * 5001, "asked": "on"}, **htmx_headers)
    assert "Not saved" in response.content.decode()
    item.refresh_from_db()
    assert item.answer == "kept" and not item.asked


def test_reorder_in_one_request(client_in, interview):
    a, b, c = add_items(interview, "A", "B", "C")
    response = client_in.post(
        reverse("interviews:checklist_reorder", args=[interview.pk]), {"item": [c.pk, a.pk, b.pk]}
    )
    assert response.status_code == 302
    assert order(interview) == ["C", "A", "B"]


@pytest.mark.parametrize("bad", ["missing", "foreign", "duplicate", "garbage"])
def test_a_bad_reorder_changes_nothing(client_in, interview, other_user, bad):
    a, b, c = add_items(interview, "A", "B", "C")
    (foreign,) = add_items(make_interview(other_user), "Theirs")
    ids = {
        "missing": [a.pk, b.pk],
        "foreign": [a.pk, b.pk, c.pk, foreign.pk],
        "duplicate": [a.pk, a.pk, b.pk, c.pk],
        "garbage": [a.pk, "x", c.pk],
    }[bad]
    response = client_in.post(
        reverse("interviews:checklist_reorder", args=[interview.pk]), {"item": ids}
    )
    assert response.status_code == 400
    assert order(interview) == ["A", "B", "C"]
    assert foreign.interview.checklist.get().position == 1


def test_move_up_and_down_as_fragment(client_in, interview, htmx_headers):
    a, b, c = add_items(interview, "A", "B", "C")
    url = reverse("interviews:checklist_item_move", args=[interview.pk, c.pk])
    response = client_in.post(url, {"direction": "up"}, **htmx_headers)
    assert response.status_code == 200
    assert order(interview) == ["A", "C", "B"]
    client_in.post(
        reverse("interviews:checklist_item_move", args=[interview.pk, a.pk]), {"direction": "up"}
    )
    assert order(interview) == ["A", "C", "B"]  # the first stays first
    client_in.post(url, {"direction": "sideways"})
    assert order(interview) == ["A", "C", "B"]


def test_items_of_another_interview_are_404(client_in, user, interview, other_user):
    (foreign_item,) = add_items(make_interview(other_user), "Theirs")
    (own_item,) = add_items(interview, "Mine")
    other_own = make_interview(user, company="Other")
    for name in ("checklist_item", "checklist_item_delete", "checklist_item_move"):
        # someone else's item, even through my interview's URL
        url = reverse(f"interviews:{name}", args=[interview.pk, foreign_item.pk])
        assert client_in.post(url, {"direction": "up", "asked": "on"}).status_code == 404
        # my item through the URL of another interview of mine
        url = reverse(f"interviews:{name}", args=[other_own.pk, own_item.pk])
        assert client_in.post(url, {"direction": "up", "asked": "on"}).status_code == 404
    foreign_item.refresh_from_db()
    assert not foreign_item.asked


def test_delete_item(client_in, interview):
    (item,) = add_items(interview, "Gone soon")
    client_in.post(reverse("interviews:checklist_item_delete", args=[interview.pk, item.pk]))
    assert not interview.checklist.exists()


def test_markdown_export_and_print_view(client_in, interview):
    first, second = add_items(interview, "How do you deploy?", "What is the stack?")
    url = reverse("interviews:checklist_item", args=[interview.pk, first.pk])
    client_in.post(url, {"asked": "on", "answer": "Weekly trains\nwith canaries"})
    response = client_in.get(reverse("interviews:checklist_markdown", args=[interview.pk]))
    assert response["Content-Type"].startswith("text/markdown")
    text = response.content.decode()
    assert text.startswith("# Questions for Globex")
    assert "- [x] How do you deploy?\n  > Weekly trains\n  > with canaries\n" in text
    assert "- [ ] What is the stack?" in text
    page = client_in.get(reverse("interviews:checklist_print", args=[interview.pk]))
    body = page.content.decode()
    assert "Weekly trains<br>with canaries" in body
    assert body.index("How do you deploy?") < body.index("What is the stack?")


def test_checklist_page_runs_a_bounded_number_of_queries(
    client_in, interview, bank, django_assert_max_num_queries
):
    services.checklist_add_from_bank(interview=interview, question_ids=[q.pk for q in bank])
    # 7 for the page and its checklist, 4 for the predicted recall of its topics.
    with django_assert_max_num_queries(11):
        response = client_in.get(interview.get_absolute_url())
    assert response.status_code == 200
