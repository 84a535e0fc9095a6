"""An interview planned from Paris for a New York office: the form starts in
Paris, every view writes the same moment, a past one shows it took place, and
a mock interview for a backend interview asks no machine learning."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from interviews.models import Interview, MockSession, PracticeArea, Stage
from interviews.starter import load_starter_questions
from tests.browser.helpers import log_in
from tests.factories import make_interview, make_topic, make_user

IN_PARIS = "Tue 10 Dec 2030, 16:00 (Europe/Paris) · 10:00 in America/New_York"


def test_plan_from_paris_for_new_york_then_rehearse(page: Page):
    load_starter_questions()
    user = make_user("amelie", timezone="Europe/Paris")
    make_topic(owner=user, name="Python")
    make_interview(
        user,
        company="Oldco",
        scheduled_at=timezone.now() - timedelta(days=3),
        timezone="Europe/Paris",
    )
    log_in(page, "amelie")

    page.goto("/interviews/new/")
    zone = page.get_by_label("Time zone")
    expect(zone).to_have_value("Europe/Paris")
    expect(zone.locator("optgroup[label=Common] option")).to_have_count(16)
    expect(zone.locator("option[value=localtime], option[value='Etc/GMT+5']")).to_have_count(0)
    page.get_by_label("Company").fill("Gotham Bank")
    page.get_by_label("Role").fill("Backend engineer")
    page.get_by_label("Date and time").fill("2030-12-10T10:00")
    zone.select_option("America/New_York")
    page.get_by_label("Python").check()
    page.get_by_role("main").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("interview-time")).to_have_text(IN_PARIS)
    interview = Interview.objects.get(company="Gotham Bank")
    assert interview.scheduled_at.isoformat() == "2030-12-10T15:00:00+00:00"

    page.goto("/interviews/")
    upcoming, past = page.get_by_test_id("upcoming"), page.get_by_test_id("past")
    expect(upcoming.get_by_test_id("interview-time")).to_have_text(IN_PARIS)
    expect(past.get_by_test_id("status")).to_have_text("Took place")
    expect(upcoming.get_by_test_id("status")).to_have_text("Upcoming")

    page.goto(f"/interviews/{interview.pk}/checklist/print/")
    expect(page.get_by_test_id("interview-time")).to_have_text(IN_PARIS)
    page.goto("/")
    expect(page.get_by_test_id("next-interview")).to_contain_text(IN_PARIS)

    # Rehearse it from its page: technical stage, a Python topic.
    page.goto(interview.get_absolute_url())
    page.get_by_role("link", name="Mock interview").click()
    page.get_by_label("Questions").fill("10")
    page.get_by_role("button", name="Start the mock interview").click()
    expect(page).to_have_url(re.compile(r"/mock/\d+/$"))
    session = MockSession.objects.get(user=user)
    areas = {a.question.area for a in session.answers.select_related("question")}
    assert session.interview == interview and interview.stage == Stage.TECHNICAL
    assert PracticeArea.MACHINE_LEARNING not in areas
