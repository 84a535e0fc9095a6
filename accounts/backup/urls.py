from django.urls import path

from . import views as backup_views

# Routes of accounts/backup/views.py; appended to the "accounts" namespace.
urlpatterns: list = [
    path("data/", backup_views.data_page, name="data"),
    path("data/backup.json", backup_views.backup_download, name="backup_download"),
    path("data/backup.json.gz", backup_views.backup_download_gzip, name="backup_download_gzip"),
    path("data/restore/", backup_views.backup_restore, name="backup_restore"),
    path("data/restores/<id:pk>/", backup_views.restore_job, name="restore_job"),
]
