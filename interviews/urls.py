from django.urls import path

from . import views
from .checklists.urls import urlpatterns as checklist_urlpatterns

app_name = "interviews"

urlpatterns = [
    path("", views.interview_list, name="list"),
    path("new/", views.interview_create, name="create"),
    path("<id:pk>/", views.interview_detail, name="detail"),
    path("<id:pk>/edit/", views.interview_edit, name="edit"),
    path("<id:pk>/delete/", views.interview_delete, name="delete"),
    path("<id:pk>/cram/", views.interview_cram, name="cram"),
    path("<id:pk>/calendar.ics", views.interview_calendar, name="calendar"),
]

urlpatterns += checklist_urlpatterns
