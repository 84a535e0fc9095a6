from django.urls import path

from . import views as welcome_views

# Routes of accounts/welcome/views.py; appended to the "accounts" namespace.
urlpatterns: list = [
    path("welcome/", welcome_views.welcome, name="welcome"),
]
