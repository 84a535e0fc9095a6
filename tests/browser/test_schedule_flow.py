"""Your schedule in the browser: the workload chart and the suggested
retention, a new retention with a light date, the optimizer run with
rescheduling (the test settings run tasks at once), and the plan on an
upcoming interview's page."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from cards.models import SchedulerSettings, Topic
from prep_site.devtools.history import generate_history
from prep_site.devtools.history.rows import DEFAULT_PASSWORD
from tests.browser.helpers import log_in
from tests.factories import make_interview, settled_now


def test_a_person_tunes_their_schedule_and_sees_the_plan(page: Page):
    generate_history(username="ines", cards=150, reviews=1_500, days=120, seed=7, now=settled_now())
    log_in(page, "ines", DEFAULT_PASSWORD)

    page.goto("/accounts/settings/")
    page.get_by_role("link", name="Your schedule").click()
    expect(page.get_by_role("heading", name="Your schedule", level=1)).to_be_visible()
    expect(page.get_by_test_id("suggested-retention")).to_contain_text("Suggested minimum")
    expect(page.locator("svg polyline")).to_have_count(3)  # three retentions charted

    page.get_by_role("spinbutton", name="Desired retention").fill("0.85")
    light = (timezone.localdate() + timedelta(days=30)).isoformat()
    page.get_by_label("Light dates").fill(light)
    expect(page.get_by_label("Interview days are light")).to_be_checked()
    page.get_by_role("main").get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: your next intervals follow these settings.")).to_be_visible()
    expect(page.get_by_label("Light dates")).to_have_value(light)
    row = SchedulerSettings.objects.get(user__username="ines")
    assert (row.desired_retention, row.light_dates) == (0.85, [light])

    page.get_by_label("Then reschedule my cards").check()
    page.get_by_role("button", name="Optimize").click()
    outcome = page.get_by_test_id("optimize-outcome")
    expect(outcome).to_contain_text("Rescheduled")
    expect(outcome).to_contain_text("now due earlier")
    expect(page.get_by_test_id("optimize-metrics")).to_be_visible()

    interview = make_interview(row.user, company="Globex")
    interview.topics.set(Topic.objects.filter(cards__owner=row.user).distinct()[:1])
    page.goto(interview.get_absolute_url())
    expect(page.get_by_test_id("recall")).to_contain_text("Predicted recall")
    expect(page.get_by_test_id("plan")).to_contain_text("a day")
