from django.urls import path

from . import views

# Appended to cards/urls.py's urlpatterns: the names live in the "cards" namespace.
urlpatterns = [
    path("study/schedule/", views.schedule, name="schedule"),
    path("study/schedule/optimize/", views.schedule_optimize, name="schedule_optimize"),
]
