import html
import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cards.models import Card, Progress, ReviewLog, State, StudySession
from cards.study import services
from cards.study.summary import summarize_session
from tests.factories import make_card, make_collection, make_topic, make_user
from tests.markup import choices, unstyled_choices

pytestmark = pytest.mark.django_db


def start(user, *topics) -> StudySession:
    return services.start_session(user=user, topics=list(topics))


def grade_url(session):
    return reverse("cards:study_grade", args=[session.pk])


def grade(client, session, prompt, rating, reps=0, **extra):
    return client.post(
        grade_url(session),
        {"prompt": prompt.pk, "rating": rating, "reps": reps, "shown_at": ""},
        **extra,
    )


# Starting a session -----------------------------------------------------------


def test_study_start_page_lists_own_and_starter_topics(client_in, topic, other_user):
    starter = make_topic(name="System design")
    make_card(starter, tags=["caching"])
    foreign = make_topic(owner=other_user, name="Mallory's secrets")
    response = client_in.get(reverse("cards:study_start"))
    assert response.status_code == 200
    body = response.content.decode()
    assert topic.name in body and starter.name in body
    assert foreign.name not in body
    # Two topics, "Only my own cards" and the tag: each a form-check box.
    assert len(choices(body)) == 4 and not unstyled_choices(body)


def test_starting_without_topics_says_so_and_creates_nothing(client_in, topic):
    response = client_in.post(reverse("cards:study_start"), {})
    assert response.status_code == 200
    assert "Choose at least one topic" in response.content.decode()
    assert not StudySession.objects.exists()


def test_starting_with_a_foreign_topic_is_refused(client_in, other_user):
    foreign = make_topic(owner=other_user)
    response = client_in.post(reverse("cards:study_start"), {"topics": [foreign.pk]})
    assert response.status_code == 200
    assert not StudySession.objects.exists()


def test_starting_a_session_redirects_to_it(client_in, user, topic):
    response = client_in.post(reverse("cards:study_start"), {"topics": [topic.pk]})
    session = StudySession.objects.get(user=user)
    assert response.status_code == 302
    assert response.url == session.get_absolute_url()
    assert list(session.topics.all()) == [topic]


# Choosing the next card ---------------------------------------------------------


def test_due_cards_come_before_new_ones(client_in, user, topic):
    new_card = make_card(topic, user, front="Never seen")
    due_card = make_card(topic, user, front="Seen before and due")
    session = start(user, topic)
    now = timezone.now()
    prompt = due_card.prompts.get()
    services.grade_prompt(
        user=user,
        session=None,
        prompt=prompt,
        rating=3,
        expected_reps=0,
        duration_ms=0,
        now=now - timedelta(days=3),
    )
    response = client_in.get(session.get_absolute_url())
    body = response.content.decode()
    question = re.search(r'data-testid="question">(.*?)</div>', body, re.S).group(1)
    assert "Seen before and due" in question
    assert "Never seen" not in question
    # The new card is held to come next.
    held = json.loads(html.unescape(re.search(r'data-held="([^"]*)"', body).group(1)))
    assert [item["prompt"] for item in held] == [new_card.prompts.get().pk]


def test_new_cards_stop_at_the_daily_limit(client_in, user, topic):
    user.profile.new_cards_per_day = 2
    user.profile.save()
    cards = [make_card(topic, user) for _ in range(3)]
    session = start(user, topic)
    for card in cards[:2]:
        response = grade(client_in, session, card.prompts.get(), 4)
        assert response.status_code == 302
    response = client_in.get(session.get_absolute_url())
    body = response.content.decode()
    assert cards[2].front not in body
    assert "That is all for today" in body


def test_suspended_and_foreign_cards_are_never_shown(client_in, user, other_user):
    shared = make_topic(name="Shared")
    make_card(shared, user, front="Suspended one", suspended=True)
    make_card(shared, other_user, front="Someone else's card")
    session = start(user, shared)
    body = client_in.get(session.get_absolute_url()).content.decode()
    assert "Suspended one" not in body
    assert "Someone else" not in body
    assert "Nothing left to study" in body


def test_reversed_card_asks_both_ways_and_cloze_asks_each_deletion(user, topic):
    reversed_card = make_card(topic, user, kind=Card.Kind.REVERSED, front="TCP", back="A protocol")
    cloze = make_card(
        topic, user, kind=Card.Kind.CLOZE, front="{{c1::Kafka}} keeps {{c2::offsets}}", back=""
    )
    assert sorted(reversed_card.prompts.values_list("ordinal", flat=True)) == [0, 1]
    assert sorted(cloze.prompts.values_list("ordinal", flat=True)) == [1, 2]
    reverse_prompt = reversed_card.prompts.get(ordinal=1)
    assert "A protocol" in reverse_prompt.question_html()
    assert "TCP" in reverse_prompt.answer_html()
    second = cloze.prompts.get(ordinal=2)
    assert "[…]" in second.question_html() and "Kafka" in second.question_html()
    assert "offsets" in second.answer_html()


def test_study_page_shows_intervals_on_each_grade_button(client_in, user, topic):
    make_card(topic, user)
    session = start(user, topic)
    body = client_in.get(session.get_absolute_url()).content.decode()
    # A new card: Again 1 minute, Good 10 minutes, Easy 8 days with default FSRS.
    assert "1m" in body and "10m" in body and "8d" in body


# Grading ---------------------------------------------------------------------------


def test_grade_via_htmx_returns_the_next_card_fragment(client_in, user, topic, htmx_headers):
    first = make_card(topic, user, front="First question")
    make_card(topic, user, front="Second question")
    session = start(user, topic)
    response = grade(client_in, session, first.prompts.get(), 3, **htmx_headers)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="study-card"' in body
    assert "Second question" in body
    progress = Progress.objects.get(user=user, card=first)
    assert progress.state == State.LEARNING
    assert progress.reps == 1
    log = ReviewLog.objects.get(user=user)
    assert (log.rating, log.review_number, log.session_id) == (3, 1, session.pk)


def test_grade_uses_fsrs_to_schedule(user, topic):
    card = make_card(topic, user)
    now = timezone.now()
    log = services.grade_prompt(
        user=user,
        session=None,
        prompt=card.prompts.get(),
        rating=4,
        expected_reps=0,
        duration_ms=1500,
        now=now,
    )
    progress = Progress.objects.get(user=user)
    assert progress.state == State.REVIEW
    assert progress.due - now == timedelta(days=8)
    assert progress.stability == pytest.approx(8.2956)
    assert log.due_after == progress.due
    assert log.duration_ms == 1500


def test_the_same_grade_sent_twice_is_recorded_once(client_in, user, topic, htmx_headers):
    card = make_card(topic, user)
    session = start(user, topic)
    prompt = card.prompts.get()
    first = grade(client_in, session, prompt, 3, **htmx_headers)
    second = grade(client_in, session, prompt, 3, **htmx_headers)
    assert first.status_code == second.status_code == 200
    assert "already graded" in second.content.decode()
    assert ReviewLog.objects.filter(user=user).count() == 1
    assert Progress.objects.get(user=user).reps == 1


def test_a_stale_grade_for_a_reviewed_card_writes_nothing(client_in, user, topic):
    card = make_card(topic, user)
    session = start(user, topic)
    prompt = card.prompts.get()
    grade(client_in, session, prompt, 3, reps=0)
    before = Progress.objects.get(user=user)
    response = grade(client_in, session, prompt, 1, reps=0)
    assert response.status_code == 302
    after = Progress.objects.get(user=user)
    assert (after.reps, after.due, after.stability) == (before.reps, before.due, before.stability)
    assert ReviewLog.objects.count() == 1


@pytest.mark.parametrize("rating", ["0", "5", "-1", "good", ""])
def test_a_grade_outside_1_to_4_is_a_400_and_writes_nothing(client_in, user, topic, rating):
    card = make_card(topic, user)
    session = start(user, topic)
    response = client_in.post(
        grade_url(session), {"prompt": card.prompts.get().pk, "rating": rating, "reps": 0}
    )
    assert response.status_code == 302  # back to the card, with the reason in a message
    follow = client_in.get(response.url)
    assert "grade was not recorded" in follow.content.decode()
    assert not ReviewLog.objects.exists()
    assert not Progress.objects.exists()


def test_a_bad_grade_via_htmx_explains_itself(client_in, user, topic, htmx_headers):
    card = make_card(topic, user)
    session = start(user, topic)
    response = client_in.post(
        grade_url(session),
        {"prompt": card.prompts.get().pk, "rating": 9, "reps": 0},
        **htmx_headers,
    )
    assert response.status_code == 200
    assert "must be 1 (Again)" in response.content.decode()
    assert not ReviewLog.objects.exists()


def test_grading_a_card_of_another_user_is_a_404(client_in, user, other_user):
    foreign_topic = make_topic(owner=other_user)
    foreign_card = make_card(foreign_topic, other_user)
    own = make_topic(owner=user)
    session = start(user, own)
    response = grade(client_in, session, foreign_card.prompts.get(), 3)
    assert response.status_code == 404
    assert not ReviewLog.objects.exists()


def test_a_prompt_id_that_does_not_exist_is_a_404(client_in, user, topic):
    session = start(user, topic)
    response = client_in.post(grade_url(session), {"prompt": 999999, "rating": 3, "reps": 0})
    assert response.status_code == 404


def test_another_users_session_is_a_404(client_in, other_user):
    foreign = start(other_user, make_topic(owner=other_user))
    for name in ("study_session", "study_summary"):
        assert client_in.get(reverse(f"cards:{name}", args=[foreign.pk])).status_code == 404
    for name in ("study_grade", "study_undo", "study_end"):
        assert client_in.post(reverse(f"cards:{name}", args=[foreign.pk])).status_code == 404


def test_a_lapse_is_counted(user, topic):
    card = make_card(topic, user)
    prompt = card.prompts.get()
    now = timezone.now()
    services.grade_prompt(
        user=user, session=None, prompt=prompt, rating=4, expected_reps=0, duration_ms=0, now=now
    )
    services.grade_prompt(
        user=user,
        session=None,
        prompt=prompt,
        rating=1,
        expected_reps=1,
        duration_ms=0,
        now=now + timedelta(days=8),
    )
    progress = Progress.objects.get(user=user)
    assert progress.lapses == 1
    assert progress.state == State.RELEARNING


# Undo --------------------------------------------------------------------------------


def test_undo_puts_the_card_back_as_it_was(client_in, user, topic, htmx_headers):
    card = make_card(topic, user, front="Undo me")
    session = start(user, topic)
    prompt = card.prompts.get()
    now = timezone.now()
    services.grade_prompt(
        user=user,
        session=session,
        prompt=prompt,
        rating=3,
        expected_reps=0,
        duration_ms=0,
        now=now - timedelta(hours=1),
    )
    before = Progress.objects.get(user=user)
    log = services.grade_prompt(
        user=user, session=session, prompt=prompt, rating=1, expected_reps=1, duration_ms=0, now=now
    )
    response = client_in.post(
        reverse("cards:study_undo", args=[session.pk]), {"review": log.pk}, **htmx_headers
    )
    assert response.status_code == 200
    assert "Undo me" in response.content.decode()
    after = Progress.objects.get(user=user)
    assert (after.reps, after.state, after.due, after.stability, after.step) == (
        before.reps,
        before.state,
        before.due,
        before.stability,
        before.step,
    )
    assert ReviewLog.objects.count() == 1


def test_undo_of_a_first_grade_makes_the_card_new_again(client_in, user, topic):
    card = make_card(topic, user)
    session = start(user, topic)
    grade(client_in, session, card.prompts.get(), 3)
    log = ReviewLog.objects.get()
    response = client_in.post(reverse("cards:study_undo", args=[session.pk]), {"review": log.pk})
    assert response.status_code == 302
    assert f"prompt={card.prompts.get().pk}" in response.url
    assert not Progress.objects.exists()
    assert not ReviewLog.objects.exists()


def test_a_stale_undo_is_refused(client_in, user, topic):
    first, second = make_card(topic, user), make_card(topic, user)
    session = start(user, topic)
    grade(client_in, session, first.prompts.get(), 3)
    old_log = ReviewLog.objects.get()
    grade(client_in, session, second.prompts.get(), 3)
    response = client_in.post(
        reverse("cards:study_undo", args=[session.pk]), {"review": old_log.pk}, follow=True
    )
    assert "Only the last grade" in response.content.decode()
    assert ReviewLog.objects.count() == 2
    # and undoing the same grade twice takes it back once
    latest = ReviewLog.objects.latest("reviewed_at")
    client_in.post(reverse("cards:study_undo", args=[session.pk]), {"review": latest.pk})
    response = client_in.post(
        reverse("cards:study_undo", args=[session.pk]), {"review": latest.pk}, follow=True
    )
    assert "nothing to undo" in response.content.decode()
    assert ReviewLog.objects.count() == 1


# Summary -----------------------------------------------------------------------------


def test_summary_counts_the_sessions_grades(client_in, user, topic):
    cards = [make_card(topic, user) for _ in range(3)]
    session = start(user, topic)
    for card, rating in zip(cards, [1, 3, 3], strict=True):
        grade(client_in, session, card.prompts.get(), rating)
    summary = summarize_session(session)
    assert summary.reviews == 3
    assert summary.new == 3
    assert summary.by_rating == {"Again": 1, "Hard": 0, "Good": 2, "Easy": 0}
    response = client_in.post(reverse("cards:study_end", args=[session.pk]))
    assert response.status_code == 302
    page = client_in.get(response.url).content.decode()
    assert 'data-testid="summary-reviews">3<' in page
    session.refresh_from_db()
    assert session.finished_at is not None


# Query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("size", [10, 5000])
def test_study_step_runs_a_fixed_number_of_queries(
    client_in, user, size, django_assert_max_num_queries, htmx_headers
):
    topic = make_collection(user, size)
    session = start(user, topic)
    client_in.get(session.get_absolute_url())  # warm the session and time zone
    # Showing a card: session, user, study session and its topics, settings, due
    # count, today's new count, the card, the last grade = 9. Grading adds the
    # prompt check, the progress read and write, the log insert, the day's count
    # (made if missing, then counted up), a savepoint, and, the next card being
    # a new one, its search (the person's own cards, the starter library's, the
    # prompt: 3 in place of the card) and the session's note of where it was.
    # Load balancing adds two to each: the coming days' due counts and the days of
    # the person's upcoming interviews (light days), read once a request for the
    # grades of three days or more (the card shown is a review).
    # Holding the next five cards adds the due ones to come (1), a search for
    # each new one (up to 5) and their prompts (1): at most 18.
    with django_assert_max_num_queries(18):
        response = client_in.get(session.get_absolute_url(), **htmx_headers)
    assert response.status_code == 200
    due = (
        Progress.objects.filter(user=user, due__lte=timezone.now())
        .select_related("prompt")
        .order_by("due")
        .first()
    )
    with django_assert_max_num_queries(22):
        response = grade(client_in, session, due.prompt, 3, reps=due.reps, **htmx_headers)
    assert response.status_code == 200
    assert ReviewLog.objects.filter(user=user).count() == 1


def test_database_is_configured_for_concurrent_writers():
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        assert settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 20_000
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
    else:
        assert connection.vendor == "postgresql"
        assert settings_dict["CONN_MAX_AGE"] > 0


def test_two_users_progress_on_the_starter_library_is_separate(user):
    starter = make_topic(name="Shared starter")
    card = make_card(starter)
    someone = make_user()
    now = timezone.now()
    for person in (user, someone):
        services.grade_prompt(
            user=person,
            session=None,
            prompt=card.prompts.get(),
            rating=3,
            expected_reps=0,
            duration_ms=0,
            now=now,
        )
    assert Progress.objects.filter(prompt__card=card).count() == 2
    assert ReviewLog.objects.filter(card=card).count() == 2
