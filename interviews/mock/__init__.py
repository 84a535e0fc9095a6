"""Mock interviews (/mock/): the questions an interviewer asks, answered
against the clock and scored against the key points a strong answer covers.

services.py draws the questions, saves, submits and scores the answers and
sums a session up; forms.py and views.py are the HTTP side, urls.py their
routes in the "mock" namespace.
"""
