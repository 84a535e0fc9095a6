"""Quizzes (/quiz/): a scored run over some cards, apart from the study
schedule unless the person asks for each mark to count as a review.

services.py draws the cards, marks the answers and scores a run; forms.py and
views.py are the HTTP side, urls.py their routes in the "cards" namespace.
"""
