"""Inside Django: each person's study session, interview checklist, signed-in
cookie and CSRF token, and the file of grades the load posts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .common import ROOT, Person

CHECKLIST_ITEMS = 15


def setup_django(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare_person(username: str, workdir: Path) -> Person:
    from datetime import timedelta
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
        load_backend,
    )
    from django.contrib.auth.backends import ModelBackend
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils import timezone

    from accounts.middleware import SESSION_KEY as TIMEZONE_SESSION_KEY
    from accounts.models import Profile
    from cards.models import Topic
    from cards.study import services as study_services
    from interviews.checklists import services as interview_services
    from interviews.models import Interview, QuestionToAsk

    user = get_user_model().objects.get(username=username)
    topics = list(Topic.objects.filter(owner=user).order_by("name"))
    session = study_services.start_session(user=user, topics=topics)

    interview = Interview.objects.create(
        user=user,
        company="Acme Data",
        role="Backend engineer",
        scheduled_at=timezone.now() + timedelta(days=14),
        stage="technical",
    )
    interview.topics.set(topics[:3])
    interview_services.seed_question_bank(user=user)
    bank = list(
        QuestionToAsk.objects.filter(user=user)
        .order_by("category", "id")
        .values_list("pk", flat=True)[:CHECKLIST_ITEMS]
    )
    interview_services.checklist_add_from_bank(interview=interview, question_ids=bank)
    for n in range(len(bank), CHECKLIST_ITEMS):
        interview_services.checklist_add_new(
            interview=interview,
            text=f"What would my first project be? ({n})",
            category="role",
            save_to_bank=False,
        )

    # A logged-in session, as the login view would leave it, and a CSRF token:
    # Django accepts the unmasked secret in the header when it matches the cookie.
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if isinstance(load_backend(path), ModelBackend)
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[TIMEZONE_SESSION_KEY] = Profile.for_user(user).timezone
    store.save()
    csrf = _get_new_csrf_string()
    cookie = (
        f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"
    )

    grade_file, lines, sanity = write_grade_file(user, topics, workdir)
    return Person(
        username=username,
        user_id=user.pk,
        session_id=session.pk,
        topic_id=topics[0].pk,
        interview_id=interview.pk,
        cookie=cookie,
        csrf=csrf,
        grade_file=str(grade_file),
        grade_lines=lines,
        sanity_prompt=sanity,
    )


def write_grade_file(user, topics, workdir: Path) -> tuple[Path, int, tuple[int, int]]:
    """Every prompt of the session with its review count, one per line: due ones
    first (most overdue first), then the rest of the studied ones, then the new
    ones. The last is kept out of the file for the server check."""
    from cards import services
    from cards.models import Progress, Prompt

    prompts = services.studiable_prompts(user_id=user.pk, topic_ids=[t.pk for t in topics])
    progress = {
        row[0]: row[1:]
        for row in Progress.objects.filter(user=user).values_list("prompt_id", "reps", "due")
    }
    studied, new = [], []
    for prompt_id, card_id in prompts.order_by("card_id", "ordinal").values_list("pk", "card_id"):
        if prompt_id in progress:
            reps, due = progress[prompt_id]
            studied.append((due, prompt_id, reps))
        else:
            new.append((card_id, prompt_id, 0))
    studied.sort()
    lines = [(prompt_id, reps) for _, prompt_id, reps in studied + new]
    sanity = lines.pop()  # for the server check, out of the load's way
    grade_file = workdir / f"grades-{user.username}.txt"
    grade_file.write_text("".join(f"{p} {r}\n" for p, r in lines))
    assert Prompt.objects.filter(pk=sanity[0]).exists()
    return grade_file, len(lines), sanity


def refresh_grades(person: Person, workdir: Path) -> Person:
    """The person with their grade file written again, after grades the load did
    not make (the browser's): its review counts as they are now."""
    from dataclasses import replace

    from django.contrib.auth import get_user_model
    from django.db import connections

    from cards.models import Topic

    user = get_user_model().objects.get(pk=person.user_id)
    topics = list(Topic.objects.filter(owner=user).order_by("name"))
    grade_file, lines, sanity = write_grade_file(user, topics, workdir)
    connections.close_all()
    return replace(person, grade_file=str(grade_file), grade_lines=lines, sanity_prompt=sanity)


def recorded_grades(person: Person) -> int:
    from cards.models import ReviewLog

    return ReviewLog.objects.filter(session_id=person.session_id).count()
