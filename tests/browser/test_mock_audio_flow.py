"""Answering aloud in a real Chromium: with a microphone (Chromium's fake device,
which plays a tone, and its fake permission prompt, which says yes), record two
seconds, stop, and hear it back in the player beside the answer box. Without a
microphone, the Record button is disabled with a note and the answer is typed."""

import re

import pytest
from playwright.sync_api import Page, expect

from interviews.mock import services as mock_services
from interviews.models import InterviewerQuestion, MockSession
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from tests.browser.helpers import log_in
from tests.factories import make_user

FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture
def page_with_microphone(playwright, live_server, transactional_db, browser_problems):
    """A Chromium of its own, with the fake microphone (the other tests' has none)."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_MICROPHONE]
    )
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    browser_problems.watch(page)
    yield page
    context.close()
    browser.close()
    browser_problems.check()


def mock_for(username: str) -> MockSession:
    user = make_user(username)
    InterviewerQuestion.objects.create(
        owner=user, area="technical", text="How does a hash map grow?", key_points=["a", "b"]
    )
    return mock_services.start_mock(
        user=user, areas=["technical"], count=1, time_limit_seconds=600
    ).session


def test_record_two_seconds_stop_and_play_it_back(page_with_microphone: Page):
    page = page_with_microphone
    session = mock_for("rita")
    log_in(page, "rita")
    page.goto(session.get_absolute_url())

    record = page.get_by_test_id("record")
    expect(record).to_be_enabled()
    expect(record).to_have_text("Record")
    dictation = page.evaluate("Boolean(window.SpeechRecognition || window.webkitSpeechRecognition)")
    expect(page.get_by_test_id("dictate")).to_be_visible() if dictation else expect(
        page.get_by_test_id("dictate")
    ).to_be_hidden()
    expect(page.get_by_test_id("dictate")).to_have_attribute("aria-pressed", "false")  # off

    record.click()
    expect(record).to_have_text("Stop")
    expect(page.get_by_test_id("record-timer")).to_have_text("0:02", timeout=4000)
    record.click()

    player = page.get_by_test_id("audio-player")
    expect(player).to_be_visible()
    expect(page.get_by_test_id("voice-note")).to_have_text("Recording saved.")
    expect(page.get_by_test_id("audio")).to_contain_text(re.compile(r"Your spoken answer, [23] s"))
    # The browser loads the recording from the server and can play it.
    for _ in range(40):  # (wait_for_function evaluates a string: the CSP forbids it)
        if player.evaluate("audio => audio.readyState") >= 1:  # HAVE_METADATA
            break
        page.wait_for_timeout(100)
    assert player.evaluate("audio => audio.readyState") >= 1
    assert player.evaluate("audio => audio.error") is None

    answer = session.answers.get()
    assert answer.audio.name.startswith("mock-audio/") and answer.audio_seconds in (2, 3)
    with answer.audio.open("rb") as kept:
        assert kept.read(4) == b"\x1a\x45\xdf\xa3"  # Chromium records WebM
    print(f"[audio] {answer.audio_seconds} s recorded: {answer.audio.size:,} bytes")
    assert 1000 < answer.audio.size < 40_000  # two seconds of the tone at 32 kbit/s


def test_without_a_microphone_the_answer_is_typed(page: Page):
    session = mock_for("tina")
    log_in(page, "tina")
    page.goto(session.get_absolute_url())
    record = page.get_by_test_id("record")
    if record.is_enabled():  # the browser can record: it finds no microphone when asked
        record.click()
    expect(record).to_be_disabled()
    expect(page.get_by_test_id("voice-note")).to_contain_text("type your answer")
    box = page.get_by_label("Your answer")
    box.fill("Typed instead.")
    expect(page.get_by_test_id("save-status")).to_have_text(re.compile(r"^Saved "))
