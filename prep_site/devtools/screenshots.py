"""Screenshots of the app for the landing page, taken from the app itself so
that they show it as it is: a demo person with a year of made-up study, an
interview with its checklist and a study session, served by Django's live
server and photographed by headless Chromium (Debian's) through Playwright.

Each page is photographed four ways, in the light and the dark theme, in a
desktop window and on a phone, framed on what matters there.

Run by ``scripts/screenshots.py``, which writes them to static/img/screens/."""

import math
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from django.utils.text import slugify

USERNAME = "demo"
PASSWORD = "prep-demo-2026"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
# Space left around a framed part of a page, in CSS pixels.
MARGIN = 16
# The demo person's topics, in place of the history generator's "Topic 1".."Topic 5".
TOPICS = ["System design", "Python", "SQL", "Networking", "Behavioral"]

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
STUDY_TAG = "collections"
CHECKLIST = [
    ("team", "How does the team decide what to build next?"),
    ("role", "What would you expect me to have done in my first 90 days?"),
    ("tech", "How do you deploy, and how often?"),
    ("tech", "What is on call like?"),
    ("growth", "How do engineers here grow into senior roles?"),
]


@dataclass(frozen=True)
class Look:
    """A window the pages are photographed in."""

    suffix: str  # added to a shot's name for the file's name
    width: int  # the window's size, in CSS pixels
    height: int
    dark: bool = False
    phone: bool = False
    scale: int = 1  # device pixels per CSS pixel


LOOKS = [
    Look("", 1280, 800),
    Look("-dark", 1280, 800, dark=True),
    # A phone's screen is sharp: two device pixels to the CSS pixel.
    Look("-phone", 390, 844, phone=True, scale=2),
    Look("-phone-dark", 390, 844, dark=True, phone=True, scale=2),
]


@dataclass(frozen=True)
class Frame:
    """What of a page a picture shows: the window, or the part of the page from
    the top of ``part`` down to the end of ``until`` (else of ``part``), with a
    margin around it. Without ``part``, the window is made as tall as the page
    down to the end of ``until``."""

    part: str = ""  # CSS selectors
    until: str = ""


@dataclass(frozen=True)
class Shot:
    name: str  # the file's name, without the look's suffix and .png
    path: str  # the page's address
    desktop: Frame = Frame()
    phone: Frame = Frame()
    reveal: bool = False  # show the study card's answer first

    def file_names(self) -> list[str]:
        return [f"{self.name}{look.suffix}.png" for look in LOOKS]


def seed() -> list[Shot]:
    """The demo person and what to photograph of theirs."""
    from django.contrib.auth import get_user_model

    from cards import services
    from cards.models import Card, Topic
    from cards.study import services as study_services
    from interviews.checklists import services as checklist_services
    from interviews.models import Interview
    from prep_site.devtools.history import generate_history

    generate_history(
        username=USERNAME, cards=240, reviews=2000, days=120, seed=7, topics=len(TOPICS)
    )
    user = get_user_model().objects.get(username=USERNAME)
    user.set_password(PASSWORD)
    user.save()
    topics = list(Topic.objects.filter(owner=user).order_by("pk"))
    for topic, name in zip(topics, TOPICS, strict=True):
        topic.name, topic.slug = name, slugify(name, allow_unicode=True)
    Topic.objects.bulk_update(topics, ["name", "slug"])
    python = Topic.objects.get(owner=user, name="Python")
    card = services.save_card(
        card=Card(owner=user, topic=python, front=STUDY_CARD, back=STUDY_ANSWER),
        tags=[STUDY_TAG],
    )
    # Only the card above: the session is kept to its tag.
    session = study_services.start_session(user=user, topics=[python], tags=card.tags.all())
    interview = Interview.objects.create(
        user=user,
        company="Initech",
        role="Backend engineer",
        stage="technical",
        scheduled_at=timezone.now() + timedelta(days=9),
    )
    interview.topics.set(topics)
    for category, text in CHECKLIST:
        checklist_services.checklist_add_new(
            interview=interview, text=text, category=category, save_to_bank=False
        )
    # The first two were asked in an earlier round: they show as done.
    asked = interview.checklist.order_by("position").values_list("pk", flat=True)[:2]
    interview.checklist.filter(pk__in=list(asked)).update(asked=True)
    return [
        Shot(
            "study",
            f"/study/{session.pk}/",
            desktop=Frame(part=".study"),
            phone=Frame(until="#study-card"),
            reveal=True,
        ),
        Shot(
            "dashboard",
            "/progress/",
            desktop=Frame(until="[data-testid=topic-table]"),
            phone=Frame(until="section[aria-labelledby=heatmap-title]"),
        ),
        Shot(
            "checklist",
            f"/interviews/{interview.pk}/",
            desktop=Frame(part="#checklist-panel"),
            # A phone shows three of the questions: five are two screens tall.
            phone=Frame(part="#checklist-panel", until="#checklist-items > li:nth-child(3)"),
        ),
    ]


# An element's box on the page.
BOX = """selector => {
    const box = document.querySelector(selector).getBoundingClientRect();
    return {left: box.left + window.scrollX, top: box.top + window.scrollY,
            right: box.right + window.scrollX, bottom: box.bottom + window.scrollY};
}"""
# The room the page keeps below its end for a bar fixed at the bottom of the
# window (the study grades on a phone).
ROOM = "() => parseFloat(getComputedStyle(document.body).paddingBottom) || 0"


def take(page, look: Look, frame: Frame, path: Path) -> None:
    """Save the picture of the page that the frame asks for."""
    for selector in (frame.part, frame.until):
        if selector:
            page.locator(selector).first.wait_for()
    if frame.part:
        part = page.evaluate(BOX, frame.part)
        # Cut inside the part, the picture ends right at the end of ``until``.
        if frame.until:
            bottom = page.evaluate(BOX, frame.until)["bottom"]
        else:
            bottom = part["bottom"] + MARGIN
        left, top = max(part["left"] - MARGIN, 0), max(part["top"] - MARGIN, 0)
        right = min(part["right"] + MARGIN, look.width)
        clip = {"x": left, "y": top, "width": right - left, "height": bottom - top}
        page.screenshot(path=path, full_page=True, clip=clip)
    elif frame.until:
        end = math.ceil(page.evaluate(BOX, frame.until)["bottom"] + page.evaluate(ROOM)) + MARGIN
        page.set_viewport_size({"width": look.width, "height": end})
        page.screenshot(path=path)
        page.set_viewport_size({"width": look.width, "height": look.height})
    else:
        page.screenshot(path=path)


def photograph(base_url: str, shots: list[Shot], out: Path) -> list[Path]:
    """Log in as the demo person and save each shot in each look as
    ``out/<name><suffix>.png``."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for look in LOOKS:
            context = browser.new_context(
                base_url=base_url,
                viewport={"width": look.width, "height": look.height},
                device_scale_factor=look.scale,
                is_mobile=look.phone,
                has_touch=look.phone,
                color_scheme="dark" if look.dark else "light",
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
                path = out / f"{shot.name}{look.suffix}.png"
                take(page, look, shot.phone if look.phone else shot.desktop, path)
                written.append(path)
            context.close()
        browser.close()
    return written
