"""The copies kept for speed: each progress row's topic and suspension (copied
from its card), each card's prompt count and the per-day review counts
(``ReviewDay``). Whatever changes
a card, grades it, undoes a grade or loads a history in bulk, the copies agree
with what they copy, and so do the figures a person sees."""

import collections
import re
from datetime import UTC, date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from cards.models import Card, Progress, Rating, ReviewDay, ReviewLog, State, StudySession
from tests.factories import make_card, make_topic, make_user

RETENTION_DAYS = 30


# Helpers ---------------------------------------------------------------------------


class Clock:
    """``timezone.now`` pinned to a moment the test moves, so grades fall on the
    local days and hours it chooses. Moving it logs the person in again: a
    session saved at one moment has expired a few weeks later."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, moment: datetime, client=None, user=None) -> None:
        self.now = moment.astimezone(UTC)  # as timezone.now gives it
        if client is not None:
            client.force_login(user)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def local(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def start_session(client, *topics) -> StudySession:
    response = client.post(reverse("cards:study_start"), {"topics": [t.pk for t in topics]})
    assert response.status_code == 302
    return StudySession.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def grade(client, session, prompt, rating: int) -> None:
    """Grade a prompt through the study view, as the page's form would send it."""
    progress = Progress.objects.filter(user=session.user, prompt=prompt).first()
    response = client.post(
        reverse("cards:study_grade", args=[session.pk]),
        {"prompt": prompt.pk, "rating": rating, "reps": progress.reps if progress else 0},
    )
    assert response.status_code == 302, response.content.decode()[:500]


def undo_last(client, session) -> ReviewLog:
    last = ReviewLog.objects.filter(session=session).order_by("-reviewed_at", "-pk").first()
    response = client.post(reverse("cards:study_undo", args=[session.pk]), {"review": last.pk})
    assert response.status_code == 302
    assert f"prompt={last.prompt_id}" in response.url
    assert not ReviewLog.objects.filter(pk=last.pk).exists()
    return last


def card_form(card: Card, **changes) -> dict:
    data = {
        "topic": card.topic_id,
        "kind": card.kind,
        "front": card.front,
        "back": card.back,
        "tags": "",
    }
    if card.suspended:
        data["suspended"] = "on"
    data.update(changes)
    return data


def edit(client, card: Card, **changes) -> None:
    response = client.post(reverse("cards:card_edit", args=[card.pk]), card_form(card, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]


def figure(body: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', body)
    assert match, f"no {testid} on the page"
    return match.group(1)


def home_figures(client) -> dict[str, int]:
    body = client.get("/").content.decode()
    today = re.search(r'<div class="display-6">(\d+)</div>\s*<div[^>]*>reviews? today', body)
    return {
        "due_now": int(figure(body, "due-now")),
        "reviews_today": int(today.group(1)),
        "streak": int(figure(body, "home-streak")),
    }


def study_due_count(client, *topics) -> tuple[int, str]:
    """A new session over the topics: the due count it shows, and the page."""
    session = start_session(client, *topics)
    body = client.get(session.get_absolute_url()).content.decode()
    return int(figure(body, "due-count")), body


def dashboard(client) -> dict:
    body = client.get(reverse("cards:progress")).content.decode()
    heatmap = re.search(r"(\d+) reviews? on (\d+) days? in the past year", body)
    retention_reviews = re.search(r"true retention, 30 days<br>(\d+) review", body)
    table = body.split("Reviews per day as a table", 1)[1].split("</table>", 1)[0]
    topics = {
        name: {"mastered": int(m), "prompts": int(p), "studied": int(s), "retention": r}
        for name, m, p, s, r in re.findall(
            r'<th scope="row"><a href="[^"]*">([^<]+)</a>.*?</th>.*?'
            r'<td class="text-end">(\d+) / (\d+)</td>\s*'
            r'<td class="text-end">(\d+)</td>\s*<td class="text-end">([^<]*)</td>',
            body,
            flags=re.DOTALL,
        )
    }
    return {
        "due_today": int(figure(body, "due-today")),
        "reviews_today": int(figure(body, "reviews-today")),
        "streak": int(figure(body, "streak")),
        "retention": figure(body, "retention"),
        "retention_reviews": int(retention_reviews.group(1)),
        "heatmap_total": int(heatmap.group(1)),
        "days_studied": int(heatmap.group(2)),
        "per_day": {
            day: int(n) for day, n in re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td>", table)
        },
        "topics": topics,
    }


def percent(passed: int, n: int) -> str:
    return "–" if not n else f"{round(passed / n * 100)}%"


# The oracle: what the copies should say, worked out from the review log itself.


def log_by_day_and_topic(user, zone: ZoneInfo) -> dict[tuple[date, int], tuple[int, int, int]]:
    """(local day, topic) → (grades, grades of cards in review, of those not Again)."""
    counts = collections.defaultdict(lambda: [0, 0, 0])
    for reviewed_at, topic_id, state_before, rating in ReviewLog.objects.filter(
        user=user
    ).values_list("reviewed_at", "card__topic_id", "state_before", "rating"):
        entry = counts[(reviewed_at.astimezone(zone).date(), topic_id)]
        entry[0] += 1
        if state_before == State.REVIEW:
            entry[1] += 1
            entry[2] += rating != Rating.AGAIN
    return {key: tuple(value) for key, value in counts.items()}


def log_by_day(user, zone: ZoneInfo) -> dict[date, int]:
    days = collections.Counter()
    for (day, _topic), (n, _in_review, _passed) in log_by_day_and_topic(user, zone).items():
        days[day] += n
    return dict(days)


def retention_from_log(user, zone: ZoneInfo, today: date, topic=None) -> tuple[int, int]:
    since = today - timedelta(days=RETENTION_DAYS - 1)
    n = passed = 0
    for (day, topic_id), (_grades, in_review, ok) in log_by_day_and_topic(user, zone).items():
        if day >= since and (topic is None or topic_id == topic.pk):
            n, passed = n + in_review, passed + ok
    return n, passed


def current_streak(days: set[date], today: date) -> int:
    day = today if today in days else today - timedelta(days=1)
    run = 0
    while day in days:
        run, day = run + 1, day - timedelta(days=1)
    return run


def review_day_rows(user) -> dict[tuple[date, int], tuple[int, int, int]]:
    """What ReviewDay holds, rows emptied by undos left out."""
    return {
        (row.day, row.topic_id): (row.reviews, row.in_review, row.passed)
        for row in ReviewDay.objects.filter(user=user)
        if row.reviews or row.in_review or row.passed
    }


def review_day_totals(user) -> dict[date, int]:
    days = collections.Counter()
    for (day, _topic), (n, _in_review, _passed) in review_day_rows(user).items():
        days[day] += n
    return {day: n for day, n in days.items() if n}


def mismatched_progress(user) -> list[tuple]:
    """Progress rows whose topic or suspension differs from their card's."""
    return [
        row
        for row in Progress.objects.filter(user=user).values_list(
            "pk", "topic_id", "card__topic_id", "suspended", "card__suspended"
        )
        if (row[1], row[3]) != (row[2], row[4])
    ]


def shown(day: date) -> str:
    return dateformat.format(day, "D j M Y")


# 1. Editing and suspending a card carries its progress along ----------------------------


@pytest.mark.django_db
def test_moving_a_card_to_another_topic_moves_its_progress(client_in, user, topic, clock):
    databases = make_topic(owner=user, name="Databases")
    moved = make_card(topic, user, kind=Card.Kind.REVERSED, front="TCP", back="A protocol")
    stays = make_card(topic, user, front="Raft")
    session = start_session(client_in, topic, databases)
    for prompt in [*moved.prompts.all(), stays.prompts.get()]:
        grade(client_in, session, prompt, Rating.GOOD)
    clock.set(clock.now + timedelta(hours=1), client_in, user)  # every learning step is due

    assert home_figures(client_in)["due_now"] == 3
    figures = dashboard(client_in)["topics"]
    assert figures[topic.name]["studied"] == 3 and figures[databases.name]["studied"] == 0
    assert study_due_count(client_in, topic)[0] == 3

    edit(client_in, moved, topic=databases.pk)

    assert set(Progress.objects.filter(card=moved).values_list("topic_id", "suspended")) == {
        (databases.pk, False)
    }
    assert Progress.objects.get(card=stays).topic_id == topic.pk
    assert mismatched_progress(user) == []
    figures = dashboard(client_in)["topics"]
    assert (figures[topic.name]["studied"], figures[topic.name]["prompts"]) == (1, 1)
    assert (figures[databases.name]["studied"], figures[databases.name]["prompts"]) == (2, 2)
    assert study_due_count(client_in, topic)[0] == 1
    due, body = study_due_count(client_in, databases)
    assert due == 2 and ("TCP" in body or "A protocol" in body)
    assert home_figures(client_in)["due_now"] == 3

    # Suspending it through the same form takes both prompts out of every count.
    moved.refresh_from_db()
    edit(client_in, moved, suspended="on")
    assert set(Progress.objects.filter(card=moved).values_list("topic_id", "suspended")) == {
        (databases.pk, True)
    }
    assert home_figures(client_in)["due_now"] == 1
    assert dashboard(client_in)["due_today"] == 1
    due, body = study_due_count(client_in, databases)
    assert due == 0 and "Nothing left to study" in body


@pytest.mark.django_db
def test_the_suspend_button_takes_a_due_card_out_of_the_counts_and_the_queue(
    client_in, user, topic, clock, htmx_headers
):
    suspended = make_card(topic, user, front="Paxos phases?")
    other = make_card(topic, user, front="Raft terms?")
    session = start_session(client_in, topic)
    for card in (suspended, other):
        grade(client_in, session, card.prompts.get(), Rating.GOOD)
    clock.set(clock.now + timedelta(hours=1), client_in, user)
    assert home_figures(client_in)["due_now"] == 2
    assert dashboard(client_in)["due_today"] == 2

    response = client_in.post(reverse("cards:card_suspend", args=[suspended.pk]))
    assert response.status_code == 302
    assert Progress.objects.get(card=suspended).suspended is True
    assert Progress.objects.get(card=other).suspended is False
    assert home_figures(client_in)["due_now"] == 1
    figures = dashboard(client_in)
    assert figures["due_today"] == 1
    assert figures["topics"][topic.name]["studied"] == 1
    assert figures["topics"][topic.name]["prompts"] == 1

    # The queue shows the other card, and once that is graded, nothing.
    due, body = study_due_count(client_in, topic)
    assert due == 1 and "Raft terms?" in body and "Paxos phases?" not in body
    session = StudySession.objects.filter(user=user).first()
    grade(client_in, session, other.prompts.get(), Rating.EASY)
    body = client_in.get(session.get_absolute_url()).content.decode()
    assert "Paxos phases?" not in body and "Nothing left to study" in body
    assert home_figures(client_in)["due_now"] == 0

    # Taking the suspension back (from the card page, by htmx) brings it back.
    response = client_in.post(reverse("cards:card_suspend", args=[suspended.pk]), **htmx_headers)
    assert response.status_code == 200
    assert Progress.objects.get(card=suspended).suspended is False
    assert mismatched_progress(user) == []
    assert home_figures(client_in)["due_now"] == 1
    assert dashboard(client_in)["due_today"] == 1
    due, body = study_due_count(client_in, topic)
    assert due == 1 and "Paxos phases?" in body


# 2. Grades and undos keep the day counts and the dashboard true ---------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "zone_name",
    # 07:30 in Tokyo is the day before in UTC; 23:30 in Los Angeles is the day after.
    ["Asia/Tokyo", "America/Los_Angeles"],
)
def test_day_counts_and_dashboard_agree_with_the_review_log(
    client, clock, zone_name, django_assert_max_num_queries
):
    zone = ZoneInfo(zone_name)
    user = make_user("grader", timezone=zone_name)
    client.force_login(user)
    systems = make_topic(owner=user, name="Systems")
    databases = make_topic(owner=user, name="Databases")
    a, b, c = (make_card(systems, user, front=f"Systems {n}?") for n in "abc")
    d, e = (make_card(databases, user, front=f"Databases {n}?") for n in "de")
    day0 = timezone.now().astimezone(zone).date()

    # A month ago: e learnt at once, and reviewed a week later (before the
    # 30-day retention window that the dashboard shows at the end).
    clock.set(local(day0 - timedelta(days=30), 7, 30, zone), client, user)
    session = start_session(client, systems, databases)
    grade(client, session, e.prompts.get(), Rating.EASY)
    clock.set(local(day0 - timedelta(days=22), 23, 30, zone), client, user)
    grade(client, session, e.prompts.get(), Rating.GOOD)

    # Day 0, morning and late evening.
    clock.set(local(day0, 7, 30, zone), client, user)
    for card, rating in ((a, Rating.EASY), (d, Rating.EASY), (b, Rating.GOOD), (c, Rating.AGAIN)):
        grade(client, session, card.prompts.get(), rating)
    client.get("/")
    with CaptureQueriesContext(connection) as first_dashboard:
        client.get(reverse("cards:progress"))
    dashboard_queries = len(first_dashboard)  # now: each request clears the query log
    clock.set(local(day0, 23, 30, zone), client, user)
    grade(client, session, b.prompts.get(), Rating.GOOD)
    grade(client, session, c.prompts.get(), Rating.GOOD)

    # Nine days on: a lapses, d passes, b is graded Hard, undone, then Good.
    clock.set(local(day0 + timedelta(days=9), 7, 30, zone), client, user)
    grade(client, session, a.prompts.get(), Rating.AGAIN)
    grade(client, session, d.prompts.get(), Rating.GOOD)
    grade(client, session, b.prompts.get(), Rating.HARD)
    clock.set(clock.now + timedelta(minutes=1))
    undone = undo_last(client, session)
    assert (undone.prompt_id, undone.rating) == (b.prompts.get().pk, Rating.HARD)
    grade(client, session, b.prompts.get(), Rating.GOOD)

    # And the next day, late.
    clock.set(local(day0 + timedelta(days=10), 23, 30, zone), client, user)
    grade(client, session, c.prompts.get(), Rating.GOOD)
    grade(client, session, e.prompts.get(), Rating.GOOD)
    clock.set(clock.now + timedelta(minutes=15), client, user)
    today = clock.now.astimezone(zone).date()

    expected = log_by_day_and_topic(user, zone)
    per_day = log_by_day(user, zone)
    retention_n, retention_passed = retention_from_log(user, zone, today)
    # The scenario is one that can tell a right answer from a wrong one: grades
    # on five local days, some on a different UTC day, review grades passed and
    # failed, one in review outside the window.
    assert len(per_day) == 5
    assert any(
        log.reviewed_at.astimezone(zone).date() != log.reviewed_at.astimezone(UTC).date()
        for log in ReviewLog.objects.filter(user=user)
    )
    assert 0 < retention_passed < retention_n
    assert sum(in_review for _n, in_review, _p in expected.values()) > retention_n

    assert review_day_rows(user) == expected
    client.get("/")
    with django_assert_max_num_queries(dashboard_queries):
        figures = dashboard(client)
    assert figures["per_day"] == {shown(day): n for day, n in sorted(per_day.items())}
    assert figures["heatmap_total"] == sum(per_day.values()) == ReviewLog.objects.count()
    assert figures["days_studied"] == len(per_day)
    assert figures["reviews_today"] == per_day[today]
    assert figures["streak"] == current_streak(set(per_day), today) == 2
    assert figures["retention_reviews"] == retention_n
    assert figures["retention"] == percent(retention_passed, retention_n)
    for topic in (systems, databases):
        n, passed = retention_from_log(user, zone, today, topic)
        assert figures["topics"][topic.name]["retention"] == percent(passed, n)
    home = home_figures(client)
    assert home["streak"] == 2
    assert home["reviews_today"] == per_day[today]
    assert mismatched_progress(user) == []


@pytest.mark.django_db
def test_undoing_a_grade_of_a_card_moved_since_takes_it_off_its_day(client_in, user, topic):
    databases = make_topic(owner=user, name="Databases")
    card = make_card(topic, user)
    session = start_session(client_in, topic)
    grade(client_in, session, card.prompts.get(), Rating.GOOD)
    edit(client_in, card, topic=databases.pk)
    undo_last(client_in, session)

    assert not ReviewLog.objects.filter(user=user).exists()
    assert review_day_totals(user) == {}
    figures = dashboard(client_in)
    assert (figures["heatmap_total"], figures["days_studied"], figures["streak"]) == (0, 0, 0)


@pytest.mark.django_db
def test_undoing_a_grade_after_changing_time_zone_takes_it_off_its_day(client, clock):
    tokyo = ZoneInfo("Asia/Tokyo")
    user = make_user("traveller", timezone="Asia/Tokyo")
    topic = make_topic(owner=user)
    card = make_card(topic, user)
    # 07:30 in Tokyo: still the day before in UTC.
    morning = local(timezone.now().astimezone(tokyo).date(), 7, 30, tokyo)
    clock.set(morning, client, user)
    session = start_session(client, topic)
    grade(client, session, card.prompts.get(), Rating.GOOD)
    assert review_day_totals(user) == {morning.date(): 1}

    response = client.post(
        reverse("accounts:settings"), {"new_cards_per_day": 20, "timezone": "UTC"}
    )
    assert response.status_code == 302
    undo_last(client, session)

    assert not ReviewLog.objects.filter(user=user).exists()
    assert review_day_totals(user) == {}
    assert dashboard(client)["heatmap_total"] == 0


# 3. A generated history leaves consistent copies ------------------------------------------


@pytest.mark.django_db
def test_make_history_leaves_copies_that_agree_with_cards_and_log(client):
    zone = ZoneInfo("America/Los_Angeles")  # daylight saving time moves the day's edge
    user = make_user("hist", timezone="America/Los_Angeles")
    client.force_login(user)
    # Something of the person's own first: a card graded and then suspended.
    own = make_card(make_topic(owner=user, name="Own notes"), user, front="Own card?")
    session = start_session(client, own.topic)
    grade(client, session, own.prompts.get(), Rating.GOOD)
    assert client.post(reverse("cards:card_suspend", args=[own.pk])).status_code == 302

    out, err = StringIO(), StringIO()
    call_command(
        "make_history",
        cards=60,
        reviews=400,
        days=90,
        user="hist",
        seed=3,
        stdout=out,
        stderr=err,
    )
    assert "400 reviews written" in out.getvalue()

    assert Progress.objects.filter(user=user).count() > 30
    assert Progress.objects.filter(user=user, suspended=True).count() == 1
    assert mismatched_progress(user) == []
    assert ReviewLog.objects.filter(user=user).count() == 401
    assert review_day_rows(user) == log_by_day_and_topic(user, zone)
    per_day = log_by_day(user, zone)
    assert review_day_totals(user) == per_day

    today = timezone.now().astimezone(zone).date()
    n, passed = retention_from_log(user, zone, today)
    figures = dashboard(client)
    assert figures["per_day"] == {shown(day): count for day, count in sorted(per_day.items())}
    assert figures["heatmap_total"] == 401
    assert figures["retention_reviews"] == n > 0
    assert figures["retention"] == percent(passed, n)
    assert figures["streak"] == current_streak(set(per_day), today)
