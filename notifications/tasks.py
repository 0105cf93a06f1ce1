from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from boards.emails import send_templated_email

from .models import Notification


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def deliver_notification(self, notification_id: int) -> None:
    """Send one notification by e-mail, exactly once.

    The row is locked while sending, so a duplicate task waits for the first and then finds
    the message already sent. A mail server error is recorded and the task retried later.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None:
            return
        notification.attempts += 1
        try:
            _send(notification)
        except OSError as error:
            failure = error
            notification.last_error = f"{type(error).__name__}: {error}"[:500]
            notification.save(update_fields=["attempts", "last_error"])
        else:
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
            notification.save(update_fields=["attempts", "status", "sent_at"])
            return
    raise self.retry(exc=failure)


def _send(notification: Notification) -> None:
    send_templated_email(
        template=f"notifications/{notification.kind}",
        to=[notification.recipient.email],
        context={
            "notification": notification,
            "recipient": notification.recipient,
            "payload": notification.payload,
            "link": settings.SITE_URL + notification.link,
        },
    )
