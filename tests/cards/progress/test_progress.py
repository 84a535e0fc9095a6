"""The dashboard's numbers against fixtures computed by hand."""

import itertools
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cards import review_days
from cards.models import Progress, Prompt, ReviewDay, ReviewLog, State
from cards.progress import charts, readiness
from cards.progress import dashboard as progress
from cards.services import card_history
from cards.study import services
from interviews.models import Interview
from tests.factories import make_card, make_collection, make_interview, make_topic
from tests.plans import plan_of_sql

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def log(user, card, *, at, rating=3, state_before=State.REVIEW, number=None):
    """A review written straight into the log, in the past, then the day counts
    rebuilt from the log as a bulk load does."""
    prompt = card.prompts.first()
    number = number or ReviewLog.objects.filter(user=user, prompt=prompt).count() + 1
    review = ReviewLog.objects.create(
        user=user,
        card=card,
        prompt=prompt,
        rating=rating,
        reviewed_at=at,
        review_number=number,
        state_before=state_before,
        state_after=State.REVIEW,
        due_after=at + timedelta(days=3),
    )
    recount(user)
    return review


def recount(user):
    review_days.recount(ReviewDay, ReviewLog, user_id=user.pk)


def progress_row(user, card, *, due, stability=5.0, state=State.REVIEW):
    prompt = card.prompts.first()
    return Progress.objects.create(
        user=user,
        prompt=prompt,
        card=card,
        state=state,
        stability=stability,
        difficulty=5.0,
        due=due,
        last_review=due - timedelta(days=2),
        reps=1,
    )


# Streaks ------------------------------------------------------------------------------


def test_streak_is_broken_by_one_missed_day():
    today = date(2026, 11, 25)
    days = {today - timedelta(days=n) for n in (0, 1, 2, 4, 5, 6, 7, 9)}
    # today, yesterday, the day before: 3; then a gap on day 3; then 4 in a row.
    assert progress.streaks(days, today) == (3, 4)


def test_a_streak_survives_until_today_is_over():
    today = date(2026, 11, 25)
    days = {today - timedelta(days=n) for n in (1, 2)}
    assert progress.streaks(days, today) == (2, 2)
    assert progress.streaks({today - timedelta(days=2)}, today) == (0, 1)
    assert progress.streaks(set(), today) == (0, 0)


@pytest.mark.parametrize(
    ("zone", "day"),
    # 23:30 UTC on the 24th is already the 25th in Tokyo, still the 24th in New York.
    [("Asia/Tokyo", date(2026, 11, 25)), ("America/New_York", date(2026, 11, 24))],
)
def test_a_grade_counts_on_the_local_day_it_was_given(user, zone, day):
    card = make_card(make_topic(owner=user), user)
    with timezone.override(ZoneInfo(zone)):
        services.grade_prompt(
            user=user,
            session=None,
            prompt=card.prompts.get(),
            rating=3,
            expected_reps=0,
            duration_ms=1000,
            now=datetime(2026, 11, 24, 23, 30, tzinfo=UTC),
        )
    assert progress.review_days(user=user) == {day: 1}


@pytest.mark.parametrize(
    ("zone", "day"),
    [("Asia/Tokyo", date(2026, 11, 25)), ("America/New_York", date(2026, 11, 24))],
)
def test_a_review_keeps_its_local_day_through_a_rebuild(user, zone, day):
    card = make_card(make_topic(owner=user), user)
    with timezone.override(ZoneInfo(zone)):
        review = log(user, card, at=datetime(2026, 11, 24, 23, 30, tzinfo=UTC))
    assert review.day == day
    with timezone.override(ZoneInfo("Pacific/Kiritimati")):  # wherever the person is now
        recount(user)
    assert progress.review_days(user=user) == {day: 1}


def test_undo_takes_the_grade_off_its_day(user):
    card = make_card(make_topic(owner=user), user)
    now = timezone.now()
    graded = [
        services.grade_prompt(
            user=user,
            session=None,
            prompt=card.prompts.get(),
            rating=rating,
            expected_reps=reps,
            duration_ms=1000,
            now=now + timedelta(days=reps * 3),
        )
        for reps, rating in enumerate([3, 3])
    ]
    today = timezone.localtime(now).date()
    later = timezone.localtime(now + timedelta(days=3)).date()
    assert progress.review_days(user=user) == {today: 1, later: 1}
    services.undo_review(user=user, review_id=graded[-1].pk)
    assert progress.review_days(user=user) == {today: 1}
    services.undo_review(user=user, review_id=graded[0].pk)
    assert progress.review_days(user=user) == {}


# Retention, mastery, forecast ----------------------------------------------------------


def test_true_retention_counts_review_state_grades_not_again(user):
    now = timezone.now()
    topic = make_topic(owner=user)
    card = make_card(topic, user)
    ratings = [3, 1, 4, 2, 1, 3, 3, 3]  # 8 review-state reviews, 2 of them Again: 75%
    for n, rating in enumerate(ratings, start=1):
        log(user, card, at=now - timedelta(days=n), rating=rating, number=n)
    # not counted: a learning-state review, and a review older than 30 days
    log(user, card, at=now - timedelta(days=2), rating=1, state_before=State.LEARNING, number=20)
    log(user, card, at=now - timedelta(days=40), rating=1, number=21)
    dashboard = progress.dashboard_for(
        user=user, zone=timezone.get_current_timezone(), now=now, new_per_day=20
    )
    assert dashboard.retention_reviews == 8
    assert dashboard.retention == 6 / 8


def test_mastery_is_the_share_of_cards_stable_for_21_days(user):
    topic = make_topic(owner=user, name="Redis")
    cards = [make_card(topic, user) for _ in range(4)]
    now = timezone.now()
    progress_row(user, cards[0], due=now + timedelta(days=30), stability=30)
    progress_row(user, cards[1], due=now + timedelta(days=21), stability=21)
    progress_row(user, cards[2], due=now + timedelta(days=2), stability=4)
    (entry,) = progress.topic_progress(user=user, topics=[topic], now=now, zone=ZoneInfo("UTC"))
    assert (entry.prompts, entry.studied, entry.mastered) == (4, 3, 2)
    assert entry.mastery == 0.5
    assert entry.to_learn == 2


def test_forecast_puts_each_due_card_on_its_local_day(user):
    zone = ZoneInfo("Europe/Berlin")
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    topic = make_topic(owner=user)
    dues = [
        now - timedelta(days=3),  # overdue: counts today
        now + timedelta(hours=2),  # today
        datetime(2026, 11, 26, 22, 30, tzinfo=UTC),  # 23:30 in Berlin: the 26th
        datetime(2026, 11, 26, 23, 30, tzinfo=UTC),  # 00:30 in Berlin: the 27th
        now + timedelta(days=45),  # beyond the 30 days
    ]
    for due in dues:
        progress_row(user, make_card(topic, user), due=due)
    forecast = dict(progress.due_forecast(user=user, zone=zone, now=now))
    assert len(forecast) == 30
    assert forecast[date(2026, 11, 25)] == 2
    assert forecast[date(2026, 11, 26)] == 1
    assert forecast[date(2026, 11, 27)] == 1
    assert sum(forecast.values()) == 4


def test_readiness_plans_the_daily_pace_to_the_interview(user):
    now = timezone.now()
    topic = make_topic(owner=user, name="Spark")
    cards = [make_card(topic, user) for _ in range(10)]
    progress_row(user, cards[0], due=now + timedelta(days=30), stability=40)  # mastered
    progress_row(user, cards[1], due=now + timedelta(days=3), stability=3)  # studied
    interview = make_interview(user, scheduled_at=now + timedelta(days=17))
    interview.topics.set([topic])
    zone = ZoneInfo("UTC")
    (ready,) = readiness.readiness_for(user=user, interviews=[interview], zone=zone, now=now)
    assert (ready.prompts, ready.mastered, ready.to_learn) == (10, 1, 9)
    assert ready.days_left == 17
    expected = 8 * readiness.REVIEWS_TO_MASTER_NEW + 1 * readiness.REVIEWS_TO_MASTER_STUDIED
    assert ready.reviews_needed == expected
    assert ready.reviews_per_day == -(-expected // 17)
    assert ready.new_per_day == 1  # 8 new cards over the 10 days before the last week


def test_readiness_takes_the_dashboards_figures_without_counting_again(
    user, django_assert_num_queries
):
    now = timezone.now()
    zone = ZoneInfo("UTC")
    spark, kafka = make_topic(owner=user, name="Spark"), make_topic(owner=user, name="Kafka")
    cards = [make_card(spark, user) for _ in range(4)] + [make_card(kafka, user)]
    progress_row(user, cards[0], due=now + timedelta(days=30), stability=40)
    progress_row(user, cards[4], due=now + timedelta(days=3), stability=3)
    interview = make_interview(user, scheduled_at=now + timedelta(days=10))
    interview.topics.set([spark, kafka])
    upcoming = list(Interview.objects.filter(pk=interview.pk).prefetch_related("topics"))
    counted_apart = readiness.readiness_for(user=user, interviews=upcoming, zone=zone, now=now)
    dashboard = progress.dashboard_for(user=user, zone=zone, now=now, new_per_day=10)
    with django_assert_num_queries(0):
        (ready,) = readiness.readiness_for(
            user=user, interviews=upcoming, zone=zone, now=now, known=dashboard.topics
        )
    assert (ready.prompts, ready.mastered, ready.new_prompts, ready.studied_unmastered) == (
        5,
        1,
        3,
        1,
    )
    (apart,) = counted_apart
    assert (apart.prompts, apart.mastered, apart.new_prompts, apart.studied_unmastered) == (
        5,
        1,
        3,
        1,
    )


# The page --------------------------------------------------------------------------------


def test_dashboard_shows_the_figures(client_in, user):
    topic = make_topic(owner=user, name="Kafka")
    cards = [make_card(topic, user) for _ in range(3)]
    now = timezone.now()
    progress_row(user, cards[0], due=now - timedelta(hours=1))
    # Five minutes ago, or midnight (UTC, the person's zone) if the day is younger.
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    log(user, cards[0], at=max(now - timedelta(minutes=5), midnight), rating=1)
    response = client_in.get(reverse("cards:progress"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="due-today">1<' in body
    assert 'data-testid="reviews-today">1<' in body
    assert 'data-testid="streak">1<' in body
    assert 'data-testid="retention">0%<' in body
    assert "Kafka" in body


def test_charts_are_well_formed_labelled_svg(client_in, user):
    card = make_card(make_topic(owner=user), user)
    log(user, card, at=timezone.now() - timedelta(days=1))
    progress_row(user, card, due=timezone.now() + timedelta(days=2))
    body = client_in.get(reverse("cards:progress")).content.decode()
    svgs = [body[i : body.index("</svg>", i) + 6] for i in _find_all(body, "<svg")]
    assert len(svgs) >= 2
    assert 'data-testid="forecast-empty"' not in body
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        assert root.find(f"{SVG}title").text.strip()
        shapes = root.findall(f"{SVG}rect")
        assert shapes and all(shape.find(f"{SVG}title") is not None for shape in shapes)
    assert "1 review" in svgs[0]


def _find_all(text, needle):
    start = text.find(needle)
    while start != -1:
        yield start
        start = text.find(needle, start + 1)


def test_a_forecast_with_nothing_due_says_so_instead_of_an_empty_chart(client_in, user):
    make_card(make_topic(owner=user), user)  # new, never studied: never due
    body = client_in.get(reverse("cards:progress")).content.decode()
    assert "Nothing is due in the next 30 days." in body
    assert "Cards due per day" not in body
    assert "Forecast as a table" not in body


def test_heatmap_geometry():
    today = date(2026, 11, 25)  # a Wednesday
    heat = charts.heatmap({today: 8, today - timedelta(days=1): 2}, today)
    assert heat.cells[-1].day == today
    assert heat.cells[0].day.weekday() == 0
    assert len(heat.cells) == 52 * 7 + 3
    assert heat.cells[-1].level == 4 and heat.cells[-2].level == 1
    assert heat.total == 10 and heat.days_studied == 2


def test_heatmap_months_are_named_where_their_names_fit():
    # The grid starts on Monday 24 Nov 2025: November has one column before
    # December's, too narrow for its name.
    heat = charts.heatmap({}, date(2026, 11, 26))
    names = [name for _x, name in heat.months]
    assert names[:2] == ["Dec", "Jan"] and names[-1] == "Nov"
    assert len(names) == 12
    columns = [x for x, _name in heat.months]
    assert all(b - a >= 3 * charts.STEP for a, b in itertools.pairwise(columns))
    # December starts in the last column, too narrow for its name.
    heat = charts.heatmap({}, date(2026, 12, 8))
    assert [name for _x, name in heat.months][-1] == "Nov"
    assert all(x + 3 * charts.STEP <= heat.width for x, _name in heat.months)
    # Starting on Monday 3 Feb 2025, February has four columns: it keeps its name.
    heat = charts.heatmap({}, date(2026, 2, 4))
    assert heat.cells[0].day == date(2025, 2, 3)
    assert [name for _x, name in heat.months][:2] == ["Feb", "Mar"]


def test_bar_chart_ticks_a_date_each_week_where_it_fits():
    start = date(2026, 11, 26)
    chart = charts.bar_chart([(start + timedelta(days=n), n % 3) for n in range(30)])
    ticked = [(bar.x, bar.tick) for bar in chart.bars if bar.tick]
    # 26 Nov, 3, 10 and 17 Dec; 24 Dec, 28 days in, would run off the right edge.
    assert [tick for _x, tick in ticked] == ["26 Nov", "3 Dec", "10 Dec", "17 Dec"]
    assert all(x + charts.TICK_WIDTH <= chart.width for x, _tick in ticked)
    assert chart.peak == 2


def test_card_page_shows_its_history(client_in, user):
    card = make_card(make_topic(owner=user), user)
    from cards.study import services

    now = timezone.now()
    services.grade_prompt(
        user=user,
        session=None,
        prompt=card.prompts.get(),
        rating=4,
        expected_reps=0,
        duration_ms=4200,
        now=now - timedelta(days=1),
    )
    body = client_in.get(card.get_absolute_url()).content.decode()
    assert "Easy" in body
    assert "8d" in body  # the interval that followed
    assert "4.2 s" in body
    assert "Recall probability now" in body
    assert "Stability: 8.3 days" in body


def test_card_history_holds_the_persons_reviews_of_that_card_latest_first(user, other_user):
    """Both prompts of a reversed starter card, the person's grades only, latest
    first (the later of two at the same moment first), and nothing of another card."""
    library = make_topic(name="Starter topic")
    card = make_card(library, kind="reversed")
    other = make_card(library)
    forward, backward = card.prompts.order_by("ordinal")
    now = timezone.now()
    day = timedelta(days=1)
    graded = []
    for person, prompt, rating, when in [
        (user, forward, 3, now - 3 * day),
        (user, backward, 1, now - 2 * day),
        (user, forward, 4, now - day),
        (user, backward, 3, now - day),  # at the same moment as the one before
        (other_user, forward, 2, now - day),
        (user, other.prompts.get(), 3, now - day),
    ]:
        reps = ReviewLog.objects.filter(user=person, prompt=prompt).count()
        log = services.grade_prompt(
            user=person,
            session=None,
            prompt=prompt,
            rating=rating,
            expected_reps=reps,
            duration_ms=1000,
            now=when,
        )
        graded.append(log)
    reviews, states = card_history(user=user, card=card, now=now)
    assert [r.pk for r in reviews] == [graded[3].pk, graded[2].pk, graded[1].pk, graded[0].pk]
    assert [r.rating for r in reviews] == [3, 4, 1, 3]
    assert reviews[0].interval == reviews[0].due_after - reviews[0].reviewed_at
    assert sorted(s["progress"].prompt_id for s in states) == [forward.pk, backward.pk]
    assert all(s["progress"].user_id == user.pk for s in states)


def test_card_history_reads_the_cards_rows_not_all_the_persons(user):
    """With every card reviewed ten times, the history is looked up on the
    (user, prompt) unique indexes: SQLite would otherwise walk all of the
    person's reviews in time order, which took 300 ms at 1,000,000 of them."""
    build_history(user, cards=2000, reviews=20_000)
    card = Prompt.objects.filter(card__owner=user).order_by("pk")[7].card
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as captured:
        reviews, states = card_history(user=user, card=card, now=timezone.now())
    assert len(reviews) == 10 and len(states) == 1
    for query in captured.captured_queries:
        plan = plan_of_sql(query["sql"])
        if connection.vendor == "sqlite":
            assert "(user_id=? AND prompt_id=?)" in plan, plan
            assert "review_user_time" not in plan, plan
        else:
            assert "Seq Scan on cards_reviewlog" not in plan, plan
            assert "Seq Scan on cards_progress" not in plan, plan


def build_history(user, *, cards: int, reviews: int):
    topic = make_collection(user, cards, studied=1.0)
    prompts = list(Prompt.objects.filter(card__topic=topic).order_by("pk"))
    now = timezone.now()
    ReviewLog.objects.bulk_create(
        ReviewLog(
            user=user,
            card_id=prompts[i % cards].card_id,
            prompt=prompts[i % cards],
            rating=1 + i % 4,
            reviewed_at=now - timedelta(hours=i % 5000),
            day=(now - timedelta(hours=i % 5000)).date(),
            review_number=1 + i // cards,
            state_before=State.REVIEW,
            state_after=State.REVIEW,
            due_after=now,
        )
        for i in range(reviews)
    )
    recount(user)


@pytest.mark.parametrize(("cards", "reviews"), [(50, 100), (2000, 20_000)])
def test_dashboard_runs_a_bounded_number_of_queries(
    client_in, user, cards, reviews, django_assert_max_num_queries
):
    build_history(user, cards=cards, reviews=reviews)
    interview = make_interview(user)
    interview.topics.set([make_topic(owner=user, name="Interview topic")])
    client_in.get("/")  # the first request of a session stores its time zone
    # 18 figures and charts + 3 for each upcoming interview's readiness (at most 3)
    # + 2 for the predicted recall at them (the person's scheduler, their progress).
    with django_assert_max_num_queries(23):
        response = client_in.get(reverse("cards:progress"))
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        assert client_in.get("/").status_code == 200


def test_one_review_reads_in_the_singular(client_in, user, topic):
    log(user, make_card(topic, user), at=timezone.now())
    home = client_in.get(reverse("home")).content.decode()
    dashboard = client_in.get(reverse("cards:progress")).content.decode()
    assert "review today" in home and "reviews today" not in home
    assert "review today" in dashboard and "day studied this year" in dashboard
    assert "1 review on 1 day in the past year" in dashboard
