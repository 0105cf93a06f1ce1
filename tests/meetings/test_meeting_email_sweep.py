"""Meeting e-mails are message rows: those whose task never ran (the broker was down when the
change was saved) are queued again by the sweep, and each is still sent exactly once."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from meetings import services as meeting_services
from meetings import tasks
from meetings.models import Meeting, MeetingInvitation
from notifications.models import Notification
from notifications.tasks import sweep_after, sweep_pending_notifications

pytestmark = pytest.mark.django_db


def transition_without_tasks(meeting, actor, to, capture, **kwargs):
    """The change is saved but its queued e-mails are lost, as with Redis down at commit."""
    with capture(execute=False):
        meeting_services.meeting_transition(meeting=meeting, actor=actor, to=to, **kwargs)


def recipients():
    return sorted(message.to[0] for message in mail.outbox)


def sweep_later() -> int:
    """The sweep, once the messages' own tasks have had their time."""
    with time_machine.travel(timezone.now() + sweep_after() + timedelta(seconds=1)):
        return sweep_pending_notifications()


def test_invitations_lost_at_commit_are_sent_once_by_the_sweep(
    meeting, alice, django_capture_on_commit_callbacks
):
    transition_without_tasks(
        meeting, alice, Meeting.Status.SCHEDULED, django_capture_on_commit_callbacks
    )
    assert mail.outbox == []
    rows = Notification.objects.filter(kind=Notification.Message.MEETING_INVITATION)
    assert set(rows.values_list("status", "board")) == {("pending", meeting.board_id)}

    assert sweep_pending_notifications() == 0  # too fresh: their own task may be on its way
    assert sweep_later() == 3
    assert recipients() == ["alice@police.example", "bob@fire.example", "dave@police.example"]
    assert all("invitation.ics" in [a[0] for a in m.attachments] for m in mail.outbox)
    assert set(MeetingInvitation.objects.values_list("sequence_sent", flat=True)) == {0}

    assert sweep_later() == 0
    assert len(mail.outbox) == 3


def test_an_update_lost_at_commit_is_swept_with_the_new_sequence(
    client_of, meeting, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_transition(
            meeting=meeting, actor=alice, to=Meeting.Status.SCHEDULED
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False):
        meeting_services.meeting_update(
            meeting=meeting,
            title=meeting.title,
            starts_at=meeting.starts_at + timedelta(days=7),
            ends_at=meeting.ends_at + timedelta(days=7),
            venue="Leek Wootton",
            online_link="",
        )

    assert sweep_later() == 3
    assert len(mail.outbox) == 3
    assert set(MeetingInvitation.objects.values_list("sequence_sent", flat=True)) == {1}
    assert Notification.objects.filter(kind="meeting_update", status="sent").count() == 3


def test_an_invitation_overtaken_by_a_later_change_is_not_sent(
    meeting, alice, django_capture_on_commit_callbacks
):
    transition_without_tasks(
        meeting, alice, Meeting.Status.SCHEDULED, django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=False):
        meeting_services.meeting_update(
            meeting=meeting,
            title="Moved",
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            venue=meeting.venue,
            online_link="",
        )
    sweep_later()
    # Only the update goes out (it is the whole invitation, with the later SEQUENCE).
    assert len(mail.outbox) == 3
    statuses = dict(
        Notification.objects.filter(kind__startswith="meeting_")
        .values_list("kind", "status")
        .distinct()
    )
    assert statuses == {"meeting_invitation": "not_needed", "meeting_update": "sent"}


def test_a_lost_cancellation_is_swept_once(meeting, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_transition(
            meeting=meeting, actor=alice, to=Meeting.Status.SCHEDULED
        )
    mail.outbox.clear()
    transition_without_tasks(
        meeting,
        alice,
        Meeting.Status.CANCELLED,
        django_capture_on_commit_callbacks,
        reason="The venue is closed.",
    )

    assert sweep_later() == 3
    assert all("cancellation.ics" in [a[0] for a in m.attachments] for m in mail.outbox)
    assert sweep_later() == 0
    assert len(mail.outbox) == 3


def test_a_lost_papers_notice_is_a_notification_left_for_the_sweep(
    meeting, alice, dave, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_transition(
            meeting=meeting, actor=alice, to=Meeting.Status.SCHEDULED
        )
    meeting_services.agenda_sign_off(meeting=meeting, actor=dave)
    mail.outbox.clear()
    transition_without_tasks(
        meeting, alice, Meeting.Status.PAPERS_PUBLISHED, django_capture_on_commit_callbacks
    )
    notices = Notification.objects.filter(kind=Notification.Kind.PAPERS_PUBLISHED)
    assert notices.count() == 3 and mail.outbox == []

    assert sweep_later() == 3
    assert len(mail.outbox) == 3
    assert all(m.subject.startswith("Papers published:") for m in mail.outbox)
    assert sweep_later() == 0


def test_calendar_e_mails_are_in_the_boards_message_log(
    client_of, meeting, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_transition(
            meeting=meeting, actor=alice, to=Meeting.Status.SCHEDULED
        )
    page = client_of(alice).get(f"/boards/{meeting.board.slug}/messages/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count(f"Invitation: {meeting.title}") == 3


def test_a_duplicate_task_after_sending_sends_nothing(published):
    invitation = MeetingInvitation.objects.filter(meeting=published).first()
    tasks.send_meeting_invitation(invitation.pk, published.sequence)
    tasks.send_meeting_invitation(invitation.pk, published.sequence)
    assert len(mail.outbox) == 1


def test_the_message_sweep_runs_every_minute(settings):
    from bluelight.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE["sweep-pending-notifications"]
    assert schedule["task"] == "notifications.tasks.sweep_pending_notifications"
    assert schedule["task"] in app.tasks
    assert schedule["schedule"] == 60
    assert "sweep-meeting-emails" not in settings.CELERY_BEAT_SCHEDULE


def test_the_sweep_asks_the_broker_once_for_every_message(
    meeting, alice, django_capture_on_commit_callbacks, monkeypatch
):
    from core import enqueue
    from notifications import tasks as notification_tasks

    transition_without_tasks(
        meeting, alice, Meeting.Status.SCHEDULED, django_capture_on_commit_callbacks
    )
    asked = []

    def refused(*args):
        asked.append(args)
        return None  # what queuing answers when the broker cannot be reached

    monkeypatch.setattr(notification_tasks.deliver_notifications, "delay", refused)
    enqueue.broker_failure_forget()
    try:
        assert sweep_later() == 0
    finally:
        enqueue.broker_failure_forget()
    assert len(asked) == 1  # one message to the broker for all three
    assert mail.outbox == []
    assert Notification.objects.filter(status="pending").count() == 3


def test_a_pack_build_lost_at_commit_is_queued_by_the_pdf_sweep(
    published, monkeypatch, django_capture_on_commit_callbacks
):
    built = []
    monkeypatch.setattr(tasks, "agenda_pack_store", lambda **kwargs: built.append(kwargs))
    with django_capture_on_commit_callbacks(execute=False):  # the broker never got the task
        meeting_services.pack_request_build(meeting=published)
    published.refresh_from_db()
    assert published.pack_state == Meeting.FileState.BUILDING
    assert tasks.sweep_meeting_pdfs() == 0  # its own task may still be on the way
    with time_machine.travel(timezone.now() + sweep_after() + timedelta(seconds=1)):
        assert tasks.sweep_meeting_pdfs() == 1
        assert tasks.sweep_meeting_pdfs() == 0  # queued once, not every minute
    assert built == [{"meeting_id": published.pk, "generation": published.pack_generation}]
