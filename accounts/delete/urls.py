from django.urls import path

from . import views as delete_views

# Routes of accounts/delete/views.py; appended to the "accounts" namespace.
urlpatterns: list = [
    path("delete/", delete_views.delete_account, name="delete"),
    path("deleted/", delete_views.account_deleted, name="deleted"),
]
