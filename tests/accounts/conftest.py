from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


@pytest.fixture
def history_user(db):
    """60 cards and 900 reviews (make_history): a reviews section of about 400 KB."""
    call_command("make_history", cards=60, reviews=900, user="historian", seed=3, stdout=StringIO())
    return get_user_model().objects.get(username="historian")
