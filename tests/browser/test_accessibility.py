"""Every main page, checked with axe-core against WCAG 2.1 A and AA, and for a
layout that fits: no sideways scrolling, no text cut off. At a desktop's width
and a phone's, in light and dark mode (the walk visits each page once a width and lists
every problem of every page, so one run shows all there is to mend)."""

import io
import random

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cards import imports as importing
from cards.models import SavedSearch
from cards.quiz import services as quiz_services
from cards.study import services as study_services
from interviews.checklists import services as checklist_services
from interviews.mock import services as mock_services
from interviews.models import InterviewerQuestion
from tests.browser.audit import axe_violations, layout_problems, overlap_problems
from tests.browser.helpers import PHONE, log_in
from tests.factories import make_card, make_interview, make_topic, make_user, settled_now

DESKTOP = {"width": 1280, "height": 800}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
COLOR_SCHEMES = ["light", "dark"]

CODE_CARD = """How do you count the words of a file in Python?

```python
from collections import Counter
words = Counter(open("a_file_with_a_long_name.txt").read().split())  # every word, counted
```"""
TABLE_CARD = """| Structure | Lookup | Insert | Delete | Ordered | Notes on memory |
|---|---|---|---|---|---|
| Hash map | O(1) | O(1) | O(1) | no | buckets and load factor |
| B-tree | O(log n) | O(log n) | O(log n) | yes | pages of many keys |"""


def seed() -> dict[str, str]:
    """A person with some of everything; the address of each page to visit."""
    user = make_user("ada")
    topic = make_topic(owner=user, name="Python")
    cards = [
        make_card(topic, user, front=CODE_CARD, back=TABLE_CARD, tags=["collections"]),
        make_card(topic, user, front="What is a generator?", back="A lazy iterator."),
        make_card(topic, user, front="What does the GIL do?", back="One thread runs bytecode."),
    ]
    side = make_topic(owner=user, name="Networking")
    make_card(side, user, front="What is TCP?", back="A reliable byte stream.")
    now = timezone.now()
    graded = study_services.start_session(user=user, topics=[side])
    study_services.grade_prompt(
        user=user,
        session=graded,
        prompt=side.cards.get().prompts.get(),
        rating=3,
        expected_reps=0,
        duration_ms=2000,
        now=settled_now(),
    )
    session = study_services.start_session(user=user, topics=[topic])
    quiz = quiz_services.start_quiz(
        user=user, topics=[topic], size=3, mode="random", count_as_reviews=False
    )
    done = quiz_services.start_quiz(
        user=user, topics=[topic], size=2, mode="random", count_as_reviews=False
    )
    for n, item in enumerate(done.items.order_by("position")):
        quiz_services.mark_item(user=user, quiz=done, item_id=item.pk, correct=n == 0, now=now)
    upload = "front,back,topic\nWhat is UDP?,A datagram protocol,Networking\n"
    preview = importing.create_import_job(
        user=user,
        filename="networking.csv",
        parsed=importing.parse_upload(file=io.BytesIO(upload.encode()), filename="net.csv"),
    )
    interview = make_interview(user, company="Initech", stage="technical")
    interview.topics.set([topic, side])
    checklist_services.seed_question_bank(user=user)
    checklist_services.checklist_add_new(
        interview=interview, text="What is on call like?", category="tech", save_to_bank=False
    )
    for n in range(2):
        InterviewerQuestion.objects.create(
            owner=user, area="technical", text=f"Explain caching {n}.", key_points=["a", "b"]
        )
    mock = mock_services.start_mock(
        user=user, areas=["technical"], count=2, time_limit_seconds=1800, rng=random.Random(0)
    ).session
    SavedSearch.objects.create(user=user, name="Python cards", text="topic:Python")
    card = cards[0]
    return {
        "home": "/",
        "study start": "/study/",
        "study card": f"/study/{session.pk}/",
        "study summary": f"/study/{graded.pk}/summary/",
        "schedule": "/study/schedule/",
        "quiz start": "/quiz/",
        "quiz": f"/quiz/{quiz.pk}/",
        "quiz result": f"/quiz/{done.pk}/result/",
        "topics": "/topics/",
        "a topic": f"/topics/{topic.pk}/",
        "new topic": "/topics/new/",
        "card detail": f"/cards/{card.pk}/",
        "card editor": f"/cards/{card.pk}/edit/",
        "new card": "/cards/new/",
        "card browser": "/cards/",
        "card browser search": "/cards/?q=topic%3APython",
        "search": "/search/?q=generator",
        "progress dashboard": "/progress/",
        "interviews": "/interviews/",
        "new interview": "/interviews/new/",
        "an interview's checklist": f"/interviews/{interview.pk}/",
        "question bank": "/interviews/questions/",
        "mock start": "/mock/",
        "mock question": f"/mock/{mock.pk}/",
        "mock questions": "/mock/questions/",
        "settings": "/accounts/settings/",
        "your data": "/accounts/data/",
        "import": "/import/",
        "import preview": f"/import/{preview.pk}/",
    }


SIGNED_OUT = {
    "landing": "/",
    "log-in": "/accounts/login/",
    "sign-up": "/accounts/signup/",
    "password reset": "/accounts/password_reset/",
}


def check(page: Page, what: str, problems: list[str]) -> None:
    problems += [f"{what}: {problem}" for problem in axe_violations(page)]
    problems += [f"{what}: {problem}" for problem in layout_problems(page)]
    problems += [f"{what}: {problem}" for problem in overlap_problems(page)]


@pytest.mark.parametrize("color_scheme", COLOR_SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_meets_wcag_21_aa_and_fits(page: Page, width: str, color_scheme: str):
    pages = seed()
    page.set_viewport_size(WIDTHS[width])
    page.emulate_media(color_scheme=color_scheme)
    problems: list[str] = []

    for what, url in SIGNED_OUT.items():
        page.goto(url)
        check(page, what, problems)

    log_in(page, "ada")
    for what, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("load")
        check(page, what, problems)
        if what == "study card":
            page.keyboard.press("Space")
            expect(page.get_by_test_id("answer")).to_be_visible()
            check(page, "study card revealed", problems)

    assert not problems, f"{len(problems)} problems at {width} width, {color_scheme} mode:\n" + (
        "\n".join(problems)
    )
