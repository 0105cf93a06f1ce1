"""Every change to a meeting is an audit event on the meeting: scheduling, moving, cancelling,
publishing, sign-off, attendance, minutes edited and approved, invitations."""

from datetime import timedelta

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from meetings import services
from meetings.models import Meeting, MeetingInvitation
from tests.meetings.helpers import time_boxes

pytestmark = pytest.mark.django_db


def verbs(meeting):
    return list(AuditEvent.objects.for_subject(meeting).values_list("verb", flat=True))


def test_creating_a_meeting_is_recorded(client_of, alice, board):
    starts = "2027-03-01T10:00"
    client_of(alice).post(
        reverse("meeting_create", kwargs={"slug": board.slug}),
        {
            "title": "Spring meeting",
            **time_boxes("starts_at", starts),
            **time_boxes("ends_at", "2027-03-01T12:00"),
            "venue": "Shire Hall, Warwick",
            "online_link": "",
        },
    )
    meeting = Meeting.objects.get(title="Spring meeting")
    assert verbs(meeting) == ["meeting.created"]
    assert AuditEvent.objects.get(verb="meeting.created").actor == alice


def test_scheduling_moving_and_cancelling_are_recorded(meeting, alice, dave):
    services.agenda_sign_off(meeting=meeting, actor=dave)
    services.meeting_transition(meeting=meeting, actor=alice, to=Meeting.Status.SCHEDULED)
    services.meeting_update(
        meeting=meeting,
        actor=alice,
        title=meeting.title,
        starts_at=meeting.starts_at + timedelta(days=1),
        ends_at=meeting.ends_at + timedelta(days=1),
        venue="Fire HQ",
        online_link="",
    )
    services.meeting_transition(
        meeting=meeting, actor=alice, to=Meeting.Status.CANCELLED, reason="No business"
    )
    assert verbs(meeting) == [
        "meeting.cancelled",
        "meeting.changed",
        "meeting.scheduled",
        "meeting.agenda_signed_off",
    ]
    moved = AuditEvent.objects.get(verb="meeting.changed")
    assert moved.before["venue"] != "Fire HQ" and moved.after["venue"] == "Fire HQ"
    assert AuditEvent.objects.get(verb="meeting.cancelled").after["reason"] == "No business"


def test_attendance_minutes_and_approval_are_recorded(held, alice, bob, dave):
    invitation = MeetingInvitation.objects.get(meeting=held, person=bob)
    services.attendance_record(
        meeting=held,
        attendance={invitation.pk: MeetingInvitation.Attendance.PRESENT},
        actor=alice,
    )
    item = held.items.get()
    services.minutes_save(item=item, text="Agreed to share the estate.", actor=alice)
    services.meeting_transition(meeting=held, actor=alice, to=Meeting.Status.MINUTES_DRAFTED)
    services.meeting_transition(meeting=held, actor=dave, to=Meeting.Status.MINUTES_APPROVED)
    assert verbs(held)[:4] == [
        "meeting.minutes_approved",
        "meeting.minutes_drafted",
        "meeting.minutes_edited",
        "meeting.attendance",
    ]
    edited = AuditEvent.objects.get(verb="meeting.minutes_edited")
    assert edited.after["minutes"] == "Agreed to share the estate."
    assert AuditEvent.objects.get(verb="meeting.minutes_approved").actor == dave


def test_an_added_invitee_is_recorded(published, alice, frank):
    services.invitee_add(meeting=published, person=frank, actor=alice)
    event = AuditEvent.objects.get(verb="meeting.invitee_added")
    assert event.actor == alice and "Frank Ford" in event.summary


def test_minutes_and_an_action_moved_on_are_each_one_event_on_the_meeting(held, alice, bob):
    from tests.factories import ActionFactory

    item = held.items.get()
    action = ActionFactory(meeting=held, owner=bob)
    already = AuditEvent.objects.count()
    services.minutes_save(item=item, text="Agreed to share the estate.", actor=alice)
    services.action_set_status(action=action, status="done", actor=bob)
    events = list(AuditEvent.objects.order_by("pk")[already:])
    assert [(event.subject, event.verb) for event in events] == [
        (held, "meeting.minutes_edited"),
        (held, "meeting.action_status"),
    ]
    assert events[0].after == {"item": item.pk, "minutes": "Agreed to share the estate."}
    assert events[1].before == {"action": action.pk, "status": "Open"}
    assert events[1].after == {"action": action.pk, "status": "Done"}


def test_an_agenda_item_changed_is_one_event_naming_what_changed(meeting, alice):
    item = meeting.items.get()
    already = AuditEvent.objects.count()
    item.presenter = "Chief Fire Officer"
    services.agenda_item_save(item=item, actor=alice)
    [event] = AuditEvent.objects.order_by("pk")[already:]
    assert (event.subject, event.verb) == (meeting, "meeting.agenda_item_changed")
    assert event.after == {"item": item.pk, "presenter": "Chief Fire Officer"}
    assert event.at == item.updated_at
