"""Signed webhooks: telling a body's own case system, by an HTTP POST, that a referral awaits
its decision.

Each delivery is a row first (``WebhookDelivery``, written in the transaction of the event) and
is POSTed by a task after commit, with the protocol of a notification:

1. claim: in a short transaction a pending row becomes "sending" with a new attempt id;
2. POST it, outside any transaction, with a time limit;
3. record: the row becomes "sent" only if the same attempt still holds it.

The receiver must be on the public internet (``core.outbound``): the connection is made only to
an address checked as public, and a redirect is not followed (it could point anywhere, inside
the network too): it is a failed attempt, its reason logged on the row.

A failure (no answer, or an answer other than 2xx) makes the row pending again with
``next_attempt_at`` backing off; after ``MAX_ATTEMPTS`` it is marked failed, for the secretariat
to send again from the message log. The sweep (every minute) queues the rows whose time has come
and gives back attempts cut short. Every copy of a delivery carries the same
``X-Bluelight-Delivery`` id, so a receiver that saw it already can drop it.

The signature: ``X-Bluelight-Signature: t=<unix time>,v1=<hex>``, where ``<hex>`` is the
HMAC-SHA256, keyed with the body's webhook secret, of ``<unix time>.<the request body>``.
"""

import hashlib
import hmac
import json
import logging
import time
import uuid
from datetime import datetime, timedelta

import urllib3
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.outbound import AddressNotPublic, public_pool_manager

from .models import WebhookDelivery

logger = logging.getLogger("bluelight.tasks")

Status = WebhookDelivery.Status
MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-Bluelight-Signature"
DELIVERY_HEADER = "X-Bluelight-Delivery"
EVENT_HEADER = "X-Bluelight-Event"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the signature header for this body sent at ``timestamp``."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(
        {
            "id": str(delivery.pk),
            "event": delivery.event,
            "created_at": delivery.created_at.isoformat(),
            "data": delivery.payload,
        },
        sort_keys=True,
    ).encode()


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=settings.NOTIFICATION_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def claim(delivery_id: int) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",), no_key=True, skip_locked=True)
            .select_related("webhook")
            .filter(pk=delivery_id, status=Status.PENDING)
            .first()
        )
        if delivery is None:
            return None
        delivery.status = Status.SENDING
        delivery.attempt_id = uuid.uuid4()
        delivery.attempt_started_at = timezone.now()
        delivery.attempts += 1
        delivery.next_attempt_at = None
        delivery.save(
            update_fields=[
                "status",
                "attempt_id",
                "attempt_started_at",
                "attempts",
                "next_attempt_at",
            ]
        )
    return delivery


REDIRECTS = (301, 302, 303, 307, 308)


class NotDelivered(Exception):
    """The POST reached no receiver that took it; the message says why, for the message log,
    with the HTTP status of an answer that was not one (a redirect)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def post(delivery: WebhookDelivery) -> int:
    """POST the delivery to its webhook; returns the HTTP status of a receiver's answer, or
    raises ``NotDelivered`` saying why there was none (no answer, an address inside a private
    network, a redirect)."""
    body = body_of(delivery)
    url = delivery.webhook.url
    # Only web addresses (the form's URLField allows no other); never file: or custom schemes.
    if not url.startswith(("https://", "http://")):
        raise NotDelivered("The webhook's address is not a web address.")
    pool = public_pool_manager(timeout=urllib3.Timeout(TIMEOUT_SECONDS), retries=False)
    try:
        response = pool.request(
            "POST",
            url,
            body=body,
            redirect=False,
            # The receiver's answer is not read: only its status counts.
            preload_content=False,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Blue Light Collaboration portal webhook",
                SIGNATURE_HEADER: signature(delivery.webhook.secret, int(time.time()), body),
                DELIVERY_HEADER: str(delivery.pk),
                EVENT_HEADER: delivery.event,
            },
        )
    except AddressNotPublic as error:
        raise NotDelivered(f"Not sent: {error.message}") from error
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise NotDelivered(f"No answer: {type(error).__name__}: {error}") from error
    response.release_conn()
    if response.status in REDIRECTS:
        where = response.headers.get("Location") or "no address"
        raise NotDelivered(
            f"The receiver answered HTTP {response.status}, a redirect to {where}: webhooks do "
            "not follow redirects. Set the webhook to the address the receiver redirects to.",
            int(response.status),
        )
    return int(response.status)


def _this_attempt(delivery: WebhookDelivery):
    return WebhookDelivery.objects.filter(
        pk=delivery.pk, status=Status.SENDING, attempt_id=delivery.attempt_id
    )


def attempt_failed(delivery: WebhookDelivery, error: str, status: int | None = None) -> None:
    gave_up = delivery.attempts >= MAX_ATTEMPTS
    _this_attempt(delivery).update(
        status=Status.FAILED if gave_up else Status.PENDING,
        last_error=error[:500],
        response_status=status,
        next_attempt_at=None if gave_up else timezone.now() + retry_delay(delivery.attempts),
    )


def attempt_succeeded(delivery: WebhookDelivery, status: int) -> None:
    _this_attempt(delivery).update(
        status=Status.SENT, sent_at=timezone.now(), response_status=status, last_error=""
    )


def deliver(delivery_id: int) -> None:
    """Deliver one webhook row, once (see the module's protocol); quietly nothing unless it is
    pending, so a duplicate task never sends twice."""
    delivery = claim(delivery_id)
    if delivery is None:
        return
    if not delivery.webhook.active:
        attempt_failed(delivery, "The body's webhook is switched off.")
        return
    try:
        status = post(delivery)
    except NotDelivered as error:
        logger.warning("Webhook delivery %s not delivered: %s", delivery.pk, error)
        attempt_failed(delivery, str(error), error.status)
        return
    if 200 <= status < 300:
        attempt_succeeded(delivery, status)
    else:
        attempt_failed(delivery, f"The receiver answered HTTP {status}.", status)


def due_ids(now: datetime, limit: int) -> list[int]:
    """Give back attempts cut short, then the pending rows whose time has come (marked so the
    next sweep does not take them again while their tasks wait)."""
    stale = now - timedelta(seconds=settings.NOTIFICATION_SENDING_STALE_SECONDS)
    WebhookDelivery.objects.filter(status=Status.SENDING, attempt_started_at__lt=stale).update(
        status=Status.PENDING,
        next_attempt_at=now,
        last_error="The attempt was cut short before it was recorded; sent again.",
    )
    due = WebhookDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    WebhookDelivery.objects.filter(pk__in=ids).update(
        next_attempt_at=now + timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS)
    )
    return ids
