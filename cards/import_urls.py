from django.urls import path  # noqa: F401

# Routes of cards/import_views.py (import) and cards/export_views.py (export);
# appended to the "cards" namespace by cards/urls.py.
urlpatterns: list = []
