from django.urls import path

from . import views

# Appended to interviews/urls.py's urlpatterns: the names live in the "interviews" namespace.
urlpatterns = [
    path("<id:pk>/checklist/add/", views.checklist_add_from_bank, name="checklist_add"),
    path("<id:pk>/checklist/new/", views.checklist_add_new, name="checklist_new"),
    path("<id:pk>/checklist/reorder/", views.checklist_reorder, name="checklist_reorder"),
    path("<id:pk>/checklist/print/", views.checklist_print, name="checklist_print"),
    path("<id:pk>/checklist.md", views.checklist_markdown, name="checklist_markdown"),
    path(
        "<id:pk>/checklist/<id:item_pk>/",
        views.checklist_item_update,
        name="checklist_item",
    ),
    path(
        "<id:pk>/checklist/<id:item_pk>/delete/",
        views.checklist_item_delete,
        name="checklist_item_delete",
    ),
    path(
        "<id:pk>/checklist/<id:item_pk>/move/",
        views.checklist_item_move,
        name="checklist_item_move",
    ),
    path("questions/", views.question_bank, name="question_bank"),
    path("questions/starter/", views.question_bank_seed, name="question_bank_seed"),
    path("questions/<id:question_pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<id:question_pk>/delete/", views.question_delete, name="question_delete"),
]
