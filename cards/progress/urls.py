from django.urls import path

from . import views

# Appended to cards/urls.py's urlpatterns: the names live in the "cards" namespace.
# The home page (/, named "home") is routed by prep_site/urls.py.
urlpatterns = [
    path("progress/", views.progress_dashboard, name="progress"),
]
