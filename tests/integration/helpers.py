"""What the delivery proofs share: waiting for the worker, asking for a sweep, recording a
decision through the page."""

import time

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from notifications.emails import message_id
from notifications.models import Notification

from .servers import wait_until


def pending():
    """Messages not yet sent: waiting, or with an attempt under way."""
    return Notification.objects.filter(status__in=("pending", "sending"))


class Live:
    def __init__(self, redis_server, mail_server, worker):
        self.redis, self.worker = redis_server, worker
        self.mail = mail_server.handler

    def quiet(self, timeout: float = 20) -> None:
        """Wait until no task is queued or running and no message is waiting to be sent."""
        wait_until(
            lambda: self.redis.idle() and not pending().exists(), timeout, "the worker to finish"
        )


def due_now(rows=None) -> None:
    """As if the sweep came round when these messages' own tasks had had their time."""
    (rows if rows is not None else pending()).update(
        next_attempt_at=F("created_at") - timezone.timedelta(seconds=1)
    )


def sweep_until(condition, timeout: float, what: str) -> None:
    """Queue the sweep every second (as beat would every minute) until ``condition`` holds."""
    from notifications.tasks import sweep_pending_notifications

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Timed out after {timeout:.0f} s waiting for {what}")
        due_now(Notification.objects.filter(status="pending", attempts=0))
        sweep_pending_notifications.delay()
        time.sleep(1)


def record_decision(client, referral) -> tuple[float, int]:
    """POST the executive's decision on the referral page and confirm it on the check page; the
    seconds the confirmation (which records it) took and its status."""
    url = reverse("referral_detail", kwargs={"pk": referral.pk})
    sent = client.post(
        url,
        {"outcome": "approved", "reference": "FRA/7", "notes": "", "revision": referral.revision},
    )
    assert sent.status_code == 302 and sent["Location"].endswith("?check")
    started = time.monotonic()
    response = client.post(url, {"confirm": "yes"})
    return time.monotonic() - started, response.status_code


def decide_while_redis_is_stopped(live, client, referral) -> float:
    live.redis.stop()
    elapsed, status = record_decision(client, referral)
    assert status == 302
    live.redis.start()
    return elapsed


def recipients_of(rows) -> list[str]:
    return sorted(rows.values_list("recipient__email", flat=True))


def message_ids_of(rows) -> list[str]:
    """What the mail server must have received: one message per row, each exactly once."""
    return sorted(message_id(row) for row in rows)
