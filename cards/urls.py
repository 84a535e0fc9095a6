from django.urls import path

from . import views
from .browse.urls import urlpatterns as browse_urlpatterns
from .exports.urls import urlpatterns as export_urlpatterns
from .images.urls import urlpatterns as image_urlpatterns
from .imports.urls import urlpatterns as import_urlpatterns
from .progress.urls import urlpatterns as progress_urlpatterns
from .quiz.urls import urlpatterns as quiz_urlpatterns
from .schedule.urls import urlpatterns as schedule_urlpatterns
from .study.urls import urlpatterns as study_urlpatterns

app_name = "cards"

urlpatterns = [
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/new/", views.topic_create, name="topic_create"),
    path("topics/<id:pk>/", views.topic_detail, name="topic_detail"),
    path("topics/<id:pk>/edit/", views.topic_edit, name="topic_edit"),
    path("topics/<id:pk>/delete/", views.topic_delete, name="topic_delete"),
    path("cards/new/", views.card_create, name="card_create"),
    path("cards/preview/", views.card_preview, name="card_preview"),
    path("cards/<id:pk>/", views.card_detail, name="card_detail"),
    path("cards/<id:pk>/edit/", views.card_edit, name="card_edit"),
    path("cards/<id:pk>/delete/", views.card_delete, name="card_delete"),
    path("cards/<id:pk>/suspend/", views.card_suspend, name="card_suspend"),
    path("cards/<id:pk>/media/<str:name>", views.card_media, name="card_media"),
    path("search/", views.search, name="search"),
]

urlpatterns += (
    browse_urlpatterns
    + progress_urlpatterns
    + schedule_urlpatterns
    + study_urlpatterns
    + quiz_urlpatterns
    + import_urlpatterns
    + export_urlpatterns
    + image_urlpatterns
)
