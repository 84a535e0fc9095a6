from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.contrib.auth.views import LoginView
from django.urls import include, path, register_converter

from accounts.forms import LoginForm
from cards.progress import views as progress_views
from prep_site import design
from prep_site.numbers import IdConverter

# Before the apps' paths are read: they write their ids as <id:pk>.
register_converter(IdConverter, "id")

# Django's login, password change and reset pages; the login with our form.
auth_pages = [page for page in auth_urls.urlpatterns if page.name != "login"]

urlpatterns = [
    path("", progress_views.landing, name="home"),
    path("accounts/", include("accounts.urls")),
    path("accounts/login/", LoginView.as_view(form_class=LoginForm), name="login"),
    path("accounts/", include(auth_pages)),
    path("admin/", admin.site.urls),
    path("design/", design.design, name="design"),
    path("interviews/", include("interviews.urls")),
    path("mock/", include("interviews.mock.urls")),
    path("", include("cards.urls")),
]

handler500 = "prep_site.errors.server_error"
