"""The copies kept for speed, continued (tests/cards/test_denormalized.py has
the rest): each card's prompt count follows every way a card is made or
changed, and the migrations that brought in the copies fill them from the data
already there."""

import collections
from datetime import UTC, date, datetime, timedelta
from io import BytesIO, StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone

from accounts.backup import backup_document, restore_backup
from cards import imports as importing
from cards.models import Card, ImportJob, Progress, Prompt, Rating, ReviewDay, State, Topic
from tests.cards.test_denormalized import dashboard, edit, log_by_day_and_topic, review_day_rows
from tests.factories import make_card, make_user

# 4. Each card's prompt count agrees with its prompts ------------------------------------


def prompts_per_topic_counted_one_by_one(user) -> dict[str, int]:
    return dict(
        collections.Counter(
            Prompt.objects.filter(card__owner=user, card__suspended=False).values_list(
                "card__topic__name", flat=True
            )
        )
    )


def cards_whose_prompt_count_is_off() -> list[tuple[str, int, int]]:
    return list(
        Card.objects.annotate(n=Count("prompts"))
        .exclude(prompt_count=F("n"))
        .values_list("front", "prompt_count", "n")
    )


@pytest.mark.django_db
def test_prompt_counts_follow_every_way_a_card_is_made_or_changed(client_in, user, topic):
    # Made and edited in the browser: a cloze that gains a deletion, a basic card
    # turned reversed and then suspended.
    response = client_in.post(
        reverse("cards:card_create"),
        {"topic": topic.pk, "kind": "cloze", "front": "{{c1::Raft}} and {{c2::Paxos}}"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cloze = Card.objects.get(owner=user, kind="cloze")
    assert cloze.prompt_count == 2
    edit(client_in, cloze, front="{{c1::Raft}}, {{c2::Paxos}} and {{c3::Zab}}")
    flipped = make_card(topic, user, front="Quorum size?")
    edit(client_in, flipped, kind="reversed")
    assert client_in.post(reverse("cards:card_suspend", args=[flipped.pk])).status_code == 302
    # Imported: a cloze of two in a new topic.
    parsed = importing.parse_upload(
        file=BytesIO(b"front,back,topic\nThe {{c1::leader}} takes {{c2::writes}},,Imported\n"),
        filename="cards.csv",
        default_topic="",
    )
    job = importing.create_import_job(user=user, filename="cards.csv", parsed=parsed)
    importing.start_import(job=job, on_duplicate="skip")
    assert importing.run_import(job_id=job.pk).status == ImportJob.Status.DONE
    # Restored from a backup in which a card is newer and no longer reversed.
    reversed_card = make_card(topic, user, front="Leader lease?", kind="reversed")
    document = backup_document(user=user, now=timezone.now())
    entry = next(c for c in document["cards"] if c["front"] == "Leader lease?")
    entry["kind"], entry["updated_at"] = "basic", "2099-01-01T00:00:00.000000Z"
    restore_backup(user=user, data=document, merge=True)
    # And a history built in bulk.
    call_command("make_history", cards=12, reviews=30, user="alice", seed=1, stdout=StringIO())

    assert Card.objects.get(pk=cloze.pk).prompt_count == 3
    assert Card.objects.get(pk=flipped.pk).prompt_count == 2
    assert Card.objects.get(pk=reversed_card.pk).prompt_count == 1
    assert cards_whose_prompt_count_is_off() == []
    shown_counts = {name: row["prompts"] for name, row in dashboard(client_in)["topics"].items()}
    expected = prompts_per_topic_counted_one_by_one(user)
    assert expected[topic.name] == 4  # the cloze's three and the restored card; not the suspended
    assert expected["Imported"] == 2
    assert {name: shown_counts.get(name, 0) for name in expected} == expected


# 5. The migrations fill the copies from existing data ----------------------------------------


BEFORE = ("cards", "0004_import_job")


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_migrations_copy_card_fields_and_count_review_days():
    executor = MigrationExecutor(connection)
    # Every other app stays where it is: only the cards migrations after 0004 go.
    before = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "cards"]
    before.append(BEFORE)
    try:
        executor.migrate([BEFORE])
        executor.loader.build_graph()
        apps = executor.loader.project_state(before).apps
        User = apps.get_model("auth", "User")
        OldProfile = apps.get_model("accounts", "Profile")
        OldTopic = apps.get_model("cards", "Topic")
        OldCard = apps.get_model("cards", "Card")
        OldPrompt = apps.get_model("cards", "Prompt")
        OldProgress = apps.get_model("cards", "Progress")
        OldReviewLog = apps.get_model("cards", "ReviewLog")
        assert "topic" not in {f.name for f in OldProgress._meta.get_fields()}

        in_tokyo = User.objects.create(username="tokyo", password="!")
        OldProfile.objects.create(user=in_tokyo, timezone="Asia/Tokyo")
        no_profile = User.objects.create(username="no-profile", password="!")
        bad_zone = User.objects.create(username="bad-zone", password="!")
        OldProfile.objects.create(user=bad_zone, timezone="Not/A_Zone")
        topics = [OldTopic.objects.create(name=n, slug=n.lower()) for n in ("One", "Two")]
        cards = [
            OldCard.objects.create(topic=topics[0], front="Q1", back="A1"),
            OldCard.objects.create(topic=topics[1], front="Q2", back="A2", suspended=True),
        ]
        prompts = [OldPrompt.objects.create(card=card, ordinal=0) for card in cards]
        cloze = OldCard.objects.create(topic=topics[0], kind="cloze", front="{{c1::a}} {{c2::b}}")
        for ordinal in (1, 2):
            OldPrompt.objects.create(card=cloze, ordinal=ordinal)
        moment = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # the 25th in Tokyo
        progress = {}
        for person in (in_tokyo, no_profile, bad_zone):
            for prompt in prompts:
                row = OldProgress.objects.create(
                    user=person,
                    prompt=prompt,
                    card=prompt.card,
                    state=State.REVIEW,
                    stability=5.0,
                    difficulty=5.0,
                    due=moment + timedelta(days=5),
                    last_review=moment,
                    reps=3,
                )
                progress[row.pk] = (prompt.card.topic_id, prompt.card.suspended)
                for number, (state, rating) in enumerate(
                    [
                        (None, Rating.GOOD),
                        (State.REVIEW, Rating.AGAIN),
                        (State.REVIEW, Rating.GOOD),
                    ],
                    start=1,
                ):
                    OldReviewLog.objects.create(
                        user=person,
                        card=prompt.card,
                        prompt=prompt,
                        rating=rating,
                        reviewed_at=moment - timedelta(days=3 - number),
                        review_number=number,
                        state_before=state,
                        state_after=State.REVIEW,
                        due_after=moment + timedelta(days=5),
                    )

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        assert {row.pk: (row.topic_id, row.suspended) for row in Progress.objects.all()} == progress
        assert dict(Card.objects.values_list("pk", "prompt_count")) == {
            cards[0].pk: 1,
            cards[1].pk: 1,
            cloze.pk: 2,
        }
        # Each grade on its person's local day; no profile or an unknown zone is UTC.
        for person, zone in (
            (in_tokyo, ZoneInfo("Asia/Tokyo")),
            (no_profile, ZoneInfo("UTC")),
            (bad_zone, ZoneInfo("UTC")),
        ):
            expected = log_by_day_and_topic(person.pk, zone)
            assert review_day_rows(person.pk) == expected
            assert sum(n for n, _, _ in expected.values()) == 6
        tokyo_days = {day for day, _topic in review_day_rows(in_tokyo.pk)}
        utc_days = {day for day, _topic in review_day_rows(no_profile.pk)}
        assert tokyo_days == {date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)}
        assert utc_days == {date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 24)}
        lapsed = ReviewDay.objects.get(
            user_id=in_tokyo.pk, day=date(2026, 11, 24), topic=topics[0].pk
        )
        assert (lapsed.reviews, lapsed.in_review, lapsed.passed) == (1, 1, 0)
        # The round trip leaves the card search (triggers on SQLite) working,
        # for the cards from before the migrations and for new ones.
        reader = make_user()
        assert [c.front for c in Card.objects.search("q1", reader=reader)] == ["Q1"]
        card = make_card(Topic.objects.get(pk=topics[0].pk), front="Zanzibar consistency")
        assert list(Card.objects.search("zanzibar", reader=reader)) == [card]
    finally:
        migrate_to_latest()
