"""The import benchmark (manage.py time_anki_import) builds its deck with Anki's
engine and runs the workers' reading and writing on it; here at a small size."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from cards.models import Card, CardMedia

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_benchmark_imports_its_whole_deck_and_leaves_nothing():
    out = StringIO()
    call_command("time_anki_import", notes=30, reviews=120, images=3, image_bytes=4000, stdout=out)
    report = out.getvalue()
    assert "Deck: 30 notes, 120 reviews, 3 images" in report
    assert "Written:" in report and "(30 cards, 120 reviews, 3 images)" in report
    assert re.search(r"Peak RSS: \d+ MB \(target: 500 MB\)", report)
    # The person it imported for is deleted with everything of theirs.
    assert not get_user_model().objects.filter(username="anki-import-bench").exists()
    assert not Card.objects.filter(owner__isnull=False).exists()
    assert not CardMedia.objects.exists()
