"""A count and its noun, and a length of time, written one way."""

from datetime import timedelta

from cards.templatetags.prep import duration
from prep_site.words import change, count


def test_one_and_more():
    assert count(0, "card") == "0 cards"
    assert count(1, "card") == "1 card"
    assert count(2, "card") == "2 cards"
    assert count(12_500, "review") == "12,500 reviews"
    assert count(1, "quiz", "quizzes") == "1 quiz"
    assert count(2, "quiz", "quizzes") == "2 quizzes"


def test_a_change_agrees_with_its_size_not_its_sign():
    assert change(25, "point") == "+25 points"
    assert change(-1, "point") == "-1 point"
    assert change(1, "word") == "+1 word"
    assert change(-2_000, "word") == "-2,000 words"
    assert change(0, "point") == "no change in points"


def test_a_length_of_time_leaves_out_a_zero_part():
    assert duration(timedelta(minutes=5)) == "5 min"
    assert duration(timedelta(minutes=4, seconds=12)) == "4 min 12 s"
    assert duration(timedelta(seconds=9)) == "9 s"
    assert duration(timedelta(hours=2)) == "2 h"
    assert duration(timedelta(hours=3, minutes=5)) == "3 h 05 min"
    assert duration(None) == duration(timedelta(0)) == "0 s"
