from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "prep_site.devtools"
    label = "devtools"
    verbose_name = "Development tools (not deployed)"
