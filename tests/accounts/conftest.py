from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.accounts.backups import Starter, build_account, make_starter


@pytest.fixture
def history_user(db):
    """60 cards and 900 reviews (make_history): a reviews section of about 400 KB."""
    call_command("make_history", cards=60, reviews=900, user="historian", seed=3, stdout=StringIO())
    return get_user_model().objects.get(username="historian")


@pytest.fixture
def starter(db) -> Starter:
    """A starter topic with two cards, a starter interviewer question and a
    starter question to ask."""
    return make_starter()


@pytest.fixture
def full_user(user, starter):
    """A person with some of every kind of row a backup holds."""
    build_account(user, starter)
    return user
