from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = "Collaboration register"
