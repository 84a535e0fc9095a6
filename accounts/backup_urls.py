from django.urls import path  # noqa: F401

# Routes of accounts/backup_views.py; appended to the "accounts" namespace.
urlpatterns: list = []
