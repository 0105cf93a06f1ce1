from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "publicsite"
    label = "public"
    verbose_name = "Public pages"
