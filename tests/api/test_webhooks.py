"""A body's signed webhook, through a real HTTP receiver started by the test: written as a row
when a referral awaits the body, POSTed after commit with an HMAC-SHA256 signature, retried
after a failure, delivered exactly once, and shown in the board's message log."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from notifications import tasks
from notifications.models import Webhook, WebhookDelivery
from opportunities import services


class Receiver:
    """An HTTP server on a free local port answering each POST with the next status given (a
    redirect points to another path of the same server)."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.paths: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                receiver.paths.append(self.path)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "/hooks/moved")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/blue-light"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def loopback(settings):
    """The receivers of these tests are on this machine: let webhooks reach loopback."""
    settings.OUTBOUND_ALLOW_LOOPBACK = True


def verifies(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a body's case system does with the signature header."""
    parts = dict(part.split("=", 1) for part in headers["X-Bluelight-Signature"].split(","))
    expected = hmac.new(
        secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def _set_webhook(client_of, alice, body, url) -> str:
    response = client_of(alice).post(
        reverse("webhooks", args=["warwickshire"]), {"organisation": body.pk, "url": url}
    )
    assert response.status_code == 200, response.content
    return response.context["made"]["secret"]


def _send(assessed, record, alice, bodies, capture):
    recommendation = record(assessed, bodies)
    with capture(execute=True):
        services.recommendation_send(recommendation=recommendation, actor=alice)
    return recommendation


def test_the_webhook_is_signed_retried_after_a_500_and_delivered_once(
    loopback,
    assessed,
    record,
    alice,
    police,
    fire,
    council,
    erin,
    client_of,
    django_capture_on_commit_callbacks,
):
    with Receiver([500, 200]) as receiver:
        secret = _set_webhook(client_of, alice, fire, receiver.url)
        _send(assessed, record, alice, [police, fire], django_capture_on_commit_callbacks)
        # Sent after commit; the receiver failed: pending again, its retry scheduled.
        assert len(receiver.received) == 1
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == WebhookDelivery.Status.PENDING
        assert delivery.attempts == 1 and delivery.response_status == 500
        assert "HTTP 500" in delivery.last_error
        # A sweep before the retry is due sends nothing.
        tasks.sweep_pending_notifications()
        assert len(receiver.received) == 1
        with time_machine.travel(timezone.now() + timedelta(minutes=5)):
            tasks.sweep_pending_notifications()
        assert len(receiver.received) == 2
        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.SENT and delivery.attempts == 2
        # Delivered once: another sweep, or a duplicate task, sends nothing more.
        with time_machine.travel(timezone.now() + timedelta(hours=2)):
            tasks.sweep_pending_notifications()
        tasks.deliver_webhook(delivery.pk)
        assert len(receiver.received) == 2
    for headers, body in receiver.received:
        assert verifies(secret, headers, body)
        assert headers["X-Bluelight-Delivery"] == str(delivery.pk)
        assert headers["X-Bluelight-Event"] == "referral.awaiting"
    payload = json.loads(receiver.received[-1][1])
    referral = fire.referrals.get()
    assert payload["data"]["referral"] == referral.pk
    assert payload["data"]["api"] == f"/api/referrals/{referral.pk}"
    assert not verifies("not-the-secret", *receiver.received[-1])


def test_only_the_bodies_with_a_webhook_are_told(
    loopback,
    assessed,
    record,
    alice,
    police,
    fire,
    erin,
    client_of,
    django_capture_on_commit_callbacks,
):
    with Receiver([200]) as receiver:
        _set_webhook(client_of, alice, fire, receiver.url)
        _send(assessed, record, alice, [police, fire], django_capture_on_commit_callbacks)
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().webhook.organisation == fire


def test_a_webhook_given_up_is_failed_and_sent_again_from_the_message_log(
    loopback, assessed, record, alice, police, fire, client_of, django_capture_on_commit_callbacks
):
    with Receiver([503] * 20) as receiver:
        _set_webhook(client_of, alice, fire, receiver.url)
        _send(assessed, record, alice, [police, fire], django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=7, next_attempt_at=None)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        tasks.sweep_pending_notifications()
        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.FAILED
        client = client_of(alice)
        log = client.get(reverse("message_log", args=["warwickshire"])).content.decode()
        assert "Webhook deliveries" in log and "Failed" in log and fire.name in log
        receiver.statuses = [200]
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("webhook_delivery_retry", args=["warwickshire", delivery.pk]))
        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.SENT


def test_an_unreachable_receiver_is_retried_not_a_crash(
    loopback, assessed, record, alice, police, fire, client_of, django_capture_on_commit_callbacks
):
    _set_webhook(client_of, alice, fire, "http://127.0.0.1:9/nothing-listens")
    _send(assessed, record, alice, [police, fire], django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_error.startswith("No answer")


def test_setting_a_webhook_is_audited_and_switching_it_off_stops_it(
    assessed, record, alice, police, fire, client_of, django_capture_on_commit_callbacks
):
    _set_webhook(client_of, alice, fire, "https://cases.example.org/hook")
    assert AuditEvent.objects.filter(verb="webhook.set").exists()
    client_of(alice).post(reverse("webhook_off", args=["warwickshire", fire.pk]))
    assert not Webhook.objects.get().active
    _send(assessed, record, alice, [police, fire], django_capture_on_commit_callbacks)
    assert not WebhookDelivery.objects.exists()


def test_a_bad_address_is_refused_with_a_sentence(board, alice, fire, client_of):
    response = client_of(alice).post(
        reverse("webhooks", args=["warwickshire"]), {"organisation": fire.pk, "url": "not a url"}
    )
    assert response.status_code == 200
    assert "Enter a web address" in response.content.decode()
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("bob", 403), ("erin", 404), ("charlie", 404)])
def test_only_the_secretariat_sets_webhooks(board, fire, client_of, request, who, status):
    client = client_of(request.getfixturevalue(who))
    assert client.get(reverse("webhooks", args=["warwickshire"])).status_code == status
    response = client.post(
        reverse("webhooks", args=["warwickshire"]),
        {"organisation": fire.pk, "url": "https://x.example.org/"},
    )
    assert response.status_code == status
    assert not Webhook.objects.exists()


def test_the_webhooks_page_needs_signing_in(client, board):
    response = client.get(reverse("webhooks", args=["warwickshire"]))
    assert response.status_code == 302


def test_a_body_on_another_board_keeps_its_webhook_from_this_boards_secretariat(
    board, fire, alice, charlie, client_of
):
    """A body's webhook is told of every board's referrals to it: the secretariat of one of
    its boards may not point it elsewhere, or switch it off, for the others."""
    _set_webhook(client_of, alice, fire, "https://cases.fire.example.org/hook")
    elsewhere = charlie.memberships.get().board
    elsewhere.organisations.add(fire)
    client = client_of(charlie)
    response = client.post(
        reverse("webhooks", args=[elsewhere.slug]),
        {"organisation": fire.pk, "url": "https://not-fire.example.org/"},
    )
    assert response.status_code == 200
    assert "secretariat of every board" in response.content.decode()
    response = client.post(reverse("webhook_off", args=[elsewhere.slug, fire.pk]))
    assert response.status_code == 403
    webhook = Webhook.objects.get()
    assert (webhook.url, webhook.active) == ("https://cases.fire.example.org/hook", True)
    page = client.get(reverse("webhooks", args=[elsewhere.slug])).content.decode()
    assert "cases.fire.example.org" not in page


# --- only the public internet ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/admin/",
        "http://localhost:6379/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hooks/blue-light",
        "http://[::1]/hooks/blue-light",
        "https://cases.internal.example.org/hooks/blue-light",
    ],
)
def test_an_address_inside_a_private_network_is_refused_in_the_page(
    board, alice, fire, client_of, resolver, url
):
    resolver.answer("cases.internal.example.org", ["192.168.10.20"])
    response = client_of(alice).post(
        reverse("webhooks", args=["warwickshire"]), {"organisation": fire.pk, "url": url}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a web address on the public internet" in page
    assert "is inside a private network" in page
    assert not Webhook.objects.exists()
    assert not AuditEvent.objects.filter(verb="webhook.set").exists()


def test_an_address_on_the_internet_is_accepted(board, alice, fire, client_of, resolver):
    resolver.answer("cases.fire.example.org", ["93.184.216.34"])
    _set_webhook(client_of, alice, fire, "https://cases.fire.example.org/hook")
    assert Webhook.objects.get().url == "https://cases.fire.example.org/hook"


def test_a_webhook_now_resolving_inside_the_network_is_not_sent(
    assessed, record, alice, police, fire, client_of, resolver, django_capture_on_commit_callbacks
):
    """Saved while its name pointed to the internet; by the time it is sent the name points
    inside the network (or the webhook was saved before the check): no connection is made."""
    resolver.answer("cases.fire.example.org", ["93.184.216.34"], ["10.0.0.5"])
    _set_webhook(client_of, alice, fire, "https://cases.fire.example.org/hook")
    _send(assessed, record, alice, [police, fire], django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_error.startswith("Not sent: cases.fire.example.org is, or resolves to")
    assert delivery.response_status is None


def test_a_webhook_saved_before_the_check_to_a_loopback_address_is_not_sent(
    assessed, record, alice, police, fire, django_capture_on_commit_callbacks
):
    with Receiver([200]) as receiver:
        Webhook.objects.create(
            organisation=fire, url=receiver.url, secret="whsec_old", set_by=alice
        )
        _send(assessed, record, alice, [police, fire], django_capture_on_commit_callbacks)
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert "inside a private network" in delivery.last_error


def test_a_redirect_is_not_followed_but_failed_with_its_reason(
    loopback,
    assessed,
    record,
    alice,
    police,
    fire,
    client_of,
    caplog,
    django_capture_on_commit_callbacks,
):
    with Receiver([307, 200]) as receiver:
        _set_webhook(client_of, alice, fire, receiver.url)
        _send(assessed, record, alice, [police, fire], django_capture_on_commit_callbacks)
    assert receiver.paths == ["/hooks/blue-light"]  # the redirect's address was never posted to
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.response_status == 307
    assert delivery.last_error.startswith(
        "The receiver answered HTTP 307, a redirect to /hooks/moved: webhooks do not follow"
    )
    assert "not delivered: The receiver answered HTTP 307" in caplog.text
