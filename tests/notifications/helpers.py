"""Writing notices through the service, as the register and the reminders do."""

from notifications.models import Delivery, NotificationPreference
from notifications.services import notification_create_many


def prefer(person, kind, delivery: str) -> NotificationPreference:
    return NotificationPreference.objects.create(recipient=person, kind=kind, delivery=delivery)


def notify(people, n: int, *, kind="decision_recorded", board=None, subject=None, link=None):
    """One event (numbered ``n``) notified to these people through the service."""
    return notification_create_many(
        recipients=people,
        kind=kind,
        event_key=f"test:{kind}:{n}",
        subject=subject or f"BLC-{n:04d}: notice {n}",
        link=link or f"/register/{n}/",
        payload={"board": board.name if board else ""},
        board=board,
    )


__all__ = ["Delivery", "notify", "prefer"]
