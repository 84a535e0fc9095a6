"""The data of the write-lock test, written in a process of its own (the app
servers' settings and database, as tests/load/scenario.py):

    python -m tests.load.limits_scenario setup    # prints the heavy person's ids as JSON
    python -m tests.load.limits_scenario import N # writes an import of N cards, timed

The heavy person stands at the limits: a topic holding nearly the most cards a
person keeps, with a year of reviews; a bank of questions enough to fill a
checklist in one go; an interview whose checklist is full.
"""

import json
import sys
import time

import django

REVIEWS = 40_000
ROOM = 100  # cards left under the limit, for the requests that add one


def setup() -> dict:
    from accounts.models import Profile
    from cards.models import MAX_CARDS_PER_PERSON, Card, ReviewLog, Topic
    from interviews.models import MAX_CHECKLIST_ITEMS, ChecklistItem, QuestionToAsk
    from prep_site.devtools.history import generate_history
    from tests.factories import make_interview
    from tests.load.scenario import signed_in_session

    generate_history(
        username="heavy", cards=MAX_CARDS_PER_PERSON - ROOM, reviews=REVIEWS, topics=1, seed=1
    )
    user = Profile.objects.get(user__username="heavy").user
    big = Topic.objects.get(owner=user)
    most_reviewed = (
        ReviewLog.objects.filter(user=user)
        .values("card_id")
        .annotate(n=django.db.models.Count("*"))
        .order_by("-n")
        .first()
    )
    bank = QuestionToAsk.objects.bulk_create(
        QuestionToAsk(user=user, category="team", text=f"Question {n} " + "x" * 480)
        for n in range(MAX_CHECKLIST_ITEMS)
    )
    empty = make_interview(user, company="Empty checklist")
    full = make_interview(user, company="Full checklist")
    ChecklistItem.objects.bulk_create(
        ChecklistItem(interview=full, text=f"Q {n} " + "x" * 490, position=n, answer="y" * 5000)
        for n in range(1, MAX_CHECKLIST_ITEMS + 1)
    )
    small = Topic.objects.create(owner=user, name="Small", slug="small")
    return {
        "session_key": signed_in_session(user),
        "big_topic": big.pk,
        "big_cards": Card.objects.filter(topic=big).count(),
        "small_topic": small.pk,
        "card": most_reviewed["card_id"],
        "card_reviews": most_reviewed["n"],
        "bank": [q.pk for q in bank],
        "empty_interview": empty.pk,
        "full_interview": full.pk,
        "items": list(full.checklist.values_list("pk", flat=True)),
    }


def write_import(count: int) -> dict:
    """Confirm and write an import of ``count`` new cards for a person of their
    own, as a worker does; how long the writing transaction took."""
    from django.contrib.auth import get_user_model

    from cards.imports import services
    from cards.imports.rows import ParsedFile
    from cards.models import Card

    user = get_user_model().objects.create(username="importer")
    parsed = ParsedFile(
        source="csv",
        rows=[
            [n + 2, f"Imported question {n}? " + "q" * 200, "An answer " + "a" * 300, "Imp", ["t"]]
            for n in range(count)
        ],
    )
    job = services.create_import_job(user=user, filename="big.csv", parsed=parsed)
    services.start_import(job=job, on_duplicate="skip")
    started = time.perf_counter()
    services.run_import(job_id=job.pk)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "cards": Card.objects.filter(owner=user).count()}


def main(argv: list[str]) -> None:
    django.setup()
    if argv[1] == "setup":
        result = setup()
    elif argv[1] == "import":
        result = write_import(int(argv[2]))
    else:
        raise SystemExit(f"usage: {argv[0]} setup | import N")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
