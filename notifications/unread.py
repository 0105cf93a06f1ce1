"""The number of unread notifications in every page's header, kept in the cache.

The count is read from the database once and kept, with the version of the person's
notifications it was counted at (``core.caching.versioned``), until one of them is written:
every path that writes notifications gives the recipients a new version — a row saved
(``post_save``), rows created or changed in bulk (``NotificationQuerySet``). So the count shown is
never older than the last notification written or read.
"""

from collections.abc import Iterable
from typing import Any

from core import caching

KEEP_SECONDS = 10 * 60
# Writing any of these fields changes someone's unread count.
COUNTED_FIELDS = frozenset({"read_at", "recipient", "recipient_id"})


def version_key(person_id: int) -> str:
    return f"person:{person_id}:notifications-version"


def count_key(person_id: int) -> str:
    return f"person:{person_id}:unread:v1"


def unread_count(person: Any) -> int:
    """How many of the person's notifications are unread."""
    from django.apps import apps

    Notification = apps.get_model("notifications", "Notification")

    def count() -> int:
        return Notification.objects.filter(recipient_id=person.pk, read_at__isnull=True).count()

    value, _ = caching.versioned(
        count_key(person.pk), [version_key(person.pk)], count, KEEP_SECONDS
    )
    return int(value)


def unread_changed(person_ids: Iterable[int | None]) -> None:
    """These people's unread counts are out of date."""
    caching.bump(version_key(pk) for pk in {*person_ids} if pk is not None)


def _notification_saved(
    sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any
) -> None:
    if update_fields is None or COUNTED_FIELDS & set(update_fields):
        unread_changed([instance.recipient_id])


def _notification_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    unread_changed([instance.recipient_id])


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    # Named, not imported: the model's bulk writes call this module.
    notification = "notifications.Notification"
    post_save.connect(_notification_saved, sender=notification, dispatch_uid="unread-saved")
    post_delete.connect(_notification_deleted, sender=notification, dispatch_uid="unread-deleted")
