"""Minutes drafted: the chair is told, to read and approve them. Minutes approved: every
invitee is told. Each notice is sent once."""

import pytest
from django.core import mail

from meetings import services
from meetings.models import Meeting
from meetings.services import _notify_minutes
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_chair_is_told_once_when_the_minutes_are_drafted(
    held, alice, dave, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_transition(meeting=held, actor=alice, to=Meeting.Status.MINUTES_DRAFTED)
        _notify_minutes(held, Notification.Kind.MINUTES_DRAFTED)
    notices = Notification.objects.filter(kind=Notification.Kind.MINUTES_DRAFTED)
    assert list(notices.values_list("recipient", flat=True)) == [dave.pk]
    sent = [m for m in mail.outbox if m.subject.startswith("Draft minutes to approve")]
    assert [m.to for m in sent] == [[dave.email]]
    assert "ready for you to read and approve as chair" in sent[0].body


def test_every_invitee_is_told_once_when_the_minutes_are_approved(
    held, alice, bob, dave, erin, django_capture_on_commit_callbacks
):
    services.meeting_transition(meeting=held, actor=alice, to=Meeting.Status.MINUTES_DRAFTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_transition(meeting=held, actor=dave, to=Meeting.Status.MINUTES_APPROVED)
        _notify_minutes(held, Notification.Kind.MINUTES_APPROVED)
    told = Notification.objects.filter(kind=Notification.Kind.MINUTES_APPROVED)
    assert sorted(told.values_list("recipient", flat=True)) == sorted(
        [alice.pk, bob.pk, dave.pk, erin.pk]
    )
    sent = [m for m in mail.outbox if m.subject.startswith("Minutes approved")]
    assert len(sent) == 4
