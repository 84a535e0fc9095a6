from django.contrib import admin
from django.urls import include, path

from cards.progress import views as progress_views

urlpatterns = [
    path("", progress_views.landing, name="home"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("interviews/", include("interviews.urls")),
    path("mock/", include("interviews.mock.urls")),
    path("", include("cards.urls")),
]

handler500 = "prep_site.errors.server_error"
