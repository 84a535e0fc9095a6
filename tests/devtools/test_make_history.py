"""make_history: a generated study history is exactly what grading the same
prompts one by one through the app would have left behind."""

import collections
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Profile
from cards import scheduling
from cards.models import Card, Progress, Prompt, Rating, ReviewLog, Topic
from cards.study import services
from prep_site.devtools.history import DEFAULT_PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# A pinned "now" makes the history the same whenever the tests run.
MOMENT = datetime(2026, 3, 14, 15, 30, tzinfo=UTC)


def make_history(**options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    options.setdefault("now", MOMENT)
    call_command("make_history", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def history():
    """200 cards, 2,000 reviews, seed 1, for the person "learner"."""
    out, err = make_history(cards=200, reviews=2000, seed=1, user="learner")
    return get_user_model().objects.get(username="learner"), out, err


def logs_by_prompt(user) -> dict[int, list[ReviewLog]]:
    logs = collections.defaultdict(list)
    for log in ReviewLog.objects.filter(user=user).order_by("prompt_id", "review_number"):
        logs[log.prompt_id].append(log)
    return logs


def test_counts_are_exact_and_the_person_is_created(history):
    user, out, err = history
    assert Card.objects.filter(owner=user).count() == 200
    assert Prompt.objects.filter(card__owner=user, ordinal=0).count() == 200
    assert Topic.objects.filter(owner=user).count() == 8
    assert ReviewLog.objects.filter(user=user).count() == 2000
    assert Profile.objects.filter(user=user).exists()
    assert user.check_password(DEFAULT_PASSWORD)
    assert DEFAULT_PASSWORD in out
    assert "2000 reviews written" in out and "200 cards" in out
    assert "reviews 2000/2000" in err
    # Every topic got cards; every card is basic and has a short, numbered front.
    per_topic = Card.objects.filter(owner=user).values("topic").distinct().count()
    assert per_topic == 8
    card = Card.objects.filter(owner=user).first()
    assert card.kind == Card.Kind.BASIC and "Question" in card.front and card.back
    assert card.created_at < ReviewLog.objects.filter(user=user).earliest("reviewed_at").reviewed_at


def test_each_prompt_history_is_a_chain_ending_in_its_progress(history):
    user, _, _ = history
    logs = logs_by_prompt(user)
    progress = {row.prompt_id: row for row in Progress.objects.filter(user=user)}
    assert set(logs) == set(progress), "studied prompts, and only they, have progress"
    assert 0 < len(progress) <= 200
    for prompt_id, chain in logs.items():
        assert [log.review_number for log in chain] == list(range(1, len(chain) + 1))
        first = chain[0]
        assert first.state_before is None and first.previous is None
        lapses = 0
        for before, log in zip(chain, chain[1:], strict=False):
            lapses += scheduling.is_lapse(before.state_before, before.rating)
            assert log.state_before == before.state_after
            assert log.reviewed_at > before.reviewed_at
            assert log.previous["state"] == before.state_after
            assert log.previous["due"] == before.due_after.isoformat()
            assert log.previous["last_review"] == before.reviewed_at.isoformat()
            assert log.previous["lapses"] == lapses
            assert log.card_id == first.card_id
        last = chain[-1]
        row = progress[prompt_id]
        assert row.reps == len(chain)
        assert row.due == last.due_after
        assert row.state == last.state_after
        assert row.last_review == last.reviewed_at
        assert row.card_id == first.card_id
        assert row.lapses == lapses + scheduling.is_lapse(last.state_before, last.rating)


def test_reviews_look_like_a_real_learner(history):
    user, _, _ = history
    logs = ReviewLog.objects.filter(user=user)
    times = list(logs.order_by("pk").values_list("reviewed_at", flat=True))
    assert times == sorted(times), "rows are written in the order they happened"
    assert max(times) <= MOMENT
    assert min(times) >= MOMENT - timedelta(days=366)
    assert all(time.utcoffset() == timedelta(0) for time in times)
    assert all(6 <= time.hour <= 23 for time in times), "within waking hours"
    assert {log.rating for log in logs} == {1, 2, 3, 4}
    again_share = logs.filter(rating=Rating.AGAIN).count() / logs.count()
    assert 0.03 < again_share < 0.3
    durations = logs.values_list("duration_ms", flat=True)
    assert all(2_000 <= ms <= 30_000 for ms in durations)
    # New prompts come in day by day, not all at once.
    first_days = {log.reviewed_at.date() for log in logs.filter(review_number=1)}
    assert len(first_days) > 20

    progress = Progress.objects.filter(user=user)
    assert progress.filter(due__lte=MOMENT).exists(), "some prompts are due now"
    assert progress.filter(due__gt=MOMENT).exists()
    assert progress.filter(due__gt=MOMENT + timedelta(days=30)).exists()
    assert progress.filter(due__gt=MOMENT, due__lte=MOMENT + timedelta(days=7)).exists()
    assert progress.filter(lapses__gt=0).exists()


def test_the_same_seed_gives_the_same_history():
    make_history(cards=150, reviews=1000, seed=5, user="first")
    make_history(cards=150, reviews=1000, seed=5, user="second")
    make_history(cards=150, reviews=1000, seed=6, user="third")

    def sequence(username):
        return list(
            ReviewLog.objects.filter(user__username=username)
            .order_by("reviewed_at", "pk")
            .values_list("card__front", "review_number", "rating", "reviewed_at", "duration_ms")
        )

    assert len(sequence("first")) == 1000
    assert sequence("first") == sequence("second")
    assert sequence("first") != sequence("third")


def test_a_generated_progress_row_grades_on_through_the_app(history):
    user, _, _ = history
    row = Progress.objects.filter(user=user).order_by("-reps").first()
    latest = ReviewLog.objects.get(user=user, prompt_id=row.prompt_id, review_number=row.reps)
    log = services.grade_prompt(
        user=user,
        session=None,
        prompt=row.prompt,
        rating=Rating.GOOD,
        expected_reps=row.reps,
        duration_ms=4_000,
        now=MOMENT,
    )
    assert log.review_number == row.reps + 1
    assert log.state_before == latest.state_after
    assert log.previous.keys() == latest.previous.keys()
    assert log.previous["due"] == latest.due_after.isoformat()
    assert Progress.objects.get(pk=row.pk).reps == row.reps + 1
    services.undo_review(user=user, review_id=log.pk)
    restored = Progress.objects.get(pk=row.pk)
    assert (restored.reps, restored.due, restored.stability) == (row.reps, row.due, row.stability)


def test_replaying_the_grades_through_grade_prompt_writes_the_same_rows(history):
    """The strongest check: grade the same prompts, with the same ratings at the
    same times, through the app, and compare every column it writes. Each
    prompt is replayed by a person of its own: the app spreads reviews over the
    days with the fewest due (cards/balancing.py), and a person with one card
    has every day as free as the next, so FSRS's own interval stands."""
    user, _, _ = history
    logs = logs_by_prompt(user)
    longest = sorted(logs, key=lambda prompt_id: len(logs[prompt_id]))[-5:]
    sample = longest + list(logs)[:15]
    columns = ("review_number", "state_before", "state_after", "due_after", "previous", "rating")
    for n, prompt_id in enumerate(sample):
        replayer = make_user(f"replayer{n}")
        prompt = Prompt.objects.get(pk=prompt_id)
        for log in logs[prompt_id]:
            replayed = services.grade_prompt(
                user=replayer,
                session=None,
                prompt=prompt,
                rating=log.rating,
                expected_reps=log.review_number - 1,
                duration_ms=log.duration_ms,
                now=log.reviewed_at,
            )
            replayed.refresh_from_db()
            assert [getattr(replayed, c) for c in columns] == [getattr(log, c) for c in columns]
        mine = Progress.objects.get(user=user, prompt=prompt)
        theirs = Progress.objects.get(user=replayer, prompt=prompt)
        fields = (*scheduling.PROGRESS_FIELDS, "reps", "lapses", "card_id")
        assert [getattr(theirs, f) for f in fields] == [getattr(mine, f) for f in fields]


def test_an_existing_person_gets_more_cards_and_keeps_what_they_had(history):
    user, _, _ = history
    before = set(ReviewLog.objects.filter(user=user).values_list("pk", flat=True))
    out, _ = make_history(cards=50, reviews=300, seed=2, user="learner", topics=3)
    assert DEFAULT_PASSWORD not in out
    assert get_user_model().objects.filter(username="learner").count() == 1
    assert Card.objects.filter(owner=user).count() == 250
    assert Topic.objects.filter(owner=user).count() == 11
    assert ReviewLog.objects.filter(user=user).count() == 2300
    assert before <= set(ReviewLog.objects.filter(user=user).values_list("pk", flat=True))
    assert Card.objects.filter(owner=user, front__contains="Question 250 ").exists()


def test_without_reviews_every_card_stays_new():
    make_history(cards=40, reviews=0, user="fresh", topics=2)
    user = get_user_model().objects.get(username="fresh")
    assert Card.objects.filter(owner=user).count() == 40
    assert not Progress.objects.filter(user=user).exists()
    assert not ReviewLog.objects.filter(user=user).exists()


def test_with_the_real_clock_every_review_is_in_the_past():
    make_history(cards=100, reviews=400, days=30, seed=3, user="today", now=None)
    logs = ReviewLog.objects.filter(user__username="today")
    assert logs.count() == 400
    assert all(time <= timezone.now() for time in logs.values_list("reviewed_at", flat=True))
    assert all(
        time <= timezone.now()
        for time in Progress.objects.filter(user__username="today").values_list(
            "last_review", flat=True
        )
    )


@pytest.mark.parametrize(
    "options",
    [
        {"cards": -1, "reviews": 0},
        {"cards": 10, "reviews": -5},
        {"cards": 10, "reviews": 10, "topics": -1},
        {"cards": 10, "reviews": 10, "topics": 0},
        {"cards": 10, "reviews": 10, "days": 0},
        {"cards": 0, "reviews": 10},
        {"cards": 2, "reviews": 10_000},  # two cards cannot be reviewed that often
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(options):
    with pytest.raises(CommandError):
        make_history(user="nobody", **options)
    assert not get_user_model().objects.filter(username="nobody").exists()
    assert not Card.objects.exists()


def test_a_future_now_is_refused():
    with pytest.raises(CommandError):
        make_history(cards=5, reviews=5, now=timezone.now() + timedelta(days=1))
