"""The first run: what a new person prepares for and when their next interview
is, turned into their topics, their interview and their first study session."""
