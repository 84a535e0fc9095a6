from django.urls import path

from . import views

app_name = "mock"

urlpatterns = [
    path("", views.start, name="start"),
    path("questions/", views.question_list, name="question_list"),
    path("questions/new/", views.question_create, name="question_create"),
    path("questions/<int:pk>/", views.question_history, name="question_history"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("<int:pk>/", views.session_detail, name="session"),
    path("<int:pk>/save/", views.answer_save, name="save"),
    path("<int:pk>/submit/", views.answer_submit, name="submit"),
    path("<int:pk>/score/", views.answer_score, name="score"),
    path("<int:pk>/finish/", views.session_finish, name="finish"),
]
