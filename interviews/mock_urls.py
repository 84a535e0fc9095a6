from django.urls import path
from django.views.generic import TemplateView

app_name = "mock"

# Placeholder until the mock interview views land.
urlpatterns: list = [path("", TemplateView.as_view(template_name="base.html"), name="start")]
