from django.urls import path

from . import export_views

# Routes of cards/export_views.py; appended to the "cards" namespace by cards/urls.py.
urlpatterns: list = [
    path("export/cards.csv", export_views.export_csv, name="export_csv"),
    path("export/cards-anki.txt", export_views.export_anki, name="export_anki"),
    path("topics/<int:pk>/export.csv", export_views.topic_export_csv, name="topic_export_csv"),
    path(
        "topics/<int:pk>/export-anki.txt",
        export_views.topic_export_anki,
        name="topic_export_anki",
    ),
]
