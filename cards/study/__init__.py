"""Study sessions (/study/...): the person's due and new cards, one prompt at a
time, each grade rescheduling the prompt with FSRS (cards/scheduling.py).

services.py starts a session, picks the next prompt, records and undoes
grades and sums a session up; forms.py and views.py are the HTTP side,
urls.py their routes in the "cards" namespace.
"""
