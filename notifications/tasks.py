import logging
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from boards.models import User
from core.arrays import among_ids
from core.emails import send_templated_email

from .digest import digest_cutoff, digest_send
from .models import Notification

# Rows still pending this long after they were written missed their task (the broker was
# down, or a worker died); the sweep queues them again. Sending is idempotent, so a row whose
# task is merely slow is not sent twice.
SWEEP_AFTER = timedelta(minutes=5)
SWEEP_BATCH = 500

logger = logging.getLogger("bluelight.tasks")

# After the broker failed to take a delivery, this process leaves further deliveries to the sweep
# for a while instead of waiting out the broker's timeouts once per message: a decision that
# notifies a whole board would otherwise keep its page waiting several seconds per person.
BROKER_BACKOFF_SECONDS = 30.0
_broker_failed_at: float | None = None


@shared_task(bind=True, acks_late=True, max_retries=5)
def deliver_notification(self, notification_id: int) -> None:
    """Send one notification by e-mail, once.

    The row is locked while sending, so a duplicate task waits for the first and then finds
    the message already sent. A mail server error is recorded and the task retried later,
    backing off; after the last attempt the message is marked failed for the secretariat.
    One gap remains: a worker killed after the mail server accepted the message but before the
    row was marked sent leaves it pending, and it is sent again (with the same Message-ID).
    """
    with transaction.atomic():
        notification = (
            # Only the notification's own row, and a lock that still lets other rows refer to
            # it: locking the recipient too would hold up, for as long as the mail server takes,
            # every request that writes a row pointing at that person (a new notification,
            # for one).
            Notification.objects.select_for_update(of=("self",), no_key=True)
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
            # The row counts attempts across every task that tried it (a sweep starts a new
            # task, with its own retry count), so a message is given up after the same number
            # of attempts however it was queued.
            gave_up = (
                self.request.retries >= self.max_retries or notification.attempts > self.max_retries
            )
            if gave_up:
                notification.status = Notification.Status.FAILED
            notification.save(update_fields=["attempts", "last_error", "status"])
            if gave_up:
                return
        else:
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
            notification.save(update_fields=["attempts", "status", "sent_at"])
            return
    countdown = settings.NOTIFICATION_RETRY_SECONDS * 2**self.request.retries
    raise self.retry(exc=failure, countdown=countdown)


# Kinds that share another kind's e-mail (the text itself says due or overdue).
SHARED_TEMPLATES: dict[str, str] = {Notification.Kind.ACTION_OVERDUE: Notification.Kind.ACTION_DUE}


def _send(notification: Notification) -> None:
    send_templated_email(
        template=f"notifications/{SHARED_TEMPLATES.get(notification.kind, notification.kind)}",
        to=[notification.recipient.email],
        context={
            "notification": notification,
            "recipient": notification.recipient,
            "payload": notification.payload,
            "link": settings.SITE_URL + notification.link,
            "preferences_url": settings.SITE_URL + reverse("notification_preferences"),
        },
        headers={"Message-ID": message_id(notification)},
    )


def message_id(notification: Notification) -> str:
    """The same Message-ID for every copy of a notification.

    A worker that dies after the mail server accepted a message but before the row was marked
    sent leaves it pending, and it is sent again (SMTP cannot tell whether the server already
    holds it). Both copies carry this identifier, so mail systems can recognise the second.
    """
    host = urlsplit(settings.SITE_URL).hostname or "bluelight.localhost"
    return f"<notification-{notification.pk}@{host}>"


@shared_task(acks_late=True)
def sweep_pending_notifications() -> int:
    """Queue again the messages left pending; run by beat every few minutes."""
    stale = timezone.now() - SWEEP_AFTER
    ids = list(
        Notification.objects.filter(status=Notification.Status.PENDING, created_at__lt=stale)
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return queue_deliveries(ids)


@shared_task(acks_late=True)
def send_daily_digests() -> int:
    """Queue one digest per person with notices waiting for it; run by beat once a day.

    Returns how many people's digests were queued.
    """
    cutoff = digest_cutoff(timezone.now())
    people = list(
        Notification.objects.filter(
            status=Notification.Status.DIGEST,
            created_at__lt=cutoff,
            recipient__is_active=True,
        )
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    for pk in people:
        deliver_digest.delay(pk, cutoff.isoformat())
    return len(people)


@shared_task(bind=True, acks_late=True, max_retries=5)
def deliver_digest(self, recipient_id: int, cutoff: str) -> None:
    """Send one person's digest of the notices written before ``cutoff``, exactly once.

    The notices are locked while sending, so a duplicate task waits and then finds them sent.
    A mail server error is recorded on each notice and the task retried later, backing off, as
    for a single notice; after the last retry the notices are marked failed.
    """
    with transaction.atomic():
        notices = list(
            Notification.objects.select_for_update(of=("self",), no_key=True)
            .select_related("board")
            .filter(
                recipient_id=recipient_id,
                status=Notification.Status.DIGEST,
                created_at__lt=datetime.fromisoformat(cutoff),
            )
        )
        if not notices:
            return
        person = User.objects.get(pk=recipient_id)
        batch = Notification.objects.filter(among_ids("pk", (n.pk for n in notices)))
        try:
            digest_send(person=person, notices=notices)
        except OSError as error:
            failure = error
            gave_up = self.request.retries >= self.max_retries
            batch.update(
                attempts=F("attempts") + 1,
                last_error=f"{type(error).__name__}: {error}"[:500],
                status=Notification.Status.FAILED if gave_up else Notification.Status.DIGEST,
            )
            if gave_up:
                return
        else:
            batch.update(
                attempts=F("attempts") + 1,
                status=Notification.Status.SENT,
                sent_at=timezone.now(),
            )
            return
    raise self.retry(
        exc=failure, countdown=settings.NOTIFICATION_RETRY_SECONDS * 2**self.request.retries
    )


def queue_deliveries(ids: list[int]) -> int:
    """Queue a delivery task per notification; returns how many were queued.

    Stops at the first message the broker does not take (and for a while after it): the rows
    stay pending and the sweep queues them again once the broker is back.
    """
    global _broker_failed_at
    if _broker_failed_at is not None:
        if time.monotonic() - _broker_failed_at < BROKER_BACKOFF_SECONDS:
            logger.warning("Broker failed moments ago: %d messages left for the sweep", len(ids))
            return 0
        _broker_failed_at = None
    for queued, pk in enumerate(ids):
        # EnqueueNeverFailsTask answers None when the broker could not be reached.
        if deliver_notification.delay(pk) is None:
            _broker_failed_at = time.monotonic()
            logger.warning("%d messages left for the sweep", len(ids) - queued)
            return queued
    return len(ids)


def broker_known_down() -> bool:
    """Whether a message was refused by the broker moments ago (other work that can wait, such
    as building a PDF, is then not queued: asking costs the broker's timeouts)."""
    return (
        _broker_failed_at is not None
        and time.monotonic() - _broker_failed_at < BROKER_BACKOFF_SECONDS
    )
