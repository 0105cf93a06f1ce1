"""Delivery proof with real processes: our own redis-server, an SMTP server and a Celery worker.

The worker (`celery -A bluelight worker`, concurrency 1) reads the committed rows of the test
database and sends through the mail server, which counts the messages it accepted. Every
count below is what that server received.
"""

import os
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import F, Max
from django.urls import reverse

from boards.models import BoardMembership
from notifications import tasks as notification_tasks
from notifications.models import Notification
from notifications.services import notification_create_many
from notifications.tasks import deliver_notification, message_id, sweep_pending_notifications
from tests.factories import MembershipFactory, UserFactory
from tests.opportunities.helpers import decide, referral_for

from .servers import HangingBroker, MailServer, RedisServer, Worker, broker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# The worker is told to give an unacknowledged task back after this many seconds (2 h in
# production), so that a task taken by a worker that was then killed comes back within the test.
VISIBILITY_TIMEOUT = 2


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mail_server():
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def worker(django_db_setup, redis_server, mail_server, tmp_path_factory):
    db = connection.settings_dict  # the test database, once django_db_setup has made it
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bluelight.settings",
        "BLUELIGHT_ENV": "development",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}"
        f"/{db['NAME']}",
        "REDIS_URL": redis_server.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail_server.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_TIMEOUT": "20",
        "NOTIFICATION_RETRY_SECONDS": "1",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "SITE_URL": "https://portal.example.org",
        "LOG_LEVEL": "INFO",
    }
    process = Worker(env, tmp_path_factory.mktemp("worker") / "worker")
    process.start()
    yield process
    process.stop()


@pytest.fixture
def fire_referral(referred, board, police, council, fire, pat, cara):
    """Fire's referral, the last undecided: its decision settles the outcome and tells the
    whole board, so one decision writes many messages (six more members than the fixtures)."""
    decide(referral_for(referred, police), pat)
    decide(referral_for(referred, council), cara)
    for n in range(6):
        person = UserFactory(full_name=f"Member {n}", email=f"member{n}@fire.example")
        MembershipFactory(person=person, board=board, role=BoardMembership.Role.MEMBER)
    return referral_for(referred, fire)


class Live:
    def __init__(self, redis_server, mail_server, worker):
        self.redis, self.worker = redis_server, worker
        self.mail = mail_server.handler

    def quiet(self, timeout: float = 20) -> None:
        """Wait until no task is queued or running and no message is waiting to be sent."""
        wait_until(
            lambda: self.redis.idle() and not pending().exists(), timeout, "the worker to finish"
        )


@pytest.fixture
def live(transactional_db, fire_referral, redis_server, mail_server, worker):
    """From here on, tasks go through our Redis to the worker (the fixtures above ran in-process
    and their messages are sent already)."""
    if not redis_server.ping():
        redis_server.start()
    if not worker.running():
        worker.start()
    mail_server.handler.reset()
    notification_tasks._broker_failed_at = None
    with broker(redis_server.url):
        yield Live(redis_server, mail_server, worker)
    mail_server.handler.release()
    notification_tasks._broker_failed_at = None


def pending():
    return Notification.objects.filter(status=Notification.Status.PENDING)


def record_decision(client, referral) -> tuple[float, int]:
    """POST the executive's decision on the referral page; the seconds it took and the status."""
    started = time.monotonic()
    response = client.post(
        reverse("referral_detail", kwargs={"pk": referral.pk}),
        {"outcome": "approved", "reference": "FRA/7", "notes": "", "revision": referral.revision},
    )
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
    # As if the sweep came round SWEEP_AFTER later: it leaves fresher rows to their own tasks.
    pending().update(created_at=F("created_at") - timedelta(minutes=6))
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


def test_a_worker_killed_mid_send_before_the_server_accepted_sends_once_when_requeued(
    live, client_of, erin, fire_referral
):
    """The pool process dies (kill -9) while the mail server holds the message: its database
    transaction rolls back, the worker hands the task back (reject_on_worker_lost) and the
    next pool process sends it."""
    notification = one_waiting_message(live, client_of(erin), fire_referral)
    live.mail.stall_before_accepting()
    deliver_notification.delay(notification.pk)
    assert live.mail.stalled.wait(15)
    live.worker.kill_pool_child()
    assert live.mail.abandoned.wait(10)
    live.mail.release()
    wait_until(lambda: live.mail.accepted, 30, "the message sent again")
    wait_until(live.redis.idle, 20, "the task to finish")
    notification.refresh_from_db()
    assert live.mail.message_ids() == [message_id(notification)]
    # The killed attempt was rolled back with its transaction: one attempt on record.
    assert (notification.status, notification.attempts) == ("sent", 1)


def test_a_worker_killed_whole_mid_send_sends_once_after_it_is_started_again(
    live, client_of, erin, fire_referral
):
    """Main process and pool killed together: nobody is left to hand the task back, so the
    broker does, once the visibility timeout has passed (acks_late kept it unacknowledged)."""
    notification = one_waiting_message(live, client_of(erin), fire_referral)
    live.mail.stall_before_accepting()
    deliver_notification.delay(notification.pk)
    assert live.mail.stalled.wait(15)
    live.worker.kill()
    assert live.mail.abandoned.wait(10)
    live.mail.release()
    assert live.redis.integer("HLEN", "unacked") == 1  # taken, never acknowledged
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("pending", 0)
    time.sleep(VISIBILITY_TIMEOUT)  # the broker gives it back only after this
    live.worker.start()
    wait_until(lambda: live.mail.accepted, 30, "the message sent by the new worker")
    wait_until(live.redis.idle, 20, "the task to finish")
    notification.refresh_from_db()
    assert live.mail.message_ids() == [message_id(notification)]
    assert (notification.status, notification.attempts) == ("sent", 1)


def test_a_worker_killed_after_the_server_accepted_but_before_the_row_was_marked_sends_twice(
    live, client_of, erin, fire_referral
):
    """The window the design cannot close: the mail server has accepted the message, the
    worker dies before it hears so and before its transaction marks the row sent. The row is
    still pending, so the message is sent again: delivery is at least once, not exactly once
    (SMTP offers no way to ask the server whether it already holds a message)."""
    notification = one_waiting_message(live, client_of(erin), fire_referral)
    live.mail.stall_after_accepting()
    deliver_notification.delay(notification.pk)
    assert live.mail.stalled.wait(15)
    live.worker.kill_pool_child()
    assert live.mail.abandoned.wait(10)
    live.mail.release()
    wait_until(lambda: len(live.mail.accepted) == 2, 30, "the message sent again")
    wait_until(live.redis.idle, 20, "the task to finish")
    notification.refresh_from_db()
    assert live.mail.recipients() == ["alice@police.example", "alice@police.example"]
    assert (notification.status, notification.attempts) == ("sent", 1)
    # Both copies say they are the same message, so mail systems can recognise the second.
    assert live.mail.message_ids() == [message_id(notification)] * 2


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
