from django.urls import path  # noqa: F401

# Routes of cards/export_views.py; appended to the "cards" namespace by cards/urls.py.
urlpatterns: list = []
