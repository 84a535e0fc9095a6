from django.urls import path

from . import views

# Appended to cards/urls.py's urlpatterns: the names live in the "cards" namespace.
urlpatterns = [
    path("quiz/", views.quiz_start, name="quiz_start"),
    path("quiz/<id:pk>/", views.quiz_detail, name="quiz_detail"),
    path("quiz/<id:pk>/answer/", views.quiz_answer, name="quiz_answer"),
    path("quiz/<id:pk>/result/", views.quiz_result, name="quiz_result"),
]
