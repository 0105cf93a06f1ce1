"""Delivery proof with real processes: our own redis-server, an SMTP server and a Celery worker.

The worker (`celery -A bluelight worker`, concurrency 1) reads the committed rows of the test
database and sends through the mail server, which counts the messages it accepted. Every
count below is what that server received.
"""

import threading
import time

import pytest
from django.db import transaction
from django.db.models import Max

from notifications.models import Notification
from notifications.services import notification_create_many
from notifications.tasks import deliver_notification, message_id, sweep_pending_notifications

from .conftest import SENDING_STALE, VISIBILITY_TIMEOUT
from .helpers import (
    decide_while_redis_is_stopped,
    due_now,
    message_ids_of,
    pending,
    recipients_of,
    record_decision,
    sweep_until,
)
from .servers import HangingBroker, broker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_decision_recorded_while_redis_is_stopped_is_saved_and_its_messages_wait(
    live, client_of, erin, fire_referral
):
    live.redis.stop()
    elapsed, status = record_decision(client_of(erin), fire_referral)
    assert status == 302
    assert elapsed < 5, f"the page took {elapsed:.1f} s"
    fire_referral.refresh_from_db()
    assert fire_referral.status == "approved"
    assert pending().filter(kind="decision_recorded").exists()
    assert pending().filter(kind="outcome_known").count() >= 6
    assert live.mail.accepted == []


def test_after_redis_returns_the_sweep_delivers_every_message_exactly_once(
    live, client_of, erin, fire_referral
):
    decide_while_redis_is_stopped(live, client_of(erin), fire_referral)
    waiting = list(pending())
    sweep_pending_notifications.delay()  # too soon: their own tasks may still be on the way
    time.sleep(1)
    assert live.mail.accepted == []
    due_now()  # as if the sweep came round a minute later
    sweep_pending_notifications.delay()
    wait_until(lambda: len(live.mail.accepted) >= len(waiting), 30, "the swept messages")
    live.quiet()
    sweep_pending_notifications.delay()  # a second sweep finds nothing left to send
    live.quiet()
    assert live.mail.message_ids() == message_ids_of(waiting)
    assert live.mail.recipients() == sorted(row.recipient.email for row in waiting)
    assert not Notification.objects.exclude(status="sent").exists()


def test_a_delivery_task_that_runs_twice_sends_once(live, client_of, erin, fire_referral):
    decide_while_redis_is_stopped(live, client_of(erin), fire_referral)
    rows = Notification.objects.filter(pk__in=list(pending().values_list("pk", flat=True)))
    for pk in rows.values_list("pk", flat=True):
        deliver_notification.delay(pk)
        deliver_notification.delay(pk)
    live.quiet()
    assert live.mail.message_ids() == message_ids_of(rows)
    assert live.mail.recipients() == recipients_of(rows)
    assert set(rows.values_list("status", "attempts")) == {("sent", 1)}


def one_waiting_message(live, client, referral) -> Notification:
    decide_while_redis_is_stopped(live, client, referral)
    return pending().get(kind="decision_recorded", recipient__email="alice@police.example")


def sweep_after_the_attempt_is_stale(live, notification) -> None:
    """The attempt was recorded as "sending" before the mail server was asked; once it is
    older than any attempt may take, the sweep gives the message back and it is sent again."""
    notification.refresh_from_db()
    assert notification.status == "sending"
    time.sleep(SENDING_STALE + 0.5)
    sweep_pending_notifications.delay()


def test_a_worker_killed_mid_send_before_the_server_accepted_sends_once_after_the_sweep(
    live, client_of, erin, fire_referral
):
    """The pool process dies (kill -9) while the mail server holds the message: the worker
    hands the task back (reject_on_worker_lost), which finds the attempt under way and leaves
    it; the sweep gives the lost attempt back and the message is sent, once."""
    notification = one_waiting_message(live, client_of(erin), fire_referral)
    live.mail.stall_before_accepting()
    deliver_notification.delay(notification.pk)
    assert live.mail.stalled.wait(15)
    live.worker.kill_pool_child()
    assert live.mail.abandoned.wait(10)
    live.mail.release()
    sweep_after_the_attempt_is_stale(live, notification)
    wait_until(lambda: live.mail.accepted, 30, "the message sent again")
    wait_until(live.redis.idle, 20, "the task to finish")
    notification.refresh_from_db()
    assert live.mail.message_ids() == [message_id(notification)]
    assert (notification.status, notification.attempts) == ("sent", 2)


def test_a_worker_killed_whole_mid_send_sends_once_after_it_is_started_again(
    live, client_of, erin, fire_referral
):
    """Main process and pool killed together: the broker gives the unacknowledged task back
    after the visibility timeout; the sweep gives back the lost attempt."""
    notification = one_waiting_message(live, client_of(erin), fire_referral)
    live.mail.stall_before_accepting()
    deliver_notification.delay(notification.pk)
    assert live.mail.stalled.wait(15)
    live.worker.kill()
    assert live.mail.abandoned.wait(10)
    live.mail.release()
    assert live.redis.integer("HLEN", "unacked") == 1  # taken, never acknowledged
    time.sleep(VISIBILITY_TIMEOUT)  # the broker gives it back only after this
    live.worker.start()
    sweep_after_the_attempt_is_stale(live, notification)
    wait_until(lambda: live.mail.accepted, 30, "the message sent by the new worker")
    wait_until(live.redis.idle, 20, "the task to finish")
    notification.refresh_from_db()
    assert live.mail.message_ids() == [message_id(notification)]
    assert (notification.status, notification.attempts) == ("sent", 2)


def test_a_worker_killed_after_the_server_accepted_but_before_the_row_was_marked_sends_twice(
    live, client_of, erin, fire_referral
):
    """The one window the design cannot close: the mail server has accepted the message and
    the worker dies before it records so. The attempt is found cut short and the message sent
    again (SMTP offers no way to ask the server whether it already holds a message), with the
    same Message-ID, so receiving systems can drop the copy."""
    notification = one_waiting_message(live, client_of(erin), fire_referral)
    live.mail.stall_after_accepting()
    deliver_notification.delay(notification.pk)
    assert live.mail.stalled.wait(15)
    live.worker.kill_pool_child()
    assert live.mail.abandoned.wait(10)
    live.mail.release()
    sweep_after_the_attempt_is_stale(live, notification)
    wait_until(lambda: len(live.mail.accepted) == 2, 30, "the message sent again")
    wait_until(live.redis.idle, 20, "the task to finish")
    notification.refresh_from_db()
    assert live.mail.recipients() == ["alice@police.example", "alice@police.example"]
    assert (notification.status, notification.attempts) == ("sent", 2)
    assert live.mail.message_ids() == [notification.message_id] * 2


def test_a_message_being_sent_does_not_hold_up_a_decision_that_notifies_the_same_person(
    live, client_of, erin, alice, board, fire_referral
):
    """While the worker waits on the mail server with alice's message, Fire's decision writes
    another notification for alice: the request must not wait for that send."""
    with transaction.atomic():
        notification_create_many(
            recipients=[alice],
            kind=Notification.Kind.DECISION_RECORDED,
            event_key="earlier-decision",
            subject="An earlier decision",
            link="/register/",
            payload={"title": "An earlier decision"},
            board=board,
        )
    live.mail.stall_before_accepting()
    assert live.mail.stalled.wait(15)
    # Should the request wait for the send after all, the send ends here and the test fails
    # on the time rather than hanging.
    threading.Timer(8, live.mail.release).start()
    elapsed, status = record_decision(client_of(erin), fire_referral)
    live.mail.release()
    assert status == 302
    assert elapsed < 3, f"the page took {elapsed:.1f} s"
    live.quiet(30)
    assert "alice@police.example" in live.mail.recipients()


def test_a_mail_server_refusal_is_retried_and_the_message_sent_once(
    live, client_of, erin, fire_referral
):
    live.mail.fail_next(1, "451 4.3.0 Try again later")
    before = Notification.objects.aggregate(last=Max("pk"))["last"]
    _, status = record_decision(client_of(erin), fire_referral)
    assert status == 302
    rows = Notification.objects.filter(pk__gt=before)
    # The retry waits in the database (a second here), and the sweep queues it when due.
    sweep_until(lambda: not pending().exists(), 30, "the retried message")
    live.quiet(30)
    assert live.mail.refused == 1
    assert live.mail.message_ids() == message_ids_of(rows)
    assert live.mail.recipients() == recipients_of(rows)
    retried = rows.get(attempts=2)
    assert retried.status == "sent" and "451" in retried.last_error
    assert set(rows.exclude(pk=retried.pk).values_list("status", "attempts")) == {("sent", 1)}


def test_a_broker_that_never_answers_does_not_hold_up_a_decision(
    live, client_of, erin, fire_referral
):
    hanging = HangingBroker()
    hanging.start()
    try:
        with broker(hanging.url):
            elapsed, status = record_decision(client_of(erin), fire_referral)
    finally:
        hanging.stop()
    assert status == 302
    assert elapsed < 10, f"the page took {elapsed:.1f} s"
    assert hanging.connections  # the portal did try that broker
    fire_referral.refresh_from_db()
    assert fire_referral.status == "approved"
    assert pending().count() >= 8  # every message left for the sweep
    assert live.mail.accepted == []
