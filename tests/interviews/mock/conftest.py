"""Questions and a started mock session, for the mock interview page tests."""

import pytest

from tests.interviews.mock.test_mock_services import BEHAVIORAL, TECH, make_question, start


@pytest.fixture
def questions():
    """Two technical questions (four key points each) and a behavioral STAR one."""
    return [
        make_question(area=TECH, text="How does a hash map grow?"),
        make_question(area=TECH, text="What is a race condition?"),
        make_question(area=BEHAVIORAL, text="Tell me about a failure.", star=True),
    ]


@pytest.fixture
def session(user, questions):
    return start(user, areas=[TECH], count=2, time_limit=120)
