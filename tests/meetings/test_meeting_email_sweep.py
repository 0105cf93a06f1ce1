"""Meeting e-mails whose task never ran (the broker was down when the change was saved) are
queued again by the sweep, and each is still sent exactly once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from meetings import services as meeting_services
from meetings import tasks
from meetings.models import Meeting, MeetingInvitation

pytestmark = pytest.mark.django_db


def transition_without_tasks(meeting, actor, to, capture, **kwargs):
    """The change is saved but its queued e-mails are lost, as with Redis down at commit."""
    with capture(execute=False):
        meeting_services.meeting_transition(meeting=meeting, actor=actor, to=to, **kwargs)


def recipients():
    return sorted(message.to[0] for message in mail.outbox)


def test_invitations_lost_at_commit_are_sent_once_by_the_sweep(
    meeting, alice, django_capture_on_commit_callbacks
):
    transition_without_tasks(
        meeting, alice, Meeting.Status.SCHEDULED, django_capture_on_commit_callbacks
    )
    assert mail.outbox == []

    assert tasks.sweep_meeting_emails() == 3
    assert recipients() == ["alice@police.example", "bob@fire.example", "dave@police.example"]
    assert all("invitation.ics" in [a[0] for a in m.attachments] for m in mail.outbox)

    assert tasks.sweep_meeting_emails() == 0
    assert len(mail.outbox) == 3


def test_an_update_owed_after_a_change_is_swept_with_the_new_sequence(
    meeting, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_transition(
            meeting=meeting, actor=alice, to=Meeting.Status.SCHEDULED
        )
    mail.outbox.clear()
    Meeting.objects.filter(pk=meeting.pk).update(sequence=1)

    assert tasks.sweep_meeting_emails() == 3
    assert len(mail.outbox) == 3
    assert set(MeetingInvitation.objects.values_list("sequence_sent", flat=True)) == {1}


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

    assert tasks.sweep_meeting_emails() == 3
    assert all("cancellation.ics" in [a[0] for a in m.attachments] for m in mail.outbox)
    assert tasks.sweep_meeting_emails() == 0
    assert len(mail.outbox) == 3


def test_a_lost_papers_notice_is_a_notification_left_for_the_sweep(
    meeting, alice, dave, django_capture_on_commit_callbacks
):
    from notifications.models import Notification
    from notifications.tasks import SWEEP_AFTER, sweep_pending_notifications

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

    notices.update(created_at=timezone.now() - SWEEP_AFTER - timedelta(minutes=1))
    assert sweep_pending_notifications() == 3
    assert len(mail.outbox) == 3
    assert all(m.subject.startswith("Papers published:") for m in mail.outbox)
    assert sweep_pending_notifications() == 0


def test_drafts_and_meetings_already_over_are_left_alone(meeting, published, held):
    draft = Meeting.objects.create(
        board=meeting.board,
        title="Draft meeting",
        starts_at=timezone.now() + timedelta(days=20),
        ends_at=timezone.now() + timedelta(days=20, hours=2),
        venue="Shire Hall, Warwick",
        created_by=meeting.created_by,
    )
    MeetingInvitation.objects.create(meeting=draft, person=meeting.created_by)

    assert tasks.sweep_meeting_emails() == 0
    assert mail.outbox == []


def test_a_duplicate_task_after_sending_sends_nothing(published):
    invitation = MeetingInvitation.objects.filter(meeting=published).first()
    tasks.send_meeting_invitation(invitation.pk, published.sequence)
    tasks.send_meeting_invitation(invitation.pk, published.sequence)
    assert len(mail.outbox) == 1


def test_the_meeting_sweep_runs_on_the_beat_schedule(settings):
    from bluelight.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE["sweep-meeting-emails"]
    assert schedule["task"] == "meetings.tasks.sweep_meeting_emails"
    assert schedule["task"] in app.tasks
    assert schedule["schedule"] <= 10 * 60


def test_the_sweep_stops_at_the_first_message_the_broker_refuses(
    meeting, alice, django_capture_on_commit_callbacks, monkeypatch
):
    transition_without_tasks(
        meeting, alice, Meeting.Status.SCHEDULED, django_capture_on_commit_callbacks
    )
    asked = []

    def refused(*args):
        asked.append(args)
        return None  # what queuing answers when the broker cannot be reached

    monkeypatch.setattr(tasks.send_meeting_invitation, "delay", refused)
    assert tasks.sweep_meeting_emails() == 0
    assert len(asked) == 1  # not once per owed message
    assert mail.outbox == []
