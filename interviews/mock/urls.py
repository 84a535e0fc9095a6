from django.urls import path

from . import views

app_name = "mock"

urlpatterns = [
    path("", views.start, name="start"),
    path("questions/", views.question_list, name="question_list"),
    path("questions/new/", views.question_create, name="question_create"),
    path("questions/<id:pk>/", views.question_history, name="question_history"),
    path("questions/<id:pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<id:pk>/delete/", views.question_delete, name="question_delete"),
    path("questions/<id:pk>/model-answer/", views.model_answer_save, name="model_answer"),
    path("<id:pk>/", views.session_detail, name="session"),
    path("<id:pk>/save/", views.answer_save, name="save"),
    path("<id:pk>/submit/", views.answer_submit, name="submit"),
    path("<id:pk>/score/", views.answer_score, name="score"),
    path("<id:pk>/followups/", views.answer_followups, name="followups"),
    path("<id:pk>/finish/", views.session_finish, name="finish"),
    path("<id:pk>/audio/", views.audio_upload, name="audio_upload"),
    path("answers/<id:pk>/audio/", views.audio_file, name="audio"),
]
