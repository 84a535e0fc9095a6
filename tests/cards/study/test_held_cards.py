"""The cards a study page holds after the one it shows, and grades sent by its
script: each with its own key (recorded once however often it is sent), the
time it was pressed, and an answer that corrects the cards held."""

import html
import json
import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cards.models import HiddenCard, Progress, ReviewLog, State
from cards.study import services, upcoming
from tests.cards.study.pages import header_counts
from tests.factories import make_card, make_collection, make_topic

JSON = {"HTTP_ACCEPT": "application/json"}


def start(user, *topics):
    return services.start_session(user=user, topics=list(topics))


def held_on_page(client, session) -> list[dict]:
    body = client.get(session.get_absolute_url()).content.decode()
    found = re.search(r'data-held="([^"]*)"', body)
    return json.loads(html.unescape(found.group(1))) if found else []


def shown_prompt(client, session) -> int:
    body = client.get(session.get_absolute_url()).content.decode()
    return int(re.search(r'name="prompt" value="(\d+)"', body).group(1))


def send(client, session, prompt_id, rating=3, reps=0, **fields):
    data = {"prompt": prompt_id, "rating": rating, "reps": reps, "shown_at": "", **fields}
    return client.post(reverse("cards:study_grade", args=[session.pk]), data, **JSON)


@pytest.fixture
def five(user, topic):
    return [make_card(topic, user, front=f"Card {n}?", back=f"Answer {n}") for n in range(8)]


def test_the_page_holds_the_next_cards_in_the_order_they_come(client_in, user, topic, five):
    session = start(user, topic)
    shown = shown_prompt(client_in, session)
    held = held_on_page(client_in, session)
    assert len(held) == upcoming.HELD
    # Showing and grading them one at a time gives the same cards in the same order.
    order = []
    current = shown
    for _ in held:
        response = send(client_in, session, current, rating=4)
        assert response.status_code == 200
        current = shown_prompt(client_in, session)
        order.append(current)
    assert order == [item["prompt"] for item in held]
    first = held[0]
    assert first["question"] == "<p>Card 1?</p>\n"
    assert first["answer"] == "<p>Answer 1</p>\n"
    assert first["state"] == "new" and first["reps"] == 0
    assert first["intervals"] == {"1": "1m", "2": "6m", "3": "10m", "4": "8d"}


def test_a_grade_sent_twice_with_its_key_is_recorded_once(client_in, user, topic, five):
    session = start(user, topic)
    prompt = shown_prompt(client_in, session)
    key = str(uuid.uuid4())
    first = send(client_in, session, prompt, key=key)
    again = send(client_in, session, prompt, key=key)
    assert first.status_code == again.status_code == 200
    assert first.json()["review"] == again.json()["review"]
    log = ReviewLog.objects.get(user=user)
    assert (log.prompt_id, log.rating, str(log.client_key)) == (prompt, 3, key)
    assert Progress.objects.get(user=user, prompt_id=prompt).reps == 1
    # Without the key, the same grade sent again is refused, as always.
    refused = send(client_in, session, prompt)
    assert refused.status_code == 409
    assert refused.json() == {
        "error": "This card was already graded; the grade was not counted twice."
    }
    assert ReviewLog.objects.filter(user=user).count() == 1


def test_a_key_is_the_person_s_own(client_in, user, topic, other_user, five):
    """Another person's key is no answer to this person's grade."""
    key = uuid.uuid4()
    theirs = make_topic(owner=other_user, name="Theirs")
    card = make_card(theirs, other_user)
    services.grade_prompt(
        user=other_user,
        session=None,
        prompt=card.prompts.get(),
        rating=3,
        expected_reps=0,
        duration_ms=0,
        now=timezone.now(),
        key=key,
    )
    session = start(user, topic)
    prompt = shown_prompt(client_in, session)
    response = send(client_in, session, prompt, key=str(key))
    assert response.status_code == 200
    assert ReviewLog.objects.get(user=user, client_key=key).prompt_id == prompt


@pytest.mark.parametrize(
    ("ago", "kept"),
    [
        (timedelta(minutes=5), True),
        (timedelta(hours=23), True),
        (timedelta(hours=25), False),  # too long ago
        (-timedelta(minutes=5), False),  # in the future
    ],
)
def test_the_time_a_grade_was_pressed_is_kept_within_a_day(client_in, user, topic, five, ago, kept):
    session = start(user, topic)
    prompt = shown_prompt(client_in, session)
    pressed = timezone.now() - ago
    response = send(client_in, session, prompt, graded_at=int(pressed.timestamp() * 1000))
    assert response.status_code == 200
    log = ReviewLog.objects.get(user=user)
    if kept:
        assert abs(log.reviewed_at - pressed) < timedelta(milliseconds=2)
        assert log.day == timezone.localtime(pressed).date()
        assert Progress.objects.get(user=user, prompt_id=prompt).last_review == log.reviewed_at
    else:
        assert abs(log.reviewed_at - timezone.now()) < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"key": "not-a-uuid"}, "The grade's key must be a UUID"),
        ({"held": "1:2"}, "A held card is written prompt:reps:version, not “1:2”."),
        ({"known": "1,x"}, "Known cards are prompt numbers, comma-separated."),
        ({"known": ",".join(["1"] * 51)}, "At most 50 known cards, not 51."),
        ({"rating": "7"}, "A grade must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)."),
    ],
)
def test_bad_input_is_refused_in_words_and_writes_nothing(
    client_in, user, topic, five, fields, message
):
    session = start(user, topic)
    prompt = shown_prompt(client_in, session)
    data = {"rating": 3, **fields}
    response = send(client_in, session, prompt, **data)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not ReviewLog.objects.filter(user=user).exists()
    assert not Progress.objects.filter(user=user).exists()


def test_another_person_s_prompt_is_not_part_of_the_session(
    client_in, user, topic, other_user, five
):
    theirs = make_card(make_topic(owner=other_user, name="Theirs"), other_user)
    session = start(user, topic)
    response = send(client_in, session, theirs.prompts.get().pk, key=str(uuid.uuid4()))
    assert response.status_code == 404
    assert response.json() == {"error": "That card is not part of this session."}
    assert not ReviewLog.objects.exists()


def test_a_grade_on_an_ended_session_is_refused(client_in, user, topic, five):
    session = start(user, topic)
    prompt = shown_prompt(client_in, session)
    key = str(uuid.uuid4())
    assert send(client_in, session, prompt, key=key).status_code == 200
    client_in.post(reverse("cards:study_end", args=[session.pk]))
    later = shown_prompt(client_in, session)
    response = send(client_in, session, later, key=str(uuid.uuid4()))
    assert response.status_code == 409
    assert "This session has ended" in response.json()["error"]
    assert ReviewLog.objects.filter(user=user).count() == 1
    # The grade it did record, sent again, is still answered with its review.
    assert send(client_in, session, prompt, key=key).status_code == 200


def test_the_answer_adds_cards_and_corrects_those_held(client_in, user, topic, five):
    user.profile.new_cards_per_day = 4
    user.profile.save()
    session = start(user, topic)
    shown = shown_prompt(client_in, session)
    held = held_on_page(client_in, session)
    assert len(held) == 3  # the limit of 4 new cards a day, one of them on screen
    suspended = five[2]
    suspended.suspended = True
    suspended.save()
    edited = five[3]
    edited.back = "A better answer"
    edited.save()
    rest = [item for item in held if item["prompt"] != held[0]["prompt"]]
    response = send(
        client_in,
        session,
        shown,
        rating=1,
        held=",".join(f"{i['prompt']}:{i['reps']}:{i['v']}" for i in rest),
        known=str(held[0]["prompt"]),  # as if on screen now
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["review"] == ReviewLog.objects.get(user=user).pk
    suspended_prompt = suspended.prompts.get().pk
    edited_prompt = edited.prompts.get().pk
    assert sorted(answer["drop"]) == sorted([suspended_prompt, edited_prompt])
    # The edited card comes again as it is now, the suspended one does not, and
    # one more fills the day's limit: 1 graded + 1 on screen + 2 added = 4.
    added = [item["prompt"] for item in answer["add"]]
    assert added == [edited_prompt, five[4].prompts.get().pk]
    assert "A better answer" in answer["add"][0]["answer"]
    # Graded Again, the card is due in a minute: it comes back in this session.
    again = answer["again"]
    assert again["prompt"] == shown and again["reps"] == 1 and again["state"] == "Learning"
    assert 0 < again["due"] - timezone.now().timestamp() * 1000 <= 61_000
    # The counts are the server's: the card on screen is not graded there yet.
    assert (answer["due_count"], answer["new_left_today"]) == (0, 3)


def test_the_old_form_still_grades_and_redirects(client_in, user, topic, five):
    session = start(user, topic)
    prompt = shown_prompt(client_in, session)
    response = client_in.post(
        reverse("cards:study_grade", args=[session.pk]),
        {"prompt": prompt, "rating": 3, "reps": 0, "shown_at": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == session.get_absolute_url()
    assert ReviewLog.objects.get(user=user).client_key is None


def test_prefetch_0_holds_no_cards(client_in, user, topic, five):
    session = start(user, topic)
    body = client_in.get(session.get_absolute_url() + "?prefetch=0").content.decode()
    assert "data-held" not in body
    assert 'name="prompt"' in body


@pytest.mark.parametrize("size", [10, 5000])
def test_a_sent_grade_runs_a_fixed_number_of_queries(
    client_in, user, size, django_assert_max_num_queries
):
    topic = make_collection(user, size)
    session = start(user, topic)
    held = held_on_page(client_in, session)
    due = (
        Progress.objects.filter(user=user, due__lte=timezone.now(), state=State.REVIEW)
        .order_by("due")
        .first()
    )
    # The grade as the page's form sends it (22, test_study.py), less the next
    # card's own search, plus the cards held after it: the due ones, the new
    # ones' search and prompts (one query each), the graded card's row when it
    # comes back soon, and the balancing days for their intervals.
    with django_assert_max_num_queries(24):
        response = send(
            client_in,
            session,
            due.prompt_id,
            reps=due.reps,
            key=str(uuid.uuid4()),
            held=",".join(f"{i['prompt']}:{i['reps']}:{i['v']}" for i in held),
        )
    assert response.status_code == 200
    assert ReviewLog.objects.filter(user=user).count() == 1


def counts_on_page(client, session) -> tuple[int, int]:
    return header_counts(client.get(session.get_absolute_url()).content.decode())


def test_each_answer_carries_the_counts_the_page_shows_after_it(client_in, user, topic, five):
    session = start(user, topic)
    for _ in range(2):  # two cards studied earlier, due again now
        response = send(client_in, session, shown_prompt(client_in, session), rating=4)
        assert response.status_code == 200
    Progress.objects.filter(user=user).update(due=timezone.now() - timedelta(hours=1))
    assert counts_on_page(client_in, session) == (2, 18)
    seen = []
    for rating in (3, 1, 4, 3):
        prompt = shown_prompt(client_in, session)
        reps = Progress.objects.filter(user=user, prompt_id=prompt).values_list("reps", flat=True)
        answer = send(client_in, session, prompt, rating=rating, reps=reps.first() or 0)
        counts = (answer.json()["due_count"], answer.json()["new_left_today"])
        assert counts == counts_on_page(client_in, session)
        seen.append(counts)
    # The two due cards first (the one graded Again is not due for a minute), then new ones.
    assert seen == [(1, 18), (0, 18), (0, 17), (0, 16)]


def as_held(items: list[dict]) -> str:
    """Held cards as the page sends them: prompt, reps and version each."""
    return ",".join(f"{i['prompt']}:{i['reps']}:{i['v']}" for i in items)


def test_cards_deleted_or_hidden_in_the_browser_are_dropped_held_or_to_come_back(client_in, user):
    design = make_topic(name="System design")
    kafka = make_topic(owner=user, name="Kafka")
    cards = [make_card(design, None, front=f"Starter {n}?") for n in range(3)]
    cards += [make_card(kafka, user, front=f"Mine {n}?") for n in range(3)]
    card_of = {card.prompts.get().pk: card for card in cards}
    session = start(user, design, kafka)
    shown = shown_prompt(client_in, session)
    held = held_on_page(client_in, session)
    assert sorted([shown, *(item["prompt"] for item in held)]) == sorted(card_of)
    # Graded Again, the card on screen is to come back in a minute; the next is shown.
    answer = send(client_in, session, shown, rating=1, held=as_held(held[1:])).json()
    assert answer["again"]["prompt"] == shown and answer["drop"] == []
    on_screen, queue = held[0]["prompt"], held[1:]
    starter = next(i["prompt"] for i in queue if card_of[i["prompt"]].owner_id is None)
    own = next(i["prompt"] for i in queue if card_of[i["prompt"]].owner_id == user.pk)

    # In the card browser (another tab): delete the own card, hide the starter
    # card, and the card to come back, whichever it is.
    gone = [card_of[starter], card_of[own], card_of[shown]]
    deleted = client_in.post(
        reverse("cards:card_bulk"),
        {"action": "delete", "ids": [card.pk for card in gone], "confirmed": "1"},
    )
    assert deleted.status_code == 302
    assert HiddenCard.objects.filter(user=user).exists()

    answer = send(client_in, session, on_screen, held=as_held(queue), known=str(shown)).json()
    assert sorted(answer["drop"]) == sorted([starter, own, shown])
    # Only the card just graded (Good: ten minutes on) is to come back.
    assert answer["again"]["prompt"] == on_screen
    assert not {item["prompt"] for item in answer["add"]} & {starter, own, shown}
