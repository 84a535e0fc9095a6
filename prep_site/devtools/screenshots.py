"""Screenshots of the app for the landing page, taken from the app itself so
that they show it as it is: a demo person with a year of made-up study, an
interview with its checklist and a study session, served by Django's live
server and photographed by headless Chromium (Debian's) through Playwright.

Run by ``scripts/screenshots.py``, which writes them to static/img/screens/."""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

USERNAME = "demo"
PASSWORD = "prep-demo-2026"
# The window's size (CSS pixels): the size of each picture of a whole window.
WIDTH, HEIGHT = 1280, 800
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]

STUDY_CARD = """How do you count the words of a file in Python?

```python
from collections import Counter

with open("notes.txt") as notes:
    words = Counter(notes.read().split())
print(words.most_common(3))
```"""
STUDY_ANSWER = """`collections.Counter` counts any iterable; `most_common(n)` gives the
*n* most frequent items, most frequent first. Reading the file line by line
keeps memory flat for a large file."""
CHECKLIST = [
    ("team", "How does the team decide what to build next?"),
    ("role", "What would you expect me to have done in my first 90 days?"),
    ("tech", "How do you deploy, and how often?"),
    ("tech", "What is on call like?"),
    ("growth", "How do engineers here grow into senior roles?"),
]


@dataclass(frozen=True)
class Shot:
    name: str  # the file's name, without .png
    path: str  # the page's address
    reveal: bool = False  # show the study card's answer first
    part: str = ""  # only the element this CSS selector finds (else the window)


def seed() -> list[Shot]:
    """The demo person and what to photograph of theirs."""
    from cards import services
    from cards.models import Card, Topic
    from cards.study import services as study_services
    from interviews.checklists import services as checklist_services
    from interviews.models import Interview
    from prep_site.devtools.history import generate_history

    generate_history(username=USERNAME, cards=240, reviews=2000, days=120, seed=7, topics=5)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=USERNAME)
    user.set_password(PASSWORD)
    user.save()
    python = Topic.objects.create(owner=user, name="Python")
    services.save_card(
        card=Card(owner=user, topic=python, front=STUDY_CARD, back=STUDY_ANSWER),
        tags=["collections"],
    )
    session = study_services.start_session(user=user, topics=[python])
    interview = Interview.objects.create(
        user=user,
        company="Initech",
        role="Backend engineer",
        stage="technical",
        scheduled_at=timezone.now() + timedelta(days=9),
    )
    interview.topics.set(Topic.objects.filter(owner=user))
    for category, text in CHECKLIST:
        checklist_services.checklist_add_new(
            interview=interview, text=text, category=category, save_to_bank=False
        )
    # The first two were asked in an earlier round: they show as done.
    asked = interview.checklist.order_by("position").values_list("pk", flat=True)[:2]
    interview.checklist.filter(pk__in=list(asked)).update(asked=True)
    return [
        Shot("study", f"/study/{session.pk}/", reveal=True),
        Shot("dashboard", "/progress/"),
        Shot("checklist", f"/interviews/{interview.pk}/", part="#checklist-panel"),
    ]


def photograph(base_url: str, shots: list[Shot], out: Path) -> list[Path]:
    """Log in as the demo person and save each shot as ``out/<name>.png``."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=base_url, viewport={"width": WIDTH, "height": HEIGHT}, color_scheme="light"
        )
        page = context.new_page()
        page.goto("/accounts/login/")
        page.locator("input[name=username]").fill(USERNAME)
        page.locator("input[name=password]").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(base_url.rstrip("/") + "/")
        for shot in shots:
            page.goto(shot.path)
            page.wait_for_load_state("networkidle")
            if shot.reveal:
                page.keyboard.press("Space")
                page.get_by_test_id("answer").wait_for(state="visible")
            path = out / f"{shot.name}.png"
            if shot.part:
                page.locator(shot.part).screenshot(path=path)
            else:
                page.screenshot(path=path)
            written.append(path)
        browser.close()
    return written
