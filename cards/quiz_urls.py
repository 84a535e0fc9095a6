from django.urls import path

from . import quiz_views

# Appended to cards/urls.py's urlpatterns: the names live in the "cards" namespace.
urlpatterns = [
    path("quiz/", quiz_views.quiz_start, name="quiz_start"),
    path("quiz/<int:pk>/", quiz_views.quiz_detail, name="quiz_detail"),
    path("quiz/<int:pk>/answer/", quiz_views.quiz_answer, name="quiz_answer"),
    path("quiz/<int:pk>/result/", quiz_views.quiz_result, name="quiz_result"),
]
