"""Scheduling e-mails each invitee an .ics invitation; a change sends an update and a
cancellation a CANCEL, all for the same calendar event (same UID, rising SEQUENCE)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from meetings import services as meeting_services
from meetings.models import Meeting, MeetingInvitation
from notifications.models import Notification
from tests.check_answers import post_and_confirm
from tests.meetings.helpers import opened, time_boxes

pytestmark = pytest.mark.django_db


def ics_of(message):
    (attachment,) = [a for a in message.attachments if a[0].endswith(".ics")]
    _name, content, mimetype = attachment
    calendar = Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    return calendar, event, mimetype


def schedule(meeting, alice, capture):
    with capture(execute=True):
        meeting_services.meeting_transition(
            meeting=meeting, actor=alice, to=Meeting.Status.SCHEDULED
        )


def test_each_invitee_gets_an_email_with_a_valid_ics_invitation(
    meeting, alice, bob, django_capture_on_commit_callbacks
):
    schedule(meeting, alice, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@police.example",
        "bob@fire.example",
        "dave@police.example",
    ]
    message = next(m for m in mail.outbox if m.to == ["bob@fire.example"])
    assert "Winter meeting" in message.subject
    assert f"/meetings/{meeting.pk}/reply/?answer=attending" in message.body
    calendar, event, mimetype = ics_of(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert "method=REQUEST" in mimetype
    assert str(event["UID"]) == f"meeting-{meeting.uid}@bluelight"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)
    assert str(event["LOCATION"]) == "Shire Hall, Warwick"
    assert "bob@fire.example" in str(event["ATTENDEE"])


def test_nothing_is_sent_before_the_transaction_commits(
    meeting, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        meeting_services.meeting_transition(
            meeting=meeting, actor=alice, to=Meeting.Status.SCHEDULED
        )
    assert mail.outbox == []
    # One row per invitee, written with the change, all queued by one callback after commit.
    assert Notification.objects.filter(kind="meeting_invitation", status="pending").count() == 3
    assert len(callbacks) == 1


def test_moving_the_meeting_sends_an_update_of_the_same_event(
    client_of, meeting, alice, django_capture_on_commit_callbacks
):
    schedule(meeting, alice, django_capture_on_commit_callbacks)
    _, first, _ = ics_of(mail.outbox[0])
    mail.outbox.clear()
    later = meeting.starts_at + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(alice).post(
            reverse("meeting_edit", kwargs={"pk": meeting.pk}),
            opened(
                meeting,
                {
                    "title": meeting.title,
                    **time_boxes("starts_at", later.strftime("%Y-%m-%dT%H:%M")),
                    **time_boxes(
                        "ends_at", (later + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
                    ),
                    "venue": "Leek Wootton",
                    "online_link": "",
                },
            ),
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 3
    assert mail.outbox[0].subject.startswith("Changed:")
    calendar, event, _ = ics_of(mail.outbox[0])
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == str(first["UID"])
    assert int(event["SEQUENCE"]) == 1
    assert str(event["LOCATION"]) == "Leek Wootton"


def test_cancelling_sends_a_cancel_for_the_same_event_with_the_reason(
    client_of, meeting, alice, django_capture_on_commit_callbacks
):
    schedule(meeting, alice, django_capture_on_commit_callbacks)
    _, first, _ = ics_of(mail.outbox[0])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post_and_confirm(
            client_of(alice),
            reverse("meeting_cancel", kwargs={"pk": meeting.pk}),
            {"reason": "Too few bodies can attend."},
        )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert len(mail.outbox) == 3
    message = mail.outbox[0]
    assert message.subject.startswith("Cancelled:")
    assert "Too few bodies can attend." in message.body
    calendar, event, mimetype = ics_of(message)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert "method=CANCEL" in mimetype
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == str(first["UID"])
    assert int(event["SEQUENCE"]) > int(first["SEQUENCE"])


def test_a_retried_task_does_not_send_twice(meeting, alice, django_capture_on_commit_callbacks):
    from meetings import tasks

    schedule(meeting, alice, django_capture_on_commit_callbacks)
    invitation = MeetingInvitation.objects.get(meeting=meeting, person__email="bob@fire.example")
    count = len(mail.outbox)
    tasks.send_meeting_invitation(invitation.pk, 0)
    assert len(mail.outbox) == count


def test_a_guest_is_invited_and_told(
    client_of, meeting, alice, erin, django_capture_on_commit_callbacks
):
    schedule(meeting, alice, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(alice).post(
            reverse("invitee_add", kwargs={"pk": meeting.pk}), {"person": erin.pk}, follow=True
        )
    assert "Erin Evans is invited as a guest." in response.content.decode()
    invitation = MeetingInvitation.objects.get(meeting=meeting, person=erin)
    assert invitation.is_guest and not invitation.counts_for_quorum
    assert [m.to for m in mail.outbox] == [["erin@fire.example"]]


def test_a_person_cannot_be_invited_twice(
    client_of, meeting, alice, bob, django_capture_on_commit_callbacks
):
    schedule(meeting, alice, django_capture_on_commit_callbacks)
    response = client_of(alice).post(
        reverse("invitee_add", kwargs={"pk": meeting.pk}), {"person": bob.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_publishing_the_papers_tells_every_invitee(
    client_of, meeting, alice, dave, django_capture_on_commit_callbacks
):
    schedule(meeting, alice, django_capture_on_commit_callbacks)
    client_of(dave).post(reverse("agenda_sign_off", kwargs={"pk": meeting.pk}))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_of(alice).post(
            reverse("meeting_transition", kwargs={"pk": meeting.pk}), {"to": "papers_published"}
        )
    assert len(mail.outbox) == 3
    assert all(m.subject.startswith("Papers published:") for m in mail.outbox)
    assert meeting.get_absolute_url() in mail.outbox[0].body


def test_a_guest_added_after_publication_is_told_of_the_papers_too(
    client_of, published, alice, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    guest = UserFactory(full_name="Gail Guest", email="gail@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client_of(alice).post(
            reverse("invitee_add", kwargs={"pk": published.pk}), {"email": guest.email}
        )
    messages = [m for m in mail.outbox if m.to == [guest.email]]
    assert len(messages) == 2
    invitation = next(m for m in messages if m.attachments)
    assert str(ics_of(invitation)[0]["METHOD"]) == "REQUEST"
    assert any(m.subject.startswith("Papers published:") for m in messages)


def test_tasks_queued_under_their_former_names_still_run():
    from bluelight.celery import app
    from meetings import tasks

    for name in (
        "send_meeting_invitation",
        "send_meeting_cancellation",
        "sweep_meeting_emails",
        "build_agenda_pack",
        "build_minutes_pdf",
        "send_meeting_reminders",
    ):
        legacy = app.tasks[f"boards.tasks.{name}"]
        current = getattr(tasks, name)
        assert legacy.run.__code__ is current.run.__code__
        assert legacy.acks_late and legacy.max_retries == current.max_retries
        assert getattr(legacy, "autoretry_for", ()) == getattr(current, "autoretry_for", ())
