from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from boards.signals import email_requested
        from core.deletion import guard_deletion

        from . import (
            emails,  # noqa: F401  (registers the e-mails of the messages it knows)
            unread,
        )
        from .models import Notification, WebhookDelivery
        from .services import email_requested_write

        email_requested.connect(email_requested_write, dispatch_uid="notifications.write")
        guard_deletion(Notification)
        guard_deletion(WebhookDelivery)
        # The unread count in every page's header is renewed whenever a notification is saved.
        unread.connect()
