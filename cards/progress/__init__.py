"""The home page (/) and the progress dashboard (/progress/).

dashboard.py counts the figures (what is due, streaks, retention, mastery per
topic, the forecast), readiness.py the pace each upcoming interview asks for,
charts.py lays out the SVG heatmap and bar chart; views.py and urls.py are the
HTTP side. The dashboard reads from every capability (cards, study, quizzes,
interviews, mock interviews); none of them imports it.
"""
