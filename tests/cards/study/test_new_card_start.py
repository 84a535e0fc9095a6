"""Where a study session's new cards start: the walk over each topic's cards in
the order added moves on with each grade, comes back for a card made new again
behind it, and starts a new session where the furthest one got to."""

import re
from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cards.models import Card, Progress, ReviewLog, State
from cards.services import save_card
from cards.study import services
from prep_site import planner
from tests.cards.study.test_study import grade, start
from tests.factories import make_card, make_collection, make_topic, make_user
from tests.plans import plan_of_sql

pytestmark = pytest.mark.django_db


def study_page(client, session) -> str:
    """The session's page as the person opens it: the next card it shows."""
    return client.get(session.get_absolute_url()).content.decode()


def test_a_grade_moves_the_sessions_start_for_new_cards_on(client_in, user, topic, htmx_headers):
    cards = [make_card(topic, user, front=f"New card {n}") for n in range(4)]
    session = start(user, topic)
    assert session.new_from == cards[0].pk
    response = grade(client_in, session, cards[0].prompts.get(), 4, **htmx_headers)
    assert "New card 1" in response.content.decode()
    session.refresh_from_db()
    assert session.new_from == cards[1].pk
    # Showing a card (a GET) writes nothing: the start moves with grades only.
    client_in.get(session.get_absolute_url())
    session.refresh_from_db()
    assert session.new_from == cards[1].pk


def test_a_card_unsuspended_behind_the_start_is_offered_again(client_in, user, topic, htmx_headers):
    first = make_card(topic, user, front="First, suspended for a while", suspended=True)
    second = make_card(topic, user, front="Second card")
    third = make_card(topic, user, front="Third card")
    session = start(user, topic)
    grade(client_in, session, second.prompts.get(), 4, **htmx_headers)
    session.refresh_from_db()
    assert session.new_from == third.pk
    client_in.post(reverse("cards:card_suspend", args=[first.pk]))
    first.refresh_from_db()
    assert not first.suspended
    assert "First, suspended for a while" in study_page(client_in, session)


def test_an_undone_first_grade_is_offered_again_as_new(client_in, user, topic, htmx_headers):
    first = make_card(topic, user, front="The card graded then undone")
    make_card(topic, user, front="The card after it")
    session = start(user, topic)
    grade(client_in, session, first.prompts.get(), 4, **htmx_headers)
    log = ReviewLog.objects.get()
    client_in.post(reverse("cards:study_undo", args=[session.pk]), {"review": log.pk})
    # Asked again from scratch (not with ?prompt=), the session finds it as new.
    assert "The card graded then undone" in study_page(client_in, session)
    session.refresh_from_db()
    assert session.new_from <= first.pk


def test_a_new_cloze_on_an_old_card_is_offered_in_open_sessions(
    client_in, user, topic, htmx_headers
):
    cloze = make_card(topic, user, kind=Card.Kind.CLOZE, front="{{c1::Raft}} elects", back="")
    later = make_card(topic, user, front="A later card")
    session = start(user, topic)
    grade(client_in, session, cloze.prompts.get(), 4, **htmx_headers)
    session.refresh_from_db()
    assert session.new_from == later.pk
    cloze.front = "{{c1::Raft}} elects a {{c2::leader}}"
    save_card(card=cloze)
    session.refresh_from_db()
    assert session.new_from == cloze.pk
    # Today the new cloze is buried with its card (its sibling was studied
    # today); tomorrow it comes before the later card.
    nxt = services.next_prompt_for(
        session=session, now=timezone.now(), zone=timezone.get_current_timezone(), new_per_day=99
    )
    assert nxt.prompt.card_id == later.pk
    nxt = services.next_prompt_for(
        session=session,
        now=timezone.now() + timedelta(days=1),
        zone=timezone.get_current_timezone(),
        new_per_day=99,
    )
    assert (nxt.prompt.card_id, nxt.prompt.ordinal) == (cloze.pk, 2)


def walked_from(captured, user) -> int:
    """Where the walk over the person's own cards started, in the queries run."""
    [walk] = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "cards_card"' in q["sql"] and f'"owner_id" = {user.pk}' in q["sql"]
    ]
    return int(re.search(r'"cards_card"\."id" >= (\d+)', walk).group(1))


def test_a_new_session_starts_where_the_furthest_over_its_topics_got_to(
    client_in, user, topic, htmx_headers
):
    other = make_topic(owner=user, name="Another topic")
    cards = [make_card(topic, user, front=f"Card {n}") for n in range(4)]
    first = start(user, topic, other)
    for card in cards[:2]:
        grade(client_in, first, card.prompts.get(), 4, **htmx_headers)
    first.refresh_from_db()
    assert first.new_from == cards[2].pk

    # The same topics, or fewer: the walk to the first new card starts where
    # the first session got to.
    for topics in ((topic, other), (topic,)):
        with CaptureQueriesContext(connection) as captured:
            again = start(user, *topics)
        assert walked_from(captured, user) == cards[2].pk
        assert again.new_from == cards[2].pk
    assert "Card 2" in study_page(client_in, again)
    # A topic no session has covered with these: walked from the start.
    third = make_topic(owner=user, name="A third topic")
    with CaptureQueriesContext(connection) as captured:
        assert start(user, topic, third).new_from == cards[2].pk
    assert walked_from(captured, user) == 0
    # Another person's sessions count for nothing (and they have no cards).
    assert start(make_user("bob"), make_topic(name="Starter topic")).new_from == 0


def test_once_every_own_card_is_studied_the_walk_starts_past_the_last(
    client_in, user, topic, htmx_headers
):
    """A person who has studied all their cards is not walked over them again at
    every step: the session's start moves past the last, and a card made later
    is still offered as new."""
    cards = [make_card(topic, user, front=f"Card {n}") for n in range(3)]
    session = start(user, topic)
    for card in cards:
        grade(client_in, session, card.prompts.get(), 4, **htmx_headers)
    session.refresh_from_db()
    assert session.new_from == cards[-1].pk + 1
    assert start(user, topic).new_from == cards[-1].pk + 1

    later = make_card(topic, user, front="Written after all the others were studied")
    assert later.pk >= session.new_from
    assert "Written after all the others were studied" in study_page(client_in, session)


def test_a_new_session_offers_a_card_made_new_again_behind_the_furthest_start(
    client_in, user, topic, htmx_headers
):
    earlier = make_card(topic, user, front="Earlier, suspended for a while", suspended=True)
    cards = [make_card(topic, user, front=f"Card {n}") for n in range(3)]
    first = start(user, topic)
    grade(client_in, first, cards[0].prompts.get(), 4, **htmx_headers)
    grade(client_in, first, cards[1].prompts.get(), 4, **htmx_headers)
    client_in.post(reverse("cards:card_suspend", args=[earlier.pk]))
    later = start(user, topic)
    assert later.new_from <= earlier.pk
    assert "Earlier, suspended for a while" in study_page(client_in, later)
    # And an undone first grade, in the session that made it.
    grade(client_in, later, earlier.prompts.get(), 4, **htmx_headers)
    log = ReviewLog.objects.filter(card=cards[1]).get()
    response = client_in.post(reverse("cards:study_undo", args=[first.pk]), {"review": log.pk})
    assert response.status_code == 302
    assert "Card 1" in study_page(client_in, start(user, topic))


def test_the_new_card_search_walks_each_topics_cards_in_order_and_sorts_nothing(user, topic):
    """The walk over the person's own cards of a topic stops at the first new
    one, whatever comes after it: a sort would first read every card after the
    session's start. (The starter library's is a few hundred cards: either plan
    is quick.)"""
    collection = make_collection(user, 3000, studied=0.5)
    library = make_topic(name="Starter topic")
    make_card(library, front="A starter card")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    Progress.objects.update(due=timezone.now() + timedelta(days=3))  # nothing due
    session = start(user, collection, library)
    with CaptureQueriesContext(connection) as captured:
        nxt = services.next_prompt_for(
            session=session, now=timezone.now(), zone=UTC, new_per_day=20
        )
    assert nxt.prompt.card.front == "Q1500"  # the person's own first
    [walk] = [q["sql"] for q in captured.captured_queries if 'FROM "cards_topic"' in q["sql"]]
    plan = plan_of_sql(walk)
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in plan, plan
    else:
        # PostgreSQL weighs a walk against a sort by its statistics, and on a
        # table this small may sort either way: the plan it chooses is its own.
        assert "Seq Scan on cards_card " not in plan, plan


def test_the_sessions_last_grade_is_read_at_the_end_of_an_index(user, topic):
    """The undo form's "last grade" (on every step) reads one index entry, not
    every grade of a long session: the session's index holds the id that breaks
    ties of time (SQLite's holds it anyway; PostgreSQL's needed it)."""
    card = make_card(topic, user)
    prompt = card.prompts.get()
    session = start(user, topic)
    other = start(user, topic)
    now = timezone.now()
    ReviewLog.objects.bulk_create(
        ReviewLog(
            user=user,
            card=card,
            prompt=prompt,
            session=session if n % 2 else other,
            rating=3,
            # Pairs of grades in the same second: the later id is the later grade.
            reviewed_at=now - timedelta(seconds=(4000 - n) // 2),
            day=now.date(),
            review_number=n + 1,
            state_before=State.REVIEW,
            state_after=State.REVIEW,
            due_after=now,
        )
        for n in range(4000)
    )
    last = ReviewLog.objects.filter(session=session).order_by("-id").first()
    if connection.vendor == "postgresql":
        planner.analyze()
    with CaptureQueriesContext(connection) as captured:
        assert services.latest_review_id(session) == last.pk
    [query] = captured.captured_queries
    plan = plan_of_sql(query["sql"])
    assert "review_session_time" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
