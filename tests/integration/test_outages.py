"""Outages, with real processes: a hung broker, Redis stopped under a worker with retries
waiting, PostgreSQL cutting the worker's connections mid-send, the sweep's recovery time with
beat at its production interval, and two beats. Every count is what the mail server received.
"""

import statistics
import time

import psycopg
import pytest
from django.db import connection
from django.db.models import Max
from django.urls import reverse

from boards.models import BoardMembership
from meetings.models import Meeting
from notifications.models import Notification
from notifications.tasks import deliver_notification
from tests.factories import MeetingFactory, MembershipFactory, UserFactory

from .helpers import (
    due_now,
    message_ids_of,
    pending,
    record_decision,
)
from .servers import HangingBroker, broker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_scheduling_a_meeting_for_30_people_with_a_hung_broker_answers_at_once(
    live, client_of, alice, board
):
    """One attempt at the broker for the whole request, whatever the number of invitees; every
    invitation is a row, sent once by the sweep when the broker is back."""
    for n in range(30):
        person = UserFactory(full_name=f"Invitee {n}", email=f"invitee{n}@police.example")
        MembershipFactory(person=person, board=board, role=BoardMembership.Role.MEMBER)
    meeting = MeetingFactory(board=board, created_by=alice, title="Large meeting")
    hanging = HangingBroker()
    hanging.start()
    try:
        with broker(hanging.url):
            started = time.monotonic()
            response = client_of(alice).post(
                reverse("meeting_transition", kwargs={"pk": meeting.pk}), {"to": "scheduled"}
            )
            elapsed = time.monotonic() - started
    finally:
        hanging.stop()
    print(f"\nScheduling for {meeting.invitations.count()} invitees took {elapsed:.2f} s")
    assert response.status_code == 302
    assert elapsed < 5, f"the page took {elapsed:.1f} s"
    assert len(hanging.connections) == 1  # one attempt at the broker, not one per invitee
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    rows = Notification.objects.filter(kind="meeting_invitation")
    assert rows.count() == meeting.invitations.count() >= 30
    assert set(rows.values_list("status", flat=True)) == {"pending"}

    from notifications.tasks import sweep_pending_notifications

    due_now()
    sweep_pending_notifications.delay()
    live.quiet(60)
    assert live.mail.message_ids() == message_ids_of(rows)
    assert set(rows.values_list("status", "attempts")) == {("sent", 1)}


def last_pk() -> int:
    return Notification.objects.aggregate(last=Max("pk"))["last"] or 0


def cut_worker_connections() -> int:
    """PostgreSQL ends every connection of the worker (as a failover or restart would)."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db["PASSWORD"],
        dbname="postgres",
    ) as admin:
        admin.autocommit = True
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'bluelight-worker' AND datname = %s",
            [db["NAME"]],
        ).fetchall()
    return len(rows)


def sent_windows(live, rows) -> list[float]:
    """Seconds from the mail server accepting each message to its row being recorded sent."""
    accepted = {message["id"]: message["at"] for message in live.mail.accepted_with_ids()}
    return [row.sent_at.timestamp() - accepted[row.message_id] for row in rows if row.sent_at]


def test_connections_cut_after_the_server_accepted_cause_no_duplicate(
    live, client_of, erin, fire_referral
):
    """Each time the mail server accepts a message, PostgreSQL cuts the worker's connections
    before the worker hears so: the worker reconnects and records the message sent. Counted:
    the cuts, the messages, the duplicates (none), and the window each message spent between
    the server's acceptance and its record."""
    before = last_pk()
    cuts = []
    live.mail.after_accepting = lambda: cuts.append(cut_worker_connections())
    try:
        _, status = record_decision(client_of(erin), fire_referral)
        assert status == 302
        live.quiet(90)
    finally:
        live.mail.after_accepting = None
    rows = list(Notification.objects.filter(pk__gt=before))
    ids = live.mail.message_ids()
    windows = sent_windows(live, rows)
    duplicates = len(ids) - len(set(ids))
    print(
        f"\n{len(rows)} messages, {sum(1 for c in cuts if c)} connection cuts, "
        f"{duplicates} duplicates; window accepted→recorded: "
        f"median {statistics.median(windows):.3f} s, max {max(windows):.3f} s"
    )
    assert len(rows) >= 8 and sum(1 for c in cuts if c) >= len(rows)
    assert duplicates == 0
    assert sorted(ids) == message_ids_of(Notification.objects.filter(pk__in=[r.pk for r in rows]))
    assert all(row.status == "sent" and row.attempts == 1 for row in rows)


def test_the_window_between_acceptance_and_record_is_measured(live, client_of, erin, fire_referral):
    """The one window left (see the README's delivery guarantees): how long a message spends
    accepted by the mail server but not yet recorded sent, when nothing goes wrong."""
    before = last_pk()
    record_decision(client_of(erin), fire_referral)
    live.quiet(60)
    rows = list(Notification.objects.filter(pk__gt=before))
    windows = sent_windows(live, rows)
    print(
        f"\nWindow accepted→recorded over {len(windows)} messages: "
        f"median {statistics.median(windows) * 1000:.0f} ms, max {max(windows) * 1000:.0f} ms"
    )
    assert len(windows) == len(rows) >= 8
    assert max(windows) < 1.0


def test_redis_stopped_while_retries_wait_and_delivery_goes_on_once_it_returns(
    live, client_of, erin, fire_referral, start_beat
):
    """Every first attempt is refused by the mail server, so every message waits for a retry
    (a time in the database, not a task in the broker) when Redis stops. The worker is never
    restarted by hand: once Redis is back, beat's sweep queues the retries and each message
    arrives once."""
    before = last_pk()
    start_beat(sweep_every=1)
    worker_pid = live.worker.process.pid
    live.mail.fail_next(100)
    _, status = record_decision(client_of(erin), fire_referral)
    assert status == 302
    rows = Notification.objects.filter(pk__gt=before)
    wait_until(
        lambda: rows.count() == rows.filter(status="pending", attempts__gte=1).count(),
        30,
        "every first attempt refused",
    )
    live.redis.stop()
    live.mail.fail_next(0)
    time.sleep(8)  # the retries fall due while the broker is gone
    assert live.worker.running()
    live.redis.start()
    wait_until(lambda: not pending().exists(), 90, "every retried message sent")
    assert live.worker.running() and live.worker.process.pid == worker_pid
    assert live.worker.starts == 1 or "Unrecoverable error" not in live.worker.output()
    assert live.mail.message_ids() == message_ids_of(rows)
    assert set(rows.values_list("status", flat=True)) == {"sent"}


def test_after_an_outage_messages_and_a_password_reset_arrive_within_two_minutes(
    live, client, client_of, bob, erin, fire_referral, start_beat
):
    """Beat at its production interval (every minute) and the sweep's production delay (30 s
    for a message's own task): a decision and a password reset made while Redis is down
    arrive, once each, within two minutes of being made."""
    before = last_pk()
    start_beat(sweep_every=60)
    live.redis.stop()
    written = time.monotonic()
    _, status = record_decision(client_of(erin), fire_referral)
    assert status == 302
    reset = client.post(reverse("password_reset"), {"email": "bob@fire.example"})
    assert reset.status_code == 302
    time.sleep(5)
    live.redis.start()
    returned = time.monotonic()
    rows = Notification.objects.filter(pk__gt=before)
    assert rows.filter(kind="password_reset", recipient=bob).exists()
    wait_until(lambda: not pending().exists(), 150, "every message sent after the outage")
    arrived = time.monotonic()
    print(
        f"\n{rows.count()} messages (a password reset among them) sent "
        f"{arrived - written:.0f} s after they were written, "
        f"{arrived - returned:.0f} s after Redis returned"
    )
    assert arrived - written < 125
    assert live.mail.message_ids() == message_ids_of(rows)
    assert "bob@fire.example" in live.mail.recipients()


def test_two_beats_queue_each_scheduled_job_once(live, start_beat):
    first = start_beat(sweep_every=1, name="first")
    second = start_beat(sweep_every=1, name="second")
    time.sleep(6)
    sent = "Sending due task sweep-pending-notifications"
    assert first.output().count(sent) >= 3
    assert second.output().count(sent) == 0
    assert "this beat is standing by and queues nothing" in second.output()
    first.stop()  # a clean stop lets go of the lock; the other takes over
    wait_until(lambda: sent in second.output(), 20, "the second beat to take over")


def test_a_delivery_for_a_message_sent_meanwhile_does_nothing(live, client_of, erin, fire_referral):
    before = last_pk()
    record_decision(client_of(erin), fire_referral)
    live.quiet(60)
    rows = Notification.objects.filter(pk__gt=before)
    for pk in rows.values_list("pk", flat=True):
        deliver_notification.delay(pk)
    live.quiet(60)
    assert live.mail.message_ids() == message_ids_of(rows)
