"""The data of the load test, written and read back in a process of its own
(the app servers' settings and database, not the test run's):

    python -m tests.load.scenario setup 50   # prints the clients' ids as JSON
    python -m tests.load.scenario verify     # prints what the database holds

Each client is a person with their own cards in a study session, an interview
with a checklist and a mock interview, and a logged-in session in Redis (made
here as logging in makes it, without the password hashing: the test is about
the load, not the login).
"""

import json
import sys

import django

CARDS = 8
CHECKLIST_ITEMS = 3
MOCK_QUESTIONS = 2


def signed_in_session(user) -> str:
    """The key of a session in which ``user`` is logged in."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.person.PersonBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def setup(count: int) -> list[dict]:
    from django.contrib.auth import get_user_model

    from accounts.models import Profile
    from cards import services
    from cards.study import services as study_services
    from interviews.checklists import services as interview_services
    from interviews.mock import services as mock_services
    from interviews.models import InterviewerQuestion
    from tests.factories import make_card, make_interview, make_topic

    clients = []
    for number in range(count):
        user = get_user_model()(username=f"load{number}")
        user.set_unusable_password()
        user.save()
        Profile.objects.create(user=user, new_cards_per_day=500)
        topic = make_topic(owner=user, name=f"Load {number}")
        for card in range(CARDS):
            make_card(topic, user, front=f"Load {number}, question {card}?", back="An answer")
        study = study_services.start_session(user=user, topics=[topic])
        interview = make_interview(user, company=f"Load {number}")
        items = [
            interview_services.checklist_add_new(
                interview=interview, text=f"Question {n}?", category="team", save_to_bank=False
            )
            for n in range(CHECKLIST_ITEMS)
        ]
        for n in range(MOCK_QUESTIONS):
            InterviewerQuestion.objects.create(
                owner=user, area="technical", text=f"Load {number}, why {n}?", key_points=["a"]
            )
        mock = mock_services.start_mock(
            user=user, areas=["technical"], count=MOCK_QUESTIONS, time_limit_seconds=3600
        ).session
        clients.append(
            {
                "user": user.pk,
                "session_key": signed_in_session(user),
                "study": study.pk,
                "prompts": sorted(
                    services.studiable_prompts(user_id=user.pk, topic_ids=[topic.pk]).values_list(
                        "pk", flat=True
                    )
                ),
                "topic": topic.pk,
                "interview": interview.pk,
                "items": [item.pk for item in items],
                "mock": mock.pk,
                "answers": sorted(mock.answers.values_list("pk", flat=True)),
            }
        )
    return clients


def verify() -> dict:
    from cards.models import Progress, ReviewLog
    from interviews.models import ChecklistItem, MockAnswer

    return {
        "reviews": list(ReviewLog.objects.values_list("user_id", "prompt_id", "review_number")),
        "progress": list(Progress.objects.values_list("user_id", "prompt_id", "reps")),
        "items": {
            str(pk): answer for pk, answer in ChecklistItem.objects.values_list("pk", "answer")
        },
        "answers": {str(pk): text for pk, text in MockAnswer.objects.values_list("pk", "text")},
    }


def main(argv: list[str]) -> None:
    django.setup()
    if argv[1] == "setup":
        result = setup(int(argv[2]))
    elif argv[1] == "verify":
        result = verify()
    else:
        raise SystemExit(f"usage: {argv[0]} setup N | verify")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
