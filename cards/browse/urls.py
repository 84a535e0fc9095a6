from django.urls import path

from . import saved, views

# Appended to cards/urls.py's urlpatterns: the names live in the "cards" namespace.
urlpatterns = [
    path("cards/", views.card_browser, name="card_browser"),
    path("cards/bulk/", views.card_bulk, name="card_bulk"),
    path("cards/bulk/undo/", views.card_bulk_undo, name="card_bulk_undo"),
    path("cards/bulk/jobs/<id:pk>/", views.card_bulk_job, name="card_bulk_job"),
    path("cards/searches/", saved.saved_search_menu, name="saved_search_menu"),
    path("cards/searches/new/", saved.saved_search_create, name="saved_search_create"),
    path("cards/searches/<id:pk>/rename/", saved.saved_search_rename, name="saved_search_rename"),
    path("cards/searches/<id:pk>/delete/", saved.saved_search_delete, name="saved_search_delete"),
    path("cards/study/", saved.search_study, name="search_study"),
    path("cards/quiz/", saved.search_quiz, name="search_quiz"),
]
