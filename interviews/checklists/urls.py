from django.urls import path

from . import views

# Appended to interviews/urls.py's urlpatterns: the names live in the "interviews" namespace.
urlpatterns = [
    path("<int:pk>/checklist/add/", views.checklist_add_from_bank, name="checklist_add"),
    path("<int:pk>/checklist/new/", views.checklist_add_new, name="checklist_new"),
    path("<int:pk>/checklist/reorder/", views.checklist_reorder, name="checklist_reorder"),
    path("<int:pk>/checklist/print/", views.checklist_print, name="checklist_print"),
    path("<int:pk>/checklist.md", views.checklist_markdown, name="checklist_markdown"),
    path(
        "<int:pk>/checklist/<int:item_pk>/",
        views.checklist_item_update,
        name="checklist_item",
    ),
    path(
        "<int:pk>/checklist/<int:item_pk>/delete/",
        views.checklist_item_delete,
        name="checklist_item_delete",
    ),
    path(
        "<int:pk>/checklist/<int:item_pk>/move/",
        views.checklist_item_move,
        name="checklist_item_move",
    ),
    path("questions/", views.question_bank, name="question_bank"),
    path("questions/starter/", views.question_bank_seed, name="question_bank_seed"),
    path("questions/<int:question_pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<int:question_pk>/delete/", views.question_delete, name="question_delete"),
]
