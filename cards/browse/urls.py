from django.urls import path

from . import views

# Appended to cards/urls.py's urlpatterns: the names live in the "cards" namespace.
urlpatterns = [
    path("cards/", views.card_browser, name="card_browser"),
]
