"""Writing notifications in the caller's transaction and delivering them after it commits."""

import contextvars
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import transaction

from .models import Notification

_suppressed = contextvars.ContextVar("notifications_suppressed", default=False)


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
    transaction.on_commit(lambda: _queue_delivery(created))
    return created


def _queue_delivery(ids: list[int]) -> None:
    from . import tasks

    for pk in ids:
        tasks.deliver_notification.delay(pk)
