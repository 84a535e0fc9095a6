from django.urls import path

from . import views as import_views

# Routes of cards/imports/views.py; appended to the "cards" namespace by cards/urls.py.
urlpatterns = [
    path("import/", import_views.import_upload, name="import"),
    path("import/<id:pk>/", import_views.import_job, name="import_job"),
    path("import/<id:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/<id:pk>/cancel/", import_views.import_cancel, name="import_cancel"),
]
