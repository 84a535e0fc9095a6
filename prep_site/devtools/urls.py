"""The benchmark's URLconf: the app's URLs plus two yardsticks it measures every
page against: ``bare/``, the least a Django view on this server can do, and
``bare/signed-in/``, the same page behind the login, which costs what every
signed-in page pays before its own work (the session, the person, their time
zone), and ``bare/layout/``, a signed-in page of the site's layout alone."""

from django.urls import path

from prep_site.urls import urlpatterns as app_urlpatterns

from . import views

urlpatterns = [
    path("bare/", views.bare, name="bench_bare"),
    path("bare/signed-in/", views.bare_signed_in, name="bench_bare_signed_in"),
    path("bare/layout/", views.layout_signed_in, name="bench_layout"),
    *app_urlpatterns,
]
