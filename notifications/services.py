"""Writing notifications in the caller's transaction and delivering them after it commits."""

import contextvars
import logging
import time
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import transaction

from .models import Notification

logger = logging.getLogger("bluelight.tasks")

_suppressed = contextvars.ContextVar("notifications_suppressed", default=False)

# After the broker failed to take a delivery, this process leaves further deliveries to the sweep
# for a while instead of waiting out the broker's timeouts once per message: a decision that
# notifies a whole board would otherwise keep its page waiting several seconds per person.
BROKER_BACKOFF_SECONDS = 30.0
_broker_failed_at: float | None = None


@contextmanager
def notifications_suppressed():
    """No notifications inside the block (loading demonstration data, for instance)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def notification_create_many(
    *,
    recipients: Iterable,
    kind: str,
    event_key: str,
    subject: str,
    link: str,
    payload: dict,
    board=None,
) -> list[int]:
    """Write one notification per recipient for an event and queue their delivery; returns ids.

    Rows are written in the caller's transaction (a recipient already notified of this event is
    skipped); delivery tasks are queued only once the transaction commits.
    """
    if _suppressed.get():
        return []
    people = {person.pk: person for person in recipients if person.is_active}
    if not people:
        return []
    rows = [
        Notification(
            recipient_id=pk,
            kind=kind,
            event_key=event_key,
            subject=subject[:250],
            link=link,
            payload=payload,
            board=board,
        )
        for pk in people
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(
        Notification.objects.filter(event_key=event_key, recipient_id__in=people)
        .filter(status=Notification.Status.PENDING)
        .values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: queue_deliveries(created))
    return created


def queue_deliveries(ids: list[int]) -> int:
    """Queue a delivery task per notification; returns how many were queued.

    Stops at the first message the broker does not take (and for a while after it): the rows
    stay pending and the sweep queues them again once the broker is back.
    """
    global _broker_failed_at
    from . import tasks

    if _broker_failed_at is not None:
        if time.monotonic() - _broker_failed_at < BROKER_BACKOFF_SECONDS:
            logger.warning("Broker failed moments ago: %d messages left for the sweep", len(ids))
            return 0
        _broker_failed_at = None
    for queued, pk in enumerate(ids):
        # EnqueueNeverFailsTask answers None when the broker could not be reached.
        if tasks.deliver_notification.delay(pk) is None:
            _broker_failed_at = time.monotonic()
            logger.warning("%d messages left for the sweep", len(ids) - queued)
            return queued
    return len(ids)
