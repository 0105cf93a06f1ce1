from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal shell"

    def ready(self) -> None:
        from core import checks  # noqa: F401  (registers the portal's deployment checks)
