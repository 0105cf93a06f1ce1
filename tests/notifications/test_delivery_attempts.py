"""Exactly once where the protocol allows: each attempt is recorded before the mail server is
asked, the message is marked sent only by the attempt that sent it, and a message left
"sending" by a lost attempt is sent again, with the same Message-ID, only if no later attempt
has taken it."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from core import enqueue
from notifications import tasks
from notifications.models import Notification

from .helpers import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(bob, board, django_capture_on_commit_callbacks):
    """A notice for bob, written but not yet sent (its task never ran)."""
    with django_capture_on_commit_callbacks(execute=False):
        notify([bob], 1, board=board)
    return Notification.objects.get()


def test_the_attempt_is_recorded_before_the_mail_server_is_asked(waiting, monkeypatch):
    seen = {}

    def send(**kwargs):
        row = Notification.objects.get(pk=waiting.pk)
        seen.update(status=row.status, attempt=row.attempt_id, header=kwargs["headers"])

    monkeypatch.setattr(tasks, "send_templated_email", send)
    tasks.deliver_notification(waiting.pk)
    waiting.refresh_from_db()
    assert seen["status"] == "sending" and seen["attempt"] is not None
    assert seen["header"] == {"Message-ID": waiting.message_id}
    assert waiting.message_id == f"<notification-{waiting.pk}@portal.example.org>"
    assert (waiting.status, waiting.attempts, waiting.attempt_id) == ("sent", 1, seen["attempt"])


def cut_short(row: Notification, minutes_ago: int = 10) -> uuid.UUID:
    """As a worker killed (or cut off from the database) after claiming the row leaves it."""
    attempt = uuid.uuid4()
    Notification.objects.filter(pk=row.pk).update(
        status="sending",
        attempt_id=attempt,
        attempts=1,
        attempt_started_at=timezone.now() - timedelta(minutes=minutes_ago),
        message_id=tasks.message_id(row),
    )
    return attempt


def test_a_message_left_sending_is_sent_again_with_the_same_message_id(waiting):
    cut_short(waiting)
    assert tasks.sweep_pending_notifications() == 1
    [message] = mail.outbox
    waiting.refresh_from_db()
    assert message.extra_headers["Message-ID"] == waiting.message_id
    assert (waiting.status, waiting.attempts) == ("sent", 2)
    assert "cut short" in waiting.last_error


def test_a_message_still_within_its_attempts_time_is_left_alone(waiting):
    cut_short(waiting, minutes_ago=1)
    assert tasks.sweep_pending_notifications() == 0
    assert mail.outbox == []
    assert Notification.objects.get().status == "sending"


def test_a_lost_attempt_is_not_given_back_once_a_later_attempt_holds_the_row(waiting, monkeypatch):
    """The sweep read the lost attempt, but before it gave the row back a later attempt took
    it (and may have sent it): the sweep leaves the row to that attempt."""
    lost = cut_short(waiting)
    later = uuid.uuid4()
    real_filter = Notification.objects.filter

    def a_later_attempt_meanwhile(*args, **kwargs):
        if kwargs.get("attempt_id") == lost:
            real_filter(pk=waiting.pk).update(attempt_id=later, status="sent")
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Notification.objects, "filter", a_later_attempt_meanwhile)
    tasks.sweep_pending_notifications()
    monkeypatch.undo()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempt_id) == ("sent", later)
    assert mail.outbox == []


def test_a_finished_attempt_does_not_overwrite_a_later_one(waiting, monkeypatch):
    """An attempt that outlived its time (and was replaced) must not mark the row at its end."""

    def send(**kwargs):
        Notification.objects.filter(pk=waiting.pk).update(attempt_id=uuid.uuid4())

    monkeypatch.setattr(tasks, "send_templated_email", send)
    tasks.deliver_notification(waiting.pk)
    waiting.refresh_from_db()
    assert waiting.status == "sending"  # still the later attempt's to record


def test_a_message_cut_short_too_often_is_marked_failed(waiting):
    cut_short(waiting)
    Notification.objects.filter(pk=waiting.pk).update(attempts=tasks.MAX_ATTEMPTS)
    tasks.sweep_pending_notifications()
    waiting.refresh_from_db()
    assert waiting.status == "failed" and "cut short" in waiting.last_error
    assert mail.outbox == []


def test_losing_the_database_after_sending_is_recorded_once_it_is_back(waiting, monkeypatch):
    """The connection drops as the worker records the message sent: it reconnects and records
    it, so the message is not sent again."""
    real_update = tasks._this_attempt
    failures = [OperationalError("server closed the connection unexpectedly")]

    def flaky(notification):
        if failures:
            raise failures.pop()
        return real_update(notification)

    monkeypatch.setattr(tasks, "_this_attempt", flaky)
    monkeypatch.setattr(tasks.connection, "close", lambda: None)  # the test's own transaction
    monkeypatch.setattr(tasks.time, "sleep", lambda seconds: None)
    tasks.deliver_notification(waiting.pk)
    waiting.refresh_from_db()
    assert waiting.status == "sent" and len(mail.outbox) == 1


def test_a_new_message_is_taken_by_the_sweep_only_after_its_own_task_had_its_time(waiting):
    assert tasks.sweep_pending_notifications() == 0
    with time_machine.travel(timezone.now() + tasks.sweep_after() + timedelta(seconds=1)):
        assert tasks.sweep_pending_notifications() == 1
    assert len(mail.outbox) == 1


def test_a_swept_message_waiting_for_a_worker_is_not_queued_again_by_the_next_sweep(
    waiting, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks, "queue_deliveries", lambda ids: queued.append(ids) or len(ids))
    later = timezone.now() + tasks.sweep_after() + timedelta(seconds=1)
    with time_machine.travel(later):
        tasks.sweep_pending_notifications()
    with time_machine.travel(later + tasks.sweep_after() / 2):
        tasks.sweep_pending_notifications()
    assert queued == [[waiting.pk], []]


def test_after_a_broker_failure_a_request_asks_the_broker_no_more():
    """However long the request goes on (the process's own back-off has passed), the rest of
    its messages are left to the sweep."""
    asked = []

    class Refusing:
        def delay(self, *args):
            asked.append(args)
            return None

    enqueue.broker_failure_forget()
    try:
        with enqueue.broker_attempts_for_request():
            assert not enqueue.enqueue(Refusing(), 1)
            enqueue._process_failed_at = None  # as if the process's back-off had passed
            assert not enqueue.enqueue(Refusing(), 2)
            assert not enqueue.enqueue(Refusing(), 3)
    finally:
        enqueue.broker_failure_forget()
    assert asked == [(1,)]
