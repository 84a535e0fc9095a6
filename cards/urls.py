from django.urls import path

from . import views
from .exports.urls import urlpatterns as export_urlpatterns
from .imports.urls import urlpatterns as import_urlpatterns
from .quiz.urls import urlpatterns as quiz_urlpatterns

app_name = "cards"

urlpatterns = [
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/new/", views.topic_create, name="topic_create"),
    path("topics/<int:pk>/", views.topic_detail, name="topic_detail"),
    path("topics/<int:pk>/edit/", views.topic_edit, name="topic_edit"),
    path("topics/<int:pk>/delete/", views.topic_delete, name="topic_delete"),
    path("cards/new/", views.card_create, name="card_create"),
    path("cards/<int:pk>/", views.card_detail, name="card_detail"),
    path("cards/<int:pk>/edit/", views.card_edit, name="card_edit"),
    path("cards/<int:pk>/delete/", views.card_delete, name="card_delete"),
    path("cards/<int:pk>/suspend/", views.card_suspend, name="card_suspend"),
    path("search/", views.search, name="search"),
    path("progress/", views.progress_dashboard, name="progress"),
    path("study/", views.study_start, name="study_start"),
    path("study/<int:pk>/", views.study_session, name="study_session"),
    path("study/<int:pk>/grade/", views.study_grade, name="study_grade"),
    path("study/<int:pk>/undo/", views.study_undo, name="study_undo"),
    path("study/<int:pk>/end/", views.study_end, name="study_end"),
    path("study/<int:pk>/summary/", views.study_summary, name="study_summary"),
]

urlpatterns += quiz_urlpatterns + import_urlpatterns + export_urlpatterns
