from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from core import caching
from notifications.models import Notification
from notifications.tasks import MAX_ATTEMPTS, deliver_notification, sweep_pending_notifications
from opportunities import services
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db


def test_notifications_are_rows_written_with_the_change_and_sent_after_commit(
    assessed, record, alice, police, fire, erin, pat, django_capture_on_commit_callbacks
):
    recommendation = record(assessed, [police, fire])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.recommendation_send(recommendation=recommendation, actor=alice)
        assert Notification.objects.filter(status="pending").count() == 2
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(status="sent").count() == 2


def test_a_task_that_runs_twice_sends_once(
    assessed, record, alice, police, pat, django_capture_on_commit_callbacks
):
    recommendation = record(assessed, [police])
    with django_capture_on_commit_callbacks(execute=True):
        services.recommendation_send(recommendation=recommendation, actor=alice)
    notification = Notification.objects.get()
    deliver_notification.delay(notification.pk)
    deliver_notification(notification.pk)
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 1)


def test_notifying_the_same_event_twice_creates_no_second_message(
    referred, fire, erin, django_capture_on_commit_callbacks
):
    from notifications.services import notification_create_many

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notification_create_many(
                recipients=[erin],
                kind="referral_sent",
                event_key="referral-sent:test",
                subject="s",
                link="/",
                payload={
                    "board": "b",
                    "reference": "r",
                    "title": "t",
                    "executive_body": "e",
                    "body": "b",
                    "due_on": "d",
                    "wording": "w",
                },
            )
    assert Notification.objects.filter(event_key="referral-sent:test").count() == 1
    assert sum(1 for m in mail.outbox if m.subject == "s") == 1


def test_a_mail_server_error_is_recorded_and_retried(
    assessed, record, alice, police, pat, monkeypatch, django_capture_on_commit_callbacks
):
    recommendation = record(assessed, [police])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.recommendation_send(recommendation=recommendation, actor=alice)
    notification = Notification.objects.get()

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("notifications.tasks.send_templated_email", refuse)
    next(job for job in callbacks if not caching.is_version_renewal(job))()
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("pending", 1)
    assert "mail server down" in notification.last_error
    # The retry waits in the database, not in the broker: the sweep sends it once it is due.
    due = notification.next_attempt_at
    assert due > timezone.now()
    monkeypatch.undo()
    with time_machine.travel(due - timedelta(seconds=1)):
        assert sweep_pending_notifications() == 0
    with time_machine.travel(due + timedelta(seconds=1)):
        assert sweep_pending_notifications() == 1
    notification.refresh_from_db()
    assert notification.status == "sent" and len(mail.outbox) == 1
    assert notification.attempts == 2


def test_nobody_outside_the_referral_hears_of_it(
    referred, fire, erin, pat, cara, charlie, bob, django_capture_on_commit_callbacks
):
    recipients = set(Notification.objects.values_list("recipient__email", flat=True))
    assert recipients == {"erin@fire.example", "pat@police.example", "cara@council.example"}
    assert not Notification.objects.filter(recipient__in=[charlie, bob]).exists()
    erin_notice = Notification.objects.get(recipient=erin)
    assert erin_notice.link == referral_for(referred, fire).get_absolute_url()
    decide(referral_for(referred, fire), erin)
    assert not Notification.objects.filter(recipient=charlie).exists()


def test_the_sweep_sends_what_a_broker_outage_left_pending_exactly_once(
    assessed, record, alice, police, pat, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from notifications.tasks import sweep_pending_notifications

    recommendation = record(assessed, [police])
    with django_capture_on_commit_callbacks(execute=False):  # the broker never got the task
        services.recommendation_send(recommendation=recommendation, actor=alice)
    assert sweep_pending_notifications() == 0  # too fresh: its task may still be on the way
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert sweep_pending_notifications() == 1
        assert sweep_pending_notifications() == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.get().status == "sent"


def test_a_message_that_keeps_failing_is_marked_failed(
    assessed, record, alice, police, pat, monkeypatch, django_capture_on_commit_callbacks
):
    recommendation = record(assessed, [police])
    with django_capture_on_commit_callbacks(execute=False):
        services.recommendation_send(recommendation=recommendation, actor=alice)
    notification = Notification.objects.get()

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("notifications.tasks.send_templated_email", refuse)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        Notification.objects.filter(pk=notification.pk).update(next_attempt_at=None)
        sweep_pending_notifications()
        notification.refresh_from_db()
        assert notification.attempts == attempt
    assert notification.status == "failed"
    assert notification.next_attempt_at is None
    assert "mail server down" in notification.last_error
    assert mail.outbox == []


def test_a_message_queued_again_by_the_sweep_is_given_up_after_the_same_attempts(
    assessed, record, alice, police, pat, monkeypatch, django_capture_on_commit_callbacks
):
    """The row counts the attempts, whoever queued them."""
    recommendation = record(assessed, [police])
    with django_capture_on_commit_callbacks(execute=False):
        services.recommendation_send(recommendation=recommendation, actor=alice)
    notification = Notification.objects.get()
    Notification.objects.filter(pk=notification.pk).update(attempts=MAX_ATTEMPTS - 1)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("notifications.tasks.send_templated_email", refuse)
    deliver_notification.apply(args=(notification.pk,))
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("failed", 6)


def test_the_sweep_runs_on_the_beat_schedule(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["sweep-pending-notifications"]
    assert schedule["task"] == "notifications.tasks.sweep_pending_notifications"
    assert schedule["schedule"] == 60
