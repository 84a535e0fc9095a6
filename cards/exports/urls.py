from django.urls import path

from . import views

# Routes of views.py; appended to the "cards" namespace by cards/urls.py.
urlpatterns: list = [
    path("cards/bulk/export/", views.selection_export, name="card_bulk_export"),
    path("export/cards.csv", views.export_csv, name="export_csv"),
    path("export/cards-anki.txt", views.export_anki, name="export_anki"),
    path("topics/<id:pk>/export.csv", views.topic_export_csv, name="topic_export_csv"),
    path(
        "topics/<id:pk>/export-anki.txt",
        views.topic_export_anki,
        name="topic_export_anki",
    ),
]
