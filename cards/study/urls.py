from django.urls import path

from . import views

# Appended to cards/urls.py's urlpatterns: the names live in the "cards" namespace.
urlpatterns = [
    path("study/", views.study_start, name="study_start"),
    path("study/<id:pk>/", views.study_session, name="study_session"),
    path("study/<id:pk>/grade/", views.study_grade, name="study_grade"),
    path("study/<id:pk>/undo/", views.study_undo, name="study_undo"),
    path("study/<id:pk>/end/", views.study_end, name="study_end"),
    path("study/<id:pk>/summary/", views.study_summary, name="study_summary"),
]
