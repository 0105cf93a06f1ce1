from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = "Collaboration register"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the register's permission rules)
