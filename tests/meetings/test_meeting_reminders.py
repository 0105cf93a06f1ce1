from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from meetings.models import Action, Meeting, MeetingInvitation
from meetings.reminders import meeting_reminders_send
from tests.factories import ActionFactory, MeetingFactory, MeetingInvitationFactory

pytestmark = pytest.mark.django_db


def run_at(moment, capture):
    with time_machine.travel(moment), capture(execute=True):
        meeting_reminders_send()


def to(email, words):
    return [m for m in mail.outbox if m.to == [email] and words in m.subject]


@pytest.fixture
def upcoming(board, alice, bob):
    start = timezone.now() + timedelta(days=10)
    meeting = MeetingFactory(
        board=board,
        created_by=alice,
        status=Meeting.Status.SCHEDULED,
        title="Spring meeting",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    MeetingInvitationFactory(meeting=meeting, person=bob)
    return meeting


def test_an_invitee_who_has_not_replied_is_reminded_once_in_the_last_week(
    upcoming, bob, django_capture_on_commit_callbacks
):
    run_at(timezone.now(), django_capture_on_commit_callbacks)  # ten days ahead: too early
    assert to("bob@fire.example", "Please reply") == []
    run_at(upcoming.starts_at - timedelta(days=6), django_capture_on_commit_callbacks)
    run_at(upcoming.starts_at - timedelta(days=5), django_capture_on_commit_callbacks)
    assert len(to("bob@fire.example", "Please reply: Spring meeting")) == 1


def test_no_reminder_once_the_invitee_has_replied(
    upcoming, bob, django_capture_on_commit_callbacks
):
    MeetingInvitation.objects.filter(meeting=upcoming, person=bob).update(
        reply=MeetingInvitation.Reply.ATTENDING
    )
    run_at(upcoming.starts_at - timedelta(days=3), django_capture_on_commit_callbacks)
    assert to("bob@fire.example", "Please reply") == []


def test_an_action_is_reminded_before_it_is_due_and_once_overdue(
    board, alice, bob, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(
        board=board, created_by=alice, status=Meeting.Status.HELD, title="Autumn meeting"
    )
    action = ActionFactory(
        meeting=meeting, owner=bob, due_on=timezone.localdate() + timedelta(days=20)
    )
    day = lambda offset: timezone.now() + timedelta(days=offset)  # noqa: E731
    run_at(day(10), django_capture_on_commit_callbacks)
    assert to("bob@fire.example", "Your action") == []
    run_at(day(14), django_capture_on_commit_callbacks)
    run_at(day(15), django_capture_on_commit_callbacks)
    assert len(to("bob@fire.example", "is due by")) == 1
    run_at(day(22), django_capture_on_commit_callbacks)
    run_at(day(23), django_capture_on_commit_callbacks)
    assert len(to("bob@fire.example", "was due on")) == 1
    Action.objects.filter(pk=action.pk).update(status=Action.Status.DONE)
    mail.outbox.clear()
    run_at(day(30), django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_the_meeting_reminders_run_on_the_beat_schedule(settings):
    assert (
        settings.CELERY_BEAT_SCHEDULE["meeting-reminders"]["task"]
        == "meetings.tasks.send_meeting_reminders"
    )
