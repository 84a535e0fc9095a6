"""Sign up on the landing page, say what you prepare for and when, and the first
card is on screen."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from cards.models import StudySession
from cards.starter import load_starter_cards
from interviews.models import Interview
from tests.browser.helpers import on_study_page

PASSWORD = "quiet-lantern-orbit-42"


def test_sign_up_then_first_run_shows_the_first_card(page: Page, browser_problems):
    browser_problems.allow(r"/accounts/welcome/$")  # the form refused, with a 400
    load_starter_cards()
    page.goto("/")
    expect(page.get_by_role("heading", name="Create a free account")).to_be_visible()
    page.locator("input[name=username]").fill("ada")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/accounts/welcome/$"))
    expect(page.get_by_role("heading", name="Let’s set up your preparation")).to_be_visible()
    # Nothing chosen: the page says what is missing.
    page.get_by_role("button", name="Start studying").click()
    expect(page.get_by_text("Choose what you are preparing for")).to_be_visible()

    page.get_by_label("Data and machine learning").check()
    day = timezone.localdate() + timedelta(days=14)
    page.get_by_label("Date of your next interview").fill(day.isoformat())
    page.get_by_label("Company").fill("Initech")
    page.get_by_role("button", name="Start studying").click()

    on_study_page(page)
    expect(page.get_by_test_id("question")).not_to_be_empty()
    session = StudySession.objects.get(user__username="ada")
    assert {topic.slug for topic in session.topics.all()} >= {"machine-learning", "statistics"}
    interview = Interview.objects.get(user__username="ada")
    assert interview.company == "Initech"
    page.keyboard.press("Space")
    expect(page.get_by_test_id("answer")).to_be_visible()
