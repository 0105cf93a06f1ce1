from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from core.deletion import guard_deletion

        from .models import Notification

        guard_deletion(Notification)
