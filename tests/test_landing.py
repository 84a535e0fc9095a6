"""The signed-out home page: what prep does for an interview, shown with
screenshots of the app (scripts/screenshots.py), and a sign-up one click away
that fits one screen."""

import os
import struct
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders

ROOT = settings.BASE_DIR


class Page(HTMLParser):
    """A page's text, its links (href, text), images, pictures (their attributes
    and the attributes of their sources and image), labels (for, class, text)
    and form fields (attributes)."""

    def __init__(self, html: str):
        super().__init__()
        self.text, self.links, self.images, self.fields = [], [], [], []
        self.pictures, self.labels = [], []
        self._link = self._label = self._picture = None
        self.feed(html)
        self.text = " ".join(" ".join(self.text).split())

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self._link = [attrs.get("href"), ""]
            self.links.append(self._link)
        elif tag == "label":
            self._label = [attrs.get("for"), attrs.get("class", ""), ""]
            self.labels.append(self._label)
        elif tag == "picture":
            self._picture = {"attrs": attrs, "sources": [], "img": None}
            self.pictures.append(self._picture)
        elif tag == "source" and self._picture is not None:
            self._picture["sources"].append(attrs)
        elif tag == "img":
            self.images.append(attrs)
            if self._picture is not None:
                self._picture["img"] = attrs
        elif tag in ("input", "select", "textarea"):
            self.fields.append(attrs)

    def handle_endtag(self, tag):
        if tag == "a":
            self._link = None
        elif tag == "label":
            self._label = None
        elif tag == "picture":
            self._picture = None

    def handle_data(self, data):
        self.text.append(data)
        if self._link is not None:
            self._link[1] += data.strip()
        if self._label is not None:
            self._label[2] += data.strip()


def get(client, url) -> Page:
    response = client.get(url)
    assert response.status_code == 200
    return Page(response.content.decode())


def file_name(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def png_size(path) -> tuple[int, int]:
    with open(path, "rb") as image:
        header = image.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.mark.django_db
def test_the_landing_page_says_what_prep_does_for_an_interview(client):
    page = get(client, "/")
    text = page.text
    for claim in (
        "Walk into your interview ready.",
        "flashcards by topic on a spaced-repetition schedule",
        "Study by topic, on a schedule aimed at the interview",
        "how much you will recall on the day",
        "Your progress",
        "Timed mock interviews and a checklist per company",
        "questions you want to ask each company",
    ):
        assert claim in text
    assert [text for href, text in page.links if href == "#landing-signup"] == [
        "Start preparing: create a free account"
    ]


@pytest.mark.django_db
def test_the_landing_page_is_the_sign_up_form(client):
    """The whole form is on the landing page, so signing up takes that one screen."""
    response = client.get("/")
    page = Page(response.content.decode())
    shown = [f["name"] for f in page.fields if f.get("type") not in ("hidden", "submit")]
    assert shown == ["username", "email", "password1", "password2"]
    assert 'action="/accounts/signup/"' in response.content.decode()
    # "e-mail" as the app writes it, never broken at its hyphen on a phone.
    assert [(text, "text-nowrap" in cls) for to, cls, text in page.labels if to == "id_email"] == [
        ("E-mail", True)
    ]
    assert '<span class="text-nowrap">e-mail</span> only if' in response.content.decode()
    assert not [f for f in page.fields if "autofocus" in f], "the page opens at its top"
    assert "Create a free account" in page.text and "Log in" in page.text

    response = client.post(
        "/accounts/signup/",
        {
            "username": "grace",
            "email": "",
            "password1": "a long unusual passphrase 42",
            "password2": "a long unusual passphrase 42",
            "timezone": "Europe/Paris",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/welcome/"
    assert User.objects.get(username="grace").profile.timezone == "Europe/Paris"


@pytest.mark.django_db
def test_the_landing_page_shows_real_screenshots_at_their_own_size(client):
    """Each screenshot in the light and the dark theme, each with a phone's own
    (scripts/screenshots.py takes them all), and sizes that match the files."""
    pictures = get(client, "/").pictures
    shown = [
        (
            picture["attrs"]["class"],
            file_name(picture["img"]["src"]),
            [file_name(source["srcset"]) for source in picture["sources"]],
        )
        for picture in pictures
    ]
    assert shown == [
        (f"screen screen-{theme}", f"{name}{dark}.png", [f"{name}-phone{dark}.png"])
        for name in ("study", "dashboard", "checklist")
        for theme, dark in (("light", ""), ("dark", "-dark"))
    ]
    for light, dark in zip(pictures[::2], pictures[1::2], strict=True):
        assert len(light["img"]["alt"]) > 40, "each screenshot says what it shows"
        assert dark["img"]["alt"] == light["img"]["alt"]
    for picture in pictures:
        # Not fetched while the other theme's picture is the one shown.
        assert picture["img"]["loading"] == "lazy"
        assert [source["media"] for source in picture["sources"]] == ["(max-width: 575.98px)"]
        for attrs, url in [(picture["img"], picture["img"]["src"])] + [
            (source, source["srcset"]) for source in picture["sources"]
        ]:
            found = finders.find(url.removeprefix(settings.STATIC_URL))
            assert found, f"{url} is not among the static files"
            assert png_size(found) == (int(attrs["width"]), int(attrs["height"])), url
            assert os.path.getsize(found) < 300_000, f"{url} is heavy for a web page"


def test_the_signup_page_is_one_short_form(client, db):
    fields = get(client, "/accounts/signup/").fields
    shown = [f["name"] for f in fields if f.get("type") not in ("hidden", "submit", "search")]
    assert shown == ["username", "email", "password1", "password2"]


@pytest.mark.db_independent
def test_the_screenshot_script_photographs_the_app(tmp_path):
    """The script builds its own database and server, as a person runs it."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == sorted(
        f"{name}{look}.png"
        for name in ("study", "dashboard", "checklist")
        for look in ("", "-dark", "-phone", "-phone-dark")
    )
    for name in ("study", "dashboard", "checklist"):
        desktop, phone = (
            png_size(tmp_path / f"{name}.png"),
            png_size(tmp_path / f"{name}-phone.png"),
        )
        # Each theme's picture frames the same part of the page.
        assert png_size(tmp_path / f"{name}-dark.png") == desktop
        assert png_size(tmp_path / f"{name}-phone-dark.png") == phone
        assert 600 <= desktop[0] <= 1280, "a desktop window, or the part of it that matters"
        assert phone[0] == 780, "a phone 390 pixels wide, at twice the pixels"
        assert phone[1] <= 2 * 844 * 1.1, "about one phone screen"
    # Framed on the card, not on a half-empty window.
    assert png_size(tmp_path / "study.png")[0] < 1000
    for path in tmp_path.iterdir():
        assert path.stat().st_size < 300_000, f"{path.name} is heavy for a web page"
