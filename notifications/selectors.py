"""Reads about notices: how each person is to hear of each kind of notice."""

from collections.abc import Iterable

from boards.models import User
from boards.permissions import is_executive
from boards.selectors import executives_among
from core.arrays import among_ids

from .models import Delivery, Notification, NotificationPreference
from .permissions import EXECUTIVE_DUTY_KINDS, effective_delivery


def notification_deliveries_for(*, recipient_ids: Iterable[int], kind: str) -> dict[int, str]:
    """How each recipient is to hear of a notice of this kind: one query for their choices,
    and one more only when someone chose portal-only for an executive's duty."""
    ids = list(recipient_ids)
    chosen = dict(
        NotificationPreference.objects.filter(
            among_ids("recipient_id", ids), kind=kind
        ).values_list("recipient_id", "delivery")
    )
    executives: frozenset[int] = frozenset()
    if kind in EXECUTIVE_DUTY_KINDS and Delivery.PORTAL in chosen.values():
        executives = executives_among(pk for pk, d in chosen.items() if d == Delivery.PORTAL)
    return {
        pk: effective_delivery(
            chosen.get(pk, Delivery.IMMEDIATE), kind=kind, is_executive=pk in executives
        )
        for pk in ids
    }


def notification_preferences_of(person: User) -> dict[str, str]:
    """The delivery in force for every kind of notice, for this person (one query)."""
    chosen = dict(person.notification_preferences.values_list("kind", "delivery"))
    executive = is_executive(person)
    return {
        kind: effective_delivery(
            chosen.get(kind, Delivery.IMMEDIATE), kind=kind, is_executive=executive
        )
        for kind in Notification.Kind.values
    }
