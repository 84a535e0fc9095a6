from django.urls import path

from . import views
from .backup.urls import urlpatterns as backup_urlpatterns
from .delete.urls import urlpatterns as delete_urlpatterns
from .welcome.urls import urlpatterns as welcome_urlpatterns

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("settings/", views.settings_view, name="settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]

urlpatterns += backup_urlpatterns + delete_urlpatterns + welcome_urlpatterns
