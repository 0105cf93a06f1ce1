"""Writing notifications in the caller's transaction and delivering them after it commits, and
each person's choice of how to hear of each kind of notice."""

import contextvars
import logging
import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from boards.models import Board, Organisation, User
from core.arrays import among_ids
from core.batching import batch_size_for
from core.exceptions import Refused
from core.markings import OFFICIAL, Marking

from . import tasks
from .emails import withheld
from .models import (
    STATUS_FOR_DELIVERY,
    Delivery,
    Notification,
    NotificationPreference,
    Webhook,
    WebhookDelivery,
)
from .permissions import (
    deliveries_allowed,
)
from .selectors import notification_deliveries_for, notification_preferences_of

logger = logging.getLogger("bluelight.tasks")

_suppressed = contextvars.ContextVar("notifications_suppressed", default=False)


class PreferenceNotAllowed(Refused):
    """The person may not hear of this kind of notice that way."""


@contextmanager
def notifications_suppressed() -> Iterator[None]:
    """No notifications inside the block (loading demonstration data, for instance)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def notification_create_many(
    *,
    recipients: Iterable[User],
    kind: str,
    event_key: str,
    subject: str,
    link: str,
    payload: dict[str, Any],
    board: Board | None = None,
    marking: Marking = OFFICIAL,
) -> list[int]:
    """Write one notification per recipient for an event and queue the immediate emails;
    returns the ids queued.

    ``marking`` is the handling marking of what the notice is about: an OFFICIAL-SENSITIVE
    notice keeps only what may be e-mailed (``emails.withheld``: the kind, the reference,
    the board and the marking) and its e-mail links to the portal instead of saying it.

    Rows are written in the caller's transaction (a recipient already notified of this event is
    skipped). Each row follows its recipient's preference for the kind: emailed at once (queued
    only once the transaction commits), left for the daily digest, or kept for the notification
    centre only.
    """
    if _suppressed.get():
        return []
    if marking.is_sensitive:
        subject, payload = withheld(kind, payload, marking)
    people = {person.pk: person for person in recipients if person.is_active}
    if not people:
        return []
    # A message that is not a notice (an invitation, a password reset) goes out at once
    # whatever the person chose for notices, and is not shown in the notification centre.
    is_message = kind in Notification.Message.values
    deliveries = (
        dict.fromkeys(people, Delivery.IMMEDIATE)
        if is_message
        else notification_deliveries_for(recipient_ids=people, kind=kind)
    )
    now = timezone.now()
    rows = [
        Notification(
            recipient_id=pk,
            kind=kind,
            event_key=event_key,
            subject=subject[:250],
            link=link,
            payload=payload,
            board=board,
            delivery=deliveries[pk],
            status=STATUS_FOR_DELIVERY[deliveries[pk]],
            # The digest task, not the sweep, sends a notice waiting for the digest.
            next_attempt_at=tasks.sweep_time(now) if deliveries[pk] == Delivery.IMMEDIATE else None,
            read_at=now if is_message else None,
        )
        for pk in people
    ]
    Notification.objects.bulk_create(
        rows, ignore_conflicts=True, batch_size=batch_size_for(Notification)
    )
    created = list(
        Notification.objects.filter(among_ids("recipient_id", people), event_key=event_key)
        .filter(status=Notification.Status.PENDING)
        .values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: tasks.queue_deliveries(created))
    return created


@transaction.atomic
def notification_preferences_set(*, person: User, deliveries: Mapping[str, str]) -> dict[str, str]:
    """Record how the person wants to hear of each kind named; returns the kinds changed.

    Refuses (PreferenceNotAllowed) a choice the rules forbid, such as an executive silencing
    their body's referrals. Notices already waiting for the digest follow the new choice: kept
    for the centre only, or queued to be emailed at once after the transaction commits.
    """
    for kind, delivery in deliveries.items():
        if kind not in Notification.Kind.values or delivery not in Delivery.values:
            raise PreferenceNotAllowed("Choose one of the options for each kind of notice.")
        if delivery not in deliveries_allowed(person, kind):
            raise PreferenceNotAllowed(
                f"{Notification.Kind(kind).label}: as an executive you must have these by "
                "email, straight away or in the daily digest."
            )
    before = notification_preferences_of(person)
    changed = {kind: d for kind, d in deliveries.items() if before[kind] != d}
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(recipient=person, kind=k, delivery=d) for k, d in changed.items()],
        update_conflicts=True,
        unique_fields=["recipient", "kind"],
        update_fields=["delivery", "updated_at"],
        batch_size=batch_size_for(NotificationPreference),
    )
    _redirect_waiting_digest(person, changed)
    return changed


def _redirect_waiting_digest(person: User, changed: Mapping[str, str]) -> None:
    waiting = Notification.objects.filter(recipient=person, status=Notification.Status.DIGEST)
    portal = [kind for kind, d in changed.items() if d == Delivery.PORTAL]
    if portal:
        waiting.filter(kind__in=portal).update(
            status=Notification.Status.PORTAL_ONLY, delivery=Delivery.PORTAL
        )
    immediate = [kind for kind, d in changed.items() if d == Delivery.IMMEDIATE]
    if immediate:
        ids = list(waiting.filter(kind__in=immediate).values_list("pk", flat=True))
        Notification.objects.filter(among_ids("pk", ids)).update(
            status=Notification.Status.PENDING,
            delivery=Delivery.IMMEDIATE,
            next_attempt_at=tasks.sweep_time(timezone.now()),
        )
        transaction.on_commit(lambda: tasks.queue_deliveries(ids))


def digest_unsubscribe(*, person: User) -> dict[str, str]:
    """Stop the daily digest: every kind the person has in the digest goes to the notification
    centre only, except an executive's duty, which must reach them by email and so is emailed
    at once instead. Returns the kinds changed and their new delivery."""
    moves = {
        kind: Delivery.PORTAL
        if Delivery.PORTAL in deliveries_allowed(person, kind)
        else Delivery.IMMEDIATE
        for kind, delivery in notification_preferences_of(person).items()
        if delivery == Delivery.DIGEST
    }
    return notification_preferences_set(person=person, deliveries=moves)


def notifications_mark_read(*, person: User, ids: list[int] | None = None) -> int:
    """Mark the person's unread notifications read (these ones, or all); returns how many."""
    unread = Notification.objects.filter(recipient=person, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(among_ids("pk", ids))
    return unread.update(read_at=timezone.now())


def notification_retry(*, board: Board, pk: int) -> bool:
    """Send a failed message of the board's again, on its own (even if it failed as part of a
    digest). Queues its delivery after commit; False when the message has not failed."""
    retried = Notification.objects.filter(
        pk=pk, board=board, status=Notification.Status.FAILED
    ).update(
        status=Notification.Status.PENDING,
        attempts=0,
        delivery=Delivery.IMMEDIATE,
        next_attempt_at=tasks.sweep_time(timezone.now()),
    )
    if retried:
        transaction.on_commit(lambda: tasks.queue_deliveries([pk]))
    return bool(retried)


def email_requested_write(
    sender: Any,
    *,
    kind: str,
    recipient: User,
    event_key: str,
    subject: str,
    link: str = "",
    payload: dict[str, Any] | None = None,
    board: Board | None = None,
    **signal: Any,
) -> list[int]:
    """Write the e-mail another app asked for (``boards.signals.email_requested``) as a
    message row, queued after the caller's transaction commits; returns the ids queued."""
    return notification_create_many(
        recipients=[recipient],
        kind=kind,
        event_key=event_key,
        subject=subject,
        link=link,
        payload=payload or {},
        board=board,
    )


# --- webhooks -----------------------------------------------------------------------------------


@transaction.atomic
def webhook_set(*, organisation: Organisation, url: str, actor: User) -> tuple[Webhook, str]:
    """Set the body's webhook address and give it a new secret; returns the webhook and the
    secret (shown to the secretariat once). Appends an audit event."""
    secret = "whsec_" + secrets.token_urlsafe(32)
    webhook, _ = Webhook.objects.update_or_create(
        organisation=organisation,
        defaults={
            "url": url,
            "secret": secret,
            "active": True,
            "set_by": actor,
            "set_at": timezone.now(),
        },
    )
    audit_record(
        subject=organisation,
        actor=actor,
        verb="webhook.set",
        summary=f"Webhook of {organisation.name} set to {url}, with a new secret",
        after={"url": url},
    )
    return webhook, secret


@transaction.atomic
def webhook_switch_off(*, organisation: Organisation, actor: User) -> bool:
    """Stop telling the body's case system; False when it had no webhook on."""
    switched = Webhook.objects.filter(organisation=organisation, active=True).update(active=False)
    if switched:
        audit_record(
            subject=organisation,
            actor=actor,
            verb="webhook.off",
            summary=f"Webhook of {organisation.name} switched off",
        )
    return bool(switched)


def webhook_deliveries_write(
    *,
    organisation: Organisation,
    board: Board | None,
    event: str,
    event_key: str,
    summary: str,
    payload: dict[str, Any],
) -> list[int]:
    """Write a delivery row for the body's webhook, if it has one on, in the caller's
    transaction (an event already written is skipped), and queue its POST once the transaction
    commits; returns the ids written."""
    if _suppressed.get():
        return []
    webhook = Webhook.objects.filter(organisation=organisation, active=True).first()
    if webhook is None:
        return []
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                webhook=webhook,
                board=board,
                event=event,
                event_key=event_key,
                summary=summary[:250],
                payload=payload,
                created_at=now,
                next_attempt_at=tasks.sweep_time(now),
            )
        ],
        ignore_conflicts=True,
    )
    created = list(
        WebhookDelivery.objects.filter(
            webhook=webhook, event_key=event_key, status=WebhookDelivery.Status.PENDING
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: tasks.queue_webhook_deliveries(created))
    return created


def webhook_delivery_retry(*, board: Board, pk: int) -> bool:
    """Send a failed webhook delivery of the board's again; False when it has not failed."""
    retried = WebhookDelivery.objects.filter(
        pk=pk, board=board, status=WebhookDelivery.Status.FAILED
    ).update(
        status=WebhookDelivery.Status.PENDING,
        attempts=0,
        next_attempt_at=tasks.sweep_time(timezone.now()),
    )
    if retried:
        transaction.on_commit(lambda: tasks.queue_webhook_deliveries([pk]))
    return bool(retried)
