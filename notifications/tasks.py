"""Delivering message rows: each notification is sent by its own task, at most once per
attempt, with retries scheduled in the database and a sweep that picks up whatever a broker
outage, a dead worker or a lost connection left behind.

The protocol for one message (``deliver_notification``):

1. claim: in a short transaction, a pending row becomes "sending" with a new attempt id, the
   time, one more attempt and its Message-ID (kept for every copy);
2. send it to the mail server, outside any transaction (nobody waits on the mail server);
3. record: the row becomes "sent" only if the same attempt still holds it; a lost database
   connection is reconnected and the record tried again for ``RECORD_PATIENCE``.

A mail server error makes the row pending again with ``next_attempt_at`` backing off (no
broker countdown or ETA: nothing waits in the broker but tasks to run now). A row found
"sending" after ``SENDING_STALE`` has lost its attempt (worker killed, connection gone for
good): the sweep makes it pending again only if that same attempt is still on it (no later
attempt has started or succeeded), and it is sent again with the same Message-ID. The one
window left, between the mail server accepting the message and step 3 committing, is in the
README ("Operations", delivery guarantees).
"""

import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from boards.models import User
from core.arrays import among_ids
from core.emails import send_templated_email
from core.enqueue import enqueue

from . import webhooks
from .digest import digest_cutoff, digest_send
from .emails import email_kind, message_id
from .models import Delivery, Notification

logger = logging.getLogger("bluelight.tasks")

SWEEP_BATCH = 500
# A message is given up (marked failed, for the secretariat to send again) after this many.
MAX_ATTEMPTS = 6
# How long the worker keeps trying to record a message as sent after losing the database.
RECORD_PATIENCE = 20.0
# A delivery is stopped (and its attempt left "sending") after these many seconds; SENDING_STALE
# must be longer than the hard limit plus RECORD_PATIENCE, so a live attempt is never taken.
DELIVERY_SOFT_LIMIT, DELIVERY_HARD_LIMIT = 60, 90

Status = Notification.Status


def sweep_after() -> timedelta:
    """How long a message's own task has before the sweep takes it (the broker's timeout)."""
    return timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS)


def sending_stale() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATION_SENDING_STALE_SECONDS)


def sweep_time(now: datetime) -> datetime:
    return now + sweep_after()


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=settings.NOTIFICATION_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


@shared_task(acks_late=True, soft_time_limit=DELIVERY_SOFT_LIMIT, time_limit=DELIVERY_HARD_LIMIT)
def deliver_notification(notification_id: int) -> None:
    """Send one notification by e-mail, once (see the module's protocol).

    Quietly does nothing unless the row is pending, so a duplicate task, or one queued both by
    the request and the sweep, never sends twice.
    """
    notification = _claim(notification_id)
    if notification is None:
        return
    kind = email_kind(notification.kind)
    try:
        email = kind.build(notification)
        if email is not None:
            send_templated_email(
                template=email.template,
                to=[notification.recipient.email],
                context=email.context,
                attachments=email.attachments,
                headers={"Message-ID": notification.message_id},
            )
    except Exception as error:
        if not isinstance(error, OSError):
            logger.exception("Message %s could not be sent", notification.pk)
        _attempt_failed(notification, error)
        return
    _attempt_recorded(notification, sent=email is not None)


def _claim(notification_id: int) -> Notification | None:
    with transaction.atomic():
        notification = (
            # Only the notification's own row, skipped if another task is claiming it.
            Notification.objects.select_for_update(of=("self",), no_key=True, skip_locked=True)
            .select_related("recipient")
            .filter(pk=notification_id, status=Status.PENDING)
            .first()
        )
        if notification is None:
            return None
        notification.status = Status.SENDING
        notification.attempt_id = uuid.uuid4()
        notification.attempt_started_at = timezone.now()
        notification.attempts += 1
        notification.message_id = message_id(notification)
        notification.next_attempt_at = None
        notification.save(
            update_fields=[
                "status",
                "attempt_id",
                "attempt_started_at",
                "attempts",
                "message_id",
                "next_attempt_at",
            ]
        )
    return notification


def _this_attempt(notification: Notification):
    return Notification.objects.filter(
        pk=notification.pk, status=Status.SENDING, attempt_id=notification.attempt_id
    )


def _attempt_failed(notification: Notification, error: Exception) -> None:
    gave_up = notification.attempts >= MAX_ATTEMPTS
    _this_attempt(notification).update(
        status=Status.FAILED if gave_up else Status.PENDING,
        last_error=f"{type(error).__name__}: {error}"[:500],
        next_attempt_at=None if gave_up else timezone.now() + retry_delay(notification.attempts),
    )


def _attempt_recorded(notification: Notification, *, sent: bool) -> None:
    """Mark the attempt's row sent (or not needed), and let its kind note what was sent."""
    kind = email_kind(notification.kind)

    def record() -> None:
        recorded = _this_attempt(notification).update(
            status=Status.SENT if sent else Status.NOT_NEEDED,
            sent_at=timezone.now() if sent else None,
        )
        if recorded and sent and kind.sent is not None:
            kind.sent(notification)

    _record_with_patience(record, what=f"message {notification.pk}")


def _record_with_patience(record: Callable[[], object], *, what: str) -> None:
    """Run ``record`` in a transaction, however many reconnections it takes within
    RECORD_PATIENCE; past that the error is raised and the rows stay "sending" (the sweep
    finds them once their attempt is stale)."""
    deadline = time.monotonic() + RECORD_PATIENCE
    while True:
        try:
            with transaction.atomic():
                record()
            return
        except (OperationalError, InterfaceError):
            if time.monotonic() > deadline:
                raise
            logger.warning("Lost the database recording %s as sent; reconnecting", what)
            connection.close()
            time.sleep(0.5)


@shared_task(acks_late=True)
def deliver_notifications(ids: list[int]) -> int:
    """One delivery task per message, queued by a worker: a request or sweep that wrote many
    messages asks the broker once, for this task."""
    for queued, pk in enumerate(ids):
        if not enqueue(deliver_notification, pk, what=f"{len(ids) - queued} messages"):
            return queued
    return len(ids)


def queue_deliveries(ids: list[int]) -> int:
    """Queue the delivery of these messages with one message to the broker; returns how many
    were queued (none when the broker failed: the rows stay pending for the sweep)."""
    if not ids:
        return 0
    if len(ids) == 1:
        queued = enqueue(deliver_notification, ids[0], what="1 message")
    else:
        queued = enqueue(deliver_notifications, list(ids), what=f"{len(ids)} messages")
    return len(ids) if queued else 0


@shared_task(acks_late=True)
def sweep_pending_notifications() -> int:
    """Queue again the messages whose time has come; run by beat every minute.

    First, attempts cut short (a row "sending" for longer than any attempt may take) are given
    back, each only if that same attempt still holds it. Then every pending message due (its
    own task had ``NOTIFICATION_SWEEP_AFTER_SECONDS``, or its retry is due) is queued, and the
    digests due a retry. Returns how many messages were queued.
    """
    now = timezone.now()
    _recover_interrupted(now)
    due = Notification.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), status=Status.PENDING
    )
    ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    # Not taken again by the next sweep while these tasks wait for a worker.
    Notification.objects.filter(among_ids("pk", ids)).update(next_attempt_at=sweep_time(now))
    queued = queue_deliveries(ids)
    _queue_digest_retries(now)
    _queue_webhook_deliveries(now)
    return queued


def _recover_interrupted(now: datetime) -> int:
    cut_short = Notification.objects.filter(
        status=Status.SENDING, attempt_started_at__lt=now - sending_stale()
    ).values_list("pk", "attempt_id", "attempts", "attempt_started_at", "delivery")[:SWEEP_BATCH]
    recovered = 0
    for pk, attempt_id, attempts, started, delivery in cut_short:
        gave_up = attempts >= MAX_ATTEMPTS
        waiting = Status.DIGEST if delivery == Delivery.DIGEST else Status.PENDING
        recovered += Notification.objects.filter(
            pk=pk, status=Status.SENDING, attempt_id=attempt_id
        ).update(
            status=Status.FAILED if gave_up else waiting,
            next_attempt_at=None if gave_up else now,
            last_error=(
                f"The attempt begun at {timezone.localtime(started):%H:%M:%S on %-d %B %Y} "
                "was cut short before it was recorded; sent again with the same Message-ID"
            ),
        )
    if recovered:
        logger.warning("%d messages cut short mid-send are to be sent again", recovered)
    return recovered


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
    for queued, pk in enumerate(people):
        if not enqueue(deliver_digest, pk, cutoff.isoformat(), what="the daily digests"):
            return queued
    return len(people)


@shared_task(acks_late=True, soft_time_limit=DELIVERY_SOFT_LIMIT, time_limit=DELIVERY_HARD_LIMIT)
def deliver_digest(recipient_id: int, cutoff: str) -> None:
    """Send one person's digest of the notices written before ``cutoff``, exactly once.

    The same protocol as a single message, for the notices as a group: claimed ("sending",
    one attempt id for all) in a short transaction, sent with one Message-ID (kept on each
    notice, so a digest sent again after a lost attempt carries it too), then recorded sent by
    that attempt. A duplicate task finds nothing waiting. A mail server error puts the notices
    back in the digest with the time of the next attempt (the sweep queues it then), backing off
    as for a single message; after the last attempt they are marked failed.
    """
    claimed = _claim_digest(recipient_id, datetime.fromisoformat(cutoff))
    if claimed is None:
        return
    notices, attempt = claimed
    person = User.objects.get(pk=recipient_id)
    group = Notification.objects.filter(
        among_ids("pk", (n.pk for n in notices)), status=Status.SENDING, attempt_id=attempt
    )
    try:
        digest_send(person=person, notices=notices, message_id=notices[0].message_id)
    except Exception as error:
        if not isinstance(error, OSError):
            logger.exception("The digest of person %s could not be sent", recipient_id)
        attempts = max(n.attempts for n in notices)
        gave_up = attempts >= MAX_ATTEMPTS
        group.update(
            last_error=f"{type(error).__name__}: {error}"[:500],
            status=Status.FAILED if gave_up else Status.DIGEST,
            next_attempt_at=None if gave_up else timezone.now() + retry_delay(attempts),
        )
        return
    _record_with_patience(
        lambda: group.update(status=Status.SENT, sent_at=timezone.now()),
        what=f"the digest of person {recipient_id}",
    )


def _claim_digest(
    recipient_id: int, cutoff: datetime
) -> tuple[list[Notification], uuid.UUID] | None:
    attempt = uuid.uuid4()
    with transaction.atomic():
        notices = list(
            Notification.objects.select_for_update(of=("self",), no_key=True, skip_locked=True)
            .select_related("board")
            .filter(recipient_id=recipient_id, status=Status.DIGEST, created_at__lt=cutoff)
            .order_by("created_at", "pk")
        )
        if not notices:
            return None
        # The Message-ID of the first digest that tried to carry these notices, if any.
        known = next((n.message_id for n in notices if n.message_id), "")
        message = known or digest_message_id(recipient_id, cutoff)
        now = timezone.now()
        Notification.objects.filter(among_ids("pk", (n.pk for n in notices))).update(
            status=Status.SENDING,
            attempt_id=attempt,
            attempt_started_at=now,
            attempts=F("attempts") + 1,
            message_id=message,
            next_attempt_at=None,
        )
        for notice in notices:
            notice.attempts += 1
            notice.message_id = message
    return notices, attempt


def digest_message_id(recipient_id: int, cutoff: datetime) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "bluelight.localhost"
    return f"<digest-{recipient_id}-{cutoff:%Y%m%d%H%M}@{host}>"


def _queue_digest_retries(now: datetime) -> int:
    """Digests that failed and whose next attempt is due, queued again (the cut-off is today's,
    which holds every notice the failed digest held)."""
    due = Notification.objects.filter(
        status=Status.DIGEST, attempts__gt=0, next_attempt_at__lte=now
    )
    people = list(
        due.order_by("recipient_id").values_list("recipient_id", flat=True).distinct()[:SWEEP_BATCH]
    )
    due.filter(among_ids("recipient_id", people)).update(next_attempt_at=sweep_time(now))
    cutoff = digest_cutoff(now).isoformat()
    for queued, pk in enumerate(people):
        if not enqueue(deliver_digest, pk, cutoff, what=f"{len(people) - queued} digests"):
            return queued
    return len(people)


# --- webhooks -----------------------------------------------------------------------------------


@shared_task(acks_late=True, soft_time_limit=DELIVERY_SOFT_LIMIT, time_limit=DELIVERY_HARD_LIMIT)
def deliver_webhook(delivery_id: int) -> None:
    """POST one webhook delivery to its body, once (``notifications.webhooks``)."""
    webhooks.deliver(delivery_id)


def queue_webhook_deliveries(ids: list[int]) -> int:
    for queued, pk in enumerate(ids):
        if not enqueue(deliver_webhook, pk, what=f"{len(ids) - queued} webhook deliveries"):
            return queued
    return len(ids)


def _queue_webhook_deliveries(now: datetime) -> int:
    """The webhook deliveries whose time has come (first or next attempt), queued again."""
    return queue_webhook_deliveries(webhooks.due_ids(now, SWEEP_BATCH))
