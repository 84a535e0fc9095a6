"""Predicted recall at an interview's date and time (interviews/recall.py), on
the interview's page and on the dashboard."""

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from fsrs.scheduler import DEFAULT_PARAMETERS

from cards import scheduling
from cards.models import Progress, Rating, SchedulerSettings
from interviews.recall import recall_for
from tests.factories import grade_card as grade
from tests.factories import make_card, make_collection, make_interview, make_topic

pytestmark = pytest.mark.django_db

DECAY = -DEFAULT_PARAMETERS[20]
FACTOR = 0.9 ** (1 / DECAY) - 1


def recall_by_formula(progress: Progress, at: datetime) -> float:
    """FSRS 6's forgetting curve, after whole days since the last review."""
    days = (at - progress.last_review).days
    return (1 + FACTOR * days / progress.stability) ** DECAY


@pytest.fixture
def studied(user):
    """An interview in a week over the person's topic and a starter topic: one
    card of each graded yesterday (Good, Easy), one of the person's never studied."""
    now = timezone.now()
    own, starter = make_topic(owner=user, name="Spark"), make_topic(name="Statistics")
    good = grade(user, make_card(own, user), Rating.GOOD, now - timedelta(days=1))
    easy = grade(user, make_card(starter), Rating.EASY, now - timedelta(days=1))
    make_card(own, user)
    interview = make_interview(
        user, scheduled_at=now + timedelta(days=7), timezone="America/New_York"
    )
    interview.topics.set([own, starter])
    return interview, good, easy


def recall_text(response) -> str:
    """The words of the first recall panel on the page."""
    page = response.content.decode() if hasattr(response, "content") else response
    start = page.index('data-testid="recall"')
    return " ".join(page[start : page.index("</div>", start)].split())


def test_the_page_shows_recall_at_the_interviews_time(client_in, studied):
    interview, good, easy = studied
    expected = [recall_by_formula(row, interview.scheduled_at) for row in (good, easy)]
    # A card graded Good yesterday has faded below 90% by then; one graded Easy has not.
    assert expected[0] < 0.9 < expected[1]
    mean = round(sum(expected) / 2 * 100)

    text = recall_text(client_in.get(interview.get_absolute_url()))

    # Written in the reader's zone (UTC here), with the interview's own beside it.
    here = interview.scheduled_at.astimezone(ZoneInfo("UTC"))
    there = interview.scheduled_at.astimezone(ZoneInfo("America/New_York"))
    assert (
        f'Predicted recall on <time datetime="{here.isoformat(timespec="seconds")}" '
        f'data-testid="interview-time">{here:%a} {here.day} '
    ) in text
    assert f"{here:%b %Y, %H:%M} (UTC) · " in text
    assert f"{there:%H:%M} in America/New_York" in text
    assert f"<strong>{mean}%</strong> on average over the 2 prompts you have studied" in text
    assert "<strong>1 of 3</strong> prompts (33%) above your desired retention of 90%" in text
    assert "1 prompt never studied: counted as not known." in text


def test_a_lower_desired_retention_counts_more_prompts_above_it(client_in, user, studied):
    interview, good, _easy = studied
    SchedulerSettings.objects.create(user=user, desired_retention=0.75)
    assert recall_by_formula(good, interview.scheduled_at) > 0.75

    text = recall_text(client_in.get(interview.get_absolute_url()))

    assert "<strong>2 of 3</strong> prompts (67%) above your desired retention of 75%" in text


def test_a_past_interview_predicts_nothing(client_in, user, studied):
    _interview, good, _easy = studied
    past = make_interview(user, scheduled_at=timezone.now() - timedelta(days=2))
    past.topics.set([good.topic])

    text = recall_text(client_in.get(past.get_absolute_url()))

    assert text.endswith("This interview is past: there is no recall to predict.</p>")
    assert "Predicted recall" not in text


def test_an_interview_with_no_topics_asks_for_them(client_in, user):
    interview = make_interview(user)

    text = recall_text(client_in.get(interview.get_absolute_url()))

    assert "Choose the topics this interview needs" in text
    assert reverse("interviews:edit", args=[interview.pk]) in text


def test_someone_who_studied_nothing_is_told_none_counts_as_known(client_in, user):
    topic = make_topic(owner=user, name="Kafka")
    for _ in range(3):
        make_card(topic, user)
    interview = make_interview(user)
    interview.topics.set([topic])

    text = recall_text(client_in.get(interview.get_absolute_url()))

    assert (
        "You have not studied any of the 3 prompts in this interview’s topics yet, "
        "so none counts as known." in text
    )
    assert "Predicted recall" not in text


def test_the_dashboard_shows_recall_for_upcoming_interviews_only(client_in, user, studied):
    interview, good, easy = studied
    past = make_interview(user, company="Long ago", scheduled_at=timezone.now() - timedelta(days=3))
    past.topics.set(interview.topics.all())
    expected = [recall_by_formula(row, interview.scheduled_at) for row in (good, easy)]

    page = client_in.get(reverse("cards:progress")).content.decode()

    assert page.count('data-testid="recall"') == 1
    text = recall_text(page)
    assert f"<strong>{round(sum(expected) / 2 * 100)}%</strong> on average" in text
    assert "<strong>1 of 3</strong> prompts (33%) above" in text
    assert "Long ago" not in page


def test_recall_of_20000_prompts_matches_the_formula_and_takes_little_time(user, record_property):
    topic = make_collection(user, 20_000, studied=1.0)
    interview = make_interview(user, scheduled_at=timezone.now() + timedelta(days=10))
    interview.topics.set([topic])
    now = timezone.now()

    started = time.perf_counter()
    (found,) = recall_for(user=user, interviews=[interview], now=now).values()
    elapsed = time.perf_counter() - started

    rows = list(Progress.objects.filter(user=user))
    assert found.studied == len(rows) == 20_000
    expected = [recall_by_formula(row, interview.scheduled_at) for row in rows]
    assert abs(found.mean - sum(expected) / len(expected)) < 1e-9
    assert found.above == sum(r > 0.9 for r in expected)
    ours = scheduling.recall_at(
        [(row.prompt_id, row.stability, row.last_review) for row in rows[:1000]],
        at=interview.scheduled_at,
    )
    assert max(abs(a - b) for a, b in zip(ours, expected[:1000], strict=True)) < 1e-9
    record_property("report", f"[recall] 20,000 prompts: {elapsed * 1000:.0f} ms")
    assert elapsed < 2.0
