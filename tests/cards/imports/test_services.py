"""The import service: the plan behind the preview (new, duplicates, repeats,
topics), writing a confirmed import (skip or update), one transaction that
leaves nothing behind when it fails, and a large file."""

import io
import os
import resource
import time
import tracemalloc

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test import TestCase
from django.urls import reverse
from django_q.models import Task
from taggit.models import Tag, TaggedItem

from cards import imports as importing
from cards.imports import ImportRejected, planning, tasks, writing
from cards.imports.services import WRITE_STOPPED
from cards.models import Card, ImportJob, Prompt, Topic
from prep_site import planner
from tests.factories import make_card, make_topic

pytestmark = pytest.mark.django_db


def job_from(user, content: str, *, name="cards.csv", default_topic="") -> ImportJob:
    parsed = importing.parse_upload(
        file=io.BytesIO(content.encode()), filename=name, default_topic=default_topic
    )
    return importing.create_import_job(user=user, filename=name, parsed=parsed)


def confirm_and_run(job: ImportJob, on_duplicate="skip") -> ImportJob:
    """What confirming does, with the background work run here and now."""
    importing.start_import(job=job, on_duplicate=on_duplicate)
    return importing.run_import(job_id=job.pk)


# The plan --------------------------------------------------------------------------------


def test_plan_sorts_rows_into_new_duplicates_and_repeats(user, other_user, topic):
    starter = make_topic(name="System design")
    make_card(topic, user, front="What is a quorum?", back="A majority")
    cdn = make_card(starter, None, front="What is a CDN?", back="Starter card")
    make_card(make_topic(owner=other_user, name="Distributed systems"), other_user, front="Mine")
    job = job_from(
        user,
        "front,back,topic\n"
        "What is a quorum?,Most nodes,distributed SYSTEMS\n"  # duplicate, topic in other case
        "What is a CDN?,Edge caches,System design\n"  # duplicate: they see the starter card
        "Mine,Theirs,Distributed systems\n"  # new: the other user's card does not count
        "What is a quorum?,Again,Distributed systems\n"  # repeats line 2
        "Fresh,Card,Brand new topic\n"
        "Fresher,Card,brand NEW topic\n",
    )
    plan = importing.plan_import(user=user, rows=job.rows)
    assert [row.line for row in plan.new] == [4, 6, 7]
    assert [(row.line, row.duplicate_of, row.duplicate_is_starter) for row in plan.duplicates] == [
        (2, Card.objects.get(front="What is a quorum?").pk, False),
        (3, cdn.pk, True),
    ]
    assert plan.repeats == [
        [5, "the same front as line 2 in “Distributed systems”; only line 2 is imported"]
    ]
    assert plan.new_topics == {"brand new topic": "Brand new topic"}
    assert plan.rows[0].topic == topic and plan.rows[1].topic == starter


def test_ones_own_card_is_the_duplicate_when_a_starter_card_has_the_same_front(user):
    starter = make_topic(name="System design")
    make_card(starter, None, front="What is a CDN?", starter_key="sd-cdn")
    mine = make_card(starter, user, front="What is a CDN?")
    plan = importing.plan_import(user=user, rows=[[1, "What is a CDN?", "A", "System design", []]])
    assert [(row.duplicate_of, row.duplicate_is_starter) for row in plan.duplicates] == [
        (mine.pk, False)
    ]


def test_the_plan_takes_two_queries_whatever_the_file(user, topic, django_assert_num_queries):
    rows = [[n, f"Q{n}", "A", f"Topic {n % 7}", ["t"]] for n in range(500)]
    with django_assert_num_queries(1):  # no matching topic: no card query
        importing.plan_import(user=user, rows=rows)
    rows += [[501, "Q", "A", topic.name, []]]
    with django_assert_num_queries(2):
        importing.plan_import(user=user, rows=rows)


def test_preview_counts_and_first_rows(user, topic, monkeypatch):
    monkeypatch.setattr(planning, "PREVIEW_ROWS", 2)
    make_card(topic, user, front="Old", back="A")
    job = job_from(
        user,
        f"front,back,topic\nOld,B,{topic.name}\nNew,B,{topic.name}\nNew,C,{topic.name}\n,x,y\n",
    )
    preview = importing.preview_import(job=job)
    assert (len(preview.plan.new), len(preview.plan.duplicates)) == (1, 1)
    assert preview.importable == 2
    assert [row.line for row in preview.first_rows] == [2, 3]
    assert preview.error_count == 2
    assert preview.errors == [
        [4, "the same front as line 3 in “Distributed systems”; only line 3 is imported"],
        [5, "the front is empty"],
    ]


def test_preview_says_where_the_duplicates_are(user, topic, monkeypatch):
    monkeypatch.setattr(planning, "SHOWN_DUPLICATE_LINES", 2)
    for front in ("A", "B", "C"):
        make_card(topic, user, front=front, back="x")
    job = job_from(user, "".join(f"{front},y,{topic.name}\n" for front in "ABCD"))
    assert importing.preview_import(job=job).duplicate_lines == "1, 2, …"


# Writing ---------------------------------------------------------------------------------


def test_confirm_creates_topics_cards_prompts_and_tags(user, topic):
    existing_tag = Tag.objects.create(name="Kafka", slug="kafka")
    job = job_from(
        user,
        "front,back,topic,tags\n"
        f"What is a partition?,An ordered log,{topic.name},kafka logs\n"
        'The {{c1::leader}} serves {{c2::reads}},,Kafka deep dive,"kafka, replication"\n'
        "Plain,Answer,Kafka deep dive,\n",
    )
    job = confirm_and_run(job)
    assert job.status == ImportJob.Status.DONE
    assert job.rows == []
    new_topic = Topic.objects.get(name="Kafka deep dive")
    assert new_topic.owner == user and new_topic.slug == "kafka-deep-dive"
    assert job.result == {
        "created": 3,
        "updated": 0,
        "skipped": 0,
        "topics": [[topic.pk, topic.name], [new_topic.pk, new_topic.name]],
    }
    partition = Card.objects.get(front="What is a partition?")
    assert (partition.owner, partition.topic, partition.kind) == (user, topic, "basic")
    # Spelled as the file spells it, not as someone else's tag "Kafka" is.
    assert sorted(partition.tags.names()) == ["kafka", "logs"]
    cloze = Card.objects.get(front__startswith="The {{c1::leader}}")
    assert cloze.kind == Card.Kind.CLOZE and cloze.back == ""
    assert list(cloze.prompts.values_list("ordinal", flat=True)) == [1, 2]
    assert sorted(cloze.tags.names()) == ["kafka", "replication"]
    assert Prompt.objects.filter(card__owner=user).count() == 4
    assert Tag.objects.get(name="Kafka") == existing_tag  # still its own
    assert Tag.objects.filter(name__iexact="kafka").count() == 2


def test_new_topic_slugs_never_clash_with_the_persons_topics(user):
    make_topic(owner=user, name="C")
    job = confirm_and_run(job_from(user, "front,back,topic\nQ,A,C++\nQ2,A,C#\n"))
    assert job.status == ImportJob.Status.DONE
    slugs = set(Topic.objects.filter(owner=user).values_list("slug", flat=True))
    assert slugs == {"c", "c-2", "c-3"}


def test_new_tags_with_clashing_slugs_get_their_own(user, topic):
    Tag.objects.create(name="C", slug="c")
    job = confirm_and_run(job_from(user, f"front,back,topic,tags\nQ,A,{topic.name},c++\n"))
    assert job.status == ImportJob.Status.DONE
    assert Card.objects.get(front="Q").tags.get().slug == "c_1"


@pytest.mark.parametrize("choice", ["skip", "update"])
def test_duplicates_are_skipped_or_updated(user, topic, choice):
    card = make_card(topic, user, front="What is a quorum?", back="Old answer", tags=["old"])
    untagged = make_card(topic, user, front="What is a lease?", back="Old lease", tags=["keep"])
    job = job_from(
        user,
        "front,back,topic,tags\n"
        f"What is a quorum?,New answer,{topic.name},fresh\n"
        f"  What is a lease?  ,New lease,{topic.name},\n"
        f"What is a fence?,A token,{topic.name},\n",
    )
    job = confirm_and_run(job, on_duplicate=choice)
    card.refresh_from_db()
    untagged.refresh_from_db()
    assert Card.objects.filter(owner=user).count() == 3
    if choice == "skip":
        assert job.result | {"topics": []} == {
            "created": 1,
            "updated": 0,
            "skipped": 2,
            "topics": [],
        }
        assert (card.back, card.tags.names()[0]) == ("Old answer", "old")
        assert untagged.back == "Old lease"
    else:
        assert (job.result["updated"], job.result["skipped"]) == (2, 0)
        assert (card.back, list(card.tags.names())) == ("New answer", ["fresh"])
        # A row without tags leaves the card's tags alone.
        assert (untagged.back, list(untagged.tags.names())) == ("New lease", ["keep"])
        assert card.prompts.count() == 1


def test_a_failure_midway_writes_nothing(user, topic, monkeypatch):
    """Cards of the first batch are already inserted when the second batch fails:
    the transaction takes them back, with the new topic and the new tags."""
    monkeypatch.setattr(writing, "BATCH_SIZE", 2)
    calls = []
    real_bulk_create = Prompt.objects.bulk_create

    def failing_bulk_create(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            raise IntegrityError("the disk is on fire")
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(Prompt.objects, "bulk_create", failing_bulk_create)
    before = (Card.objects.count(), Topic.objects.count(), Tag.objects.count())
    job = job_from(
        user,
        "front,back,topic,tags\n" + "".join(f"Q{n},A{n},Fresh topic,tag{n}\n" for n in range(5)),
    )
    job = confirm_and_run(job)
    assert calls == [2, 2]
    assert job.status == ImportJob.Status.FAILED
    assert job.failure == "IntegrityError: the disk is on fire"
    assert (Card.objects.count(), Topic.objects.count(), Tag.objects.count()) == before
    assert TaggedItem.objects.count() == 0 and Prompt.objects.count() == 0
    assert len(ImportJob.objects.get(pk=job.pk).rows) == 5  # kept for a look in the admin


def test_an_import_is_confirmed_once(user, topic):
    job = job_from(user, f"Q,A,{topic.name}\n")
    importing.start_import(job=job, on_duplicate="skip")
    with pytest.raises(ImportRejected, match="already confirmed"):
        importing.start_import(job=job, on_duplicate="skip")
    with pytest.raises(ImportRejected, match="skip or update"):
        importing.start_import(job=job, on_duplicate="merge")
    importing.run_import(job_id=job.pk)
    job = importing.run_import(job_id=job.pk)  # a second run finds it done and changes nothing
    assert job.status == ImportJob.Status.DONE
    assert Card.objects.filter(owner=user).count() == 1


def test_a_job_started_too_often_goes_back_to_its_preview(user, topic):
    """A worker died mid-import each time it was handed the job: past
    PREP_TASK_ATTEMPTS the next delivery does not run it again; the job goes
    back to its preview with its rows, for the person to confirm again."""
    job = job_from(user, f"Q,A,{topic.name}\n")
    importing.start_import(job=job, on_duplicate="skip")
    ImportJob.objects.filter(pk=job.pk).update(attempts=settings.PREP_TASK_ATTEMPTS)
    job = importing.run_import(job_id=job.pk)
    assert (job.status, job.failure, job.started_at) == ("preview", WRITE_STOPPED, None)
    assert len(ImportJob.objects.get(pk=job.pk).rows) == 1 and Card.objects.count() == 0
    importing.start_import(job=job, on_duplicate="skip")
    assert job.failure == ""
    job = importing.run_import(job_id=job.pk)
    assert (job.status, job.percent, job.attempts) == ("done", 100, 1)
    assert Card.objects.filter(owner=user).count() == 1


def test_a_retried_job_runs_again_within_its_attempts(user, topic):
    job = job_from(user, f"Q,A,{topic.name}\n")
    importing.start_import(job=job, on_duplicate="skip")
    ImportJob.objects.filter(pk=job.pk).update(attempts=settings.PREP_TASK_ATTEMPTS - 1)
    job = importing.run_import(job_id=job.pk)
    assert job.status == "done" and Card.objects.filter(owner=user).count() == 1


def test_a_task_django_q_records_as_failed_settles_its_job(user, topic):
    job = job_from(user, f"Q,A,{topic.name}\n")
    importing.start_import(job=job, on_duplicate="skip")
    tasks.job_failed(Task(args=(job.pk,), success=False, result="TimeoutException"))
    job.refresh_from_db()
    assert job.status == "preview"
    assert job.failure.startswith("The import failed: it took longer than the 30 minutes")


def test_a_bulk_import_refreshes_postgresqls_statistics(
    user, topic, django_capture_on_commit_callbacks
):
    """PostgreSQL's planner learns the card tables' new sizes as soon as a large
    import commits (prep_site/planner.py); a small one leaves it to autovacuum.
    SQLite keeps no statistics to refresh."""
    small = job_from(user, "".join(f"Small {n},A,{topic.name}\n" for n in range(10)))
    importing.start_import(job=small, on_duplicate="skip")
    with django_capture_on_commit_callbacks() as callbacks:
        importing.import_rows(job_id=small.pk)
    assert planner.analyze not in callbacks

    size = planner.BULK_ROWS
    job = job_from(user, "".join(f"Question {n},A,{topic.name}\n" for n in range(size)))
    importing.start_import(job=job, on_duplicate="skip")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        importing.import_rows(job_id=job.pk)
    assert (planner.analyze in callbacks) == (connection.vendor == "postgresql")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'cards_card'")
            assert cursor.fetchone()[0] >= size


def test_a_package_imports_its_decks_as_topics(user, tmp_path):
    from tests.cards.imports.test_apkg import DECKS, SPANISH_AND_RUST, make_apkg

    path = make_apkg(tmp_path, SPANISH_AND_RUST, DECKS)
    with path.open("rb") as file:
        parsed = importing.parse_upload(file=file, filename=path.name)
    job = importing.create_import_job(user=user, filename=path.name, parsed=parsed)
    job = confirm_and_run(job)
    assert job.status == ImportJob.Status.DONE
    topics = {topic.name: topic for topic in Topic.objects.filter(owner=user)}
    assert set(topics) == {"Spanish", "Programming::Rust"}
    assert topics["Spanish"].cards.count() == 2
    assert sorted(Card.objects.get(front="hola").tags.names()) == ["greetings", "spanish"]
    assert Card.objects.get(front__contains="ownership").prompts.count() == 2


# A large file ----------------------------------------------------------------------------


def test_a_large_file_uploads_previews_and_imports_in_bounded_time(client_in, user):
    """5,000 rows here; PREP_IMPORT_ROWS=50000 measures the issue's size (add -s to
    see the figures). PREP_IMPORT_TRACEMALLOC=1 also measures Python's peak memory
    in each step, which slows everything down."""
    count = int(os.environ.get("PREP_IMPORT_ROWS", "5000"))
    trace = os.environ.get("PREP_IMPORT_TRACEMALLOC") == "1"
    lines = ["front,back,topic,tags"]
    for n in range(count):
        lines.append(
            f'"Question {n}: what does component {n} do?","It does thing {n}, '
            f'and here is a longer answer to make the row realistic.",Topic {n % 10},'
            f'"tag{n % 50}, common"'
        )
    content = ("\n".join(lines) + "\n").encode()
    figures, total_seconds = [], []  # CPU seconds: a busy machine stretches wall time
    if trace:
        tracemalloc.start()

    def measure(what: str, step):
        if trace:
            tracemalloc.reset_peak()
        started, cpu = time.perf_counter(), time.process_time()
        result = step()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = f", peak {tracemalloc.get_traced_memory()[1] / 1e6:.0f} MB" if trace else ""
        figures.append(f"{what} {seconds:.2f} s ({cpu:.2f} s CPU{peak})")
        total_seconds.append(cpu)
        return result

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    upload = SimpleUploadedFile("big.csv", content)

    def upload_and_read():
        with TestCase.captureOnCommitCallbacks(execute=True):
            return client_in.post(reverse("cards:import"), {"file": upload})

    response = measure("upload and reading", upload_and_read)
    assert response.status_code == 302
    job = ImportJob.objects.defer("rows").get()
    page = measure("preview page", lambda: client_in.get(job.get_absolute_url()))
    assert f"<strong>{count}</strong> new cards" in page.content.decode()
    job = measure("import", lambda: confirm_and_run(job))
    if trace:
        tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before

    assert job.status == ImportJob.Status.DONE
    assert Card.objects.filter(owner=user).count() == count
    assert Prompt.objects.filter(card__owner=user).count() == count
    assert TaggedItem.objects.count() == 2 * count
    print(
        f"\n{count:,} rows, {len(content) / 1e6:.1f} MB on {connection.vendor}: "
        + "; ".join(figures)
        + f"; the process's peak RSS grew {rss_growth / 1024:.0f} MB"
    )
    if not trace:  # 10 s of CPU per 5,000 rows: a loop gone wrong, not a busy machine
        assert sum(total_seconds) < count / 500


def test_a_kind_the_format_names_is_the_kind_of_the_card(user):
    """A format that knows a note is two-way (Anki's reversed notes) says so per
    row; a cloze is found from the text whatever the format says."""
    parsed = importing.ParsedFile(source="csv")
    parsed.add(2, {"front": "TCP", "back": "Transmission Control Protocol", "topic": "Net"})
    parsed.add(
        3, {"front": "UDP", "back": "User Datagram Protocol", "topic": "Net"}, kind="reversed"
    )
    parsed.add(
        4, {"front": "{{c1::QUIC}} runs over UDP", "back": "", "topic": "Net"}, kind="reversed"
    )
    with pytest.raises(TypeError):
        parsed.add(5, {"front": "x", "back": "y", "topic": "Net"}, colour="red")
    job = confirm_and_run(importing.create_import_job(user=user, filename="n.csv", parsed=parsed))
    assert job.status == ImportJob.Status.DONE
    kinds = dict(Card.objects.filter(owner=user).values_list("front", "kind"))
    assert kinds == {"TCP": "basic", "UDP": "reversed", "{{c1::QUIC}} runs over UDP": "cloze"}
    assert Prompt.objects.filter(card__front="UDP").count() == 2
