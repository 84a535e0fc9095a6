from django.urls import path

from . import views

# Routes of cards/images/views.py; appended to the "cards" namespace by cards/urls.py.
urlpatterns = [
    path("cards/images/", views.image_upload, name="image_upload"),
    path("cards/images/<str:name>", views.pending_image, name="pending_image"),
]
