"""time_optimizer: times the optimizer on a person's reviews and saves nothing."""

import re
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cards.models import OptimizeJob, SchedulerSettings

pytestmark = pytest.mark.django_db

NUMBER = r"(\d+(?:\.\d+)?)"
LINES = {
    "Reviews": rf"^Reviews: {NUMBER}$",
    "Training items": rf"^Training items: {NUMBER}$",
    "Read the histories": rf"^Read the histories: {NUMBER} s$",
    "Fit": rf"^Fit: {NUMBER} s$",
    "Evaluate": rf"^Evaluate: {NUMBER} s$",
    "Total": rf"^Total: {NUMBER} s$",
    "Peak RSS": rf"^Peak RSS: {NUMBER} MB$",
}


def test_prints_the_times_memory_and_metrics_and_saves_nothing():
    moment = datetime(2026, 3, 14, 15, 30, tzinfo=UTC)
    call_command(
        "make_history",
        cards=60,
        reviews=600,
        seed=3,
        user="timed",
        now=moment,
        stdout=StringIO(),
        stderr=StringIO(),
    )
    out = StringIO()
    call_command("time_optimizer", user="timed", stdout=out)
    text = out.getvalue()

    assert "Person: timed" in text
    figures = {}
    for name, pattern in LINES.items():
        match = re.search(pattern, text, re.MULTILINE)
        assert match, f"no {name} line in:\n{text}"
        figures[name] = float(match.group(1))
    assert figures["Reviews"] == 600
    assert 64 <= figures["Training items"] < 600
    assert figures["Total"] >= figures["Fit"] >= 0
    assert figures["Peak RSS"] > 10
    for metric in ("Log loss", "RMSE"):
        match = re.search(rf"^{metric}: default {NUMBER}, fitted {NUMBER}$", text, re.MULTILINE)
        assert match, f"no {metric} line in:\n{text}"
        assert float(match.group(1)) > 0 and float(match.group(2)) > 0
    assert re.search(r"^Kept: (yes|no)$", text, re.MULTILINE)
    assert not SchedulerSettings.objects.exists() and not OptimizeJob.objects.exists()


def test_an_unknown_person_is_named():
    with pytest.raises(CommandError, match="No person is called “nobody”"):
        call_command("time_optimizer", user="nobody", stdout=StringIO())
