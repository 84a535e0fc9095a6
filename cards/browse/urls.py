from django.urls import path

from . import views

# Appended to cards/urls.py's urlpatterns: the names live in the "cards" namespace.
urlpatterns = [
    path("cards/", views.card_browser, name="card_browser"),
    path("cards/bulk/", views.card_bulk, name="card_bulk"),
    path("cards/bulk/undo/", views.card_bulk_undo, name="card_bulk_undo"),
    path("cards/bulk/jobs/<id:pk>/", views.card_bulk_job, name="card_bulk_job"),
]
