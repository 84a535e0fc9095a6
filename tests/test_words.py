"""A count and its noun, written one way."""

from prep_site.words import count


def test_one_and_more():
    assert count(0, "card") == "0 cards"
    assert count(1, "card") == "1 card"
    assert count(2, "card") == "2 cards"
    assert count(12_500, "review") == "12,500 reviews"
    assert count(1, "quiz", "quizzes") == "1 quiz"
    assert count(2, "quiz", "quizzes") == "2 quizzes"
