"""The calendar e-mails of a meeting — its .ics invitation, each update and the cancellation —
built from their message rows when a worker sends them (registered with the notifications app
from ``MeetingsConfig.ready``)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from notifications.emails import Email, email_kind_register
from notifications.models import Notification

from .calendars import invitation_ics
from .models import Meeting, MeetingInvitation


def _invitation_of(notification: Notification) -> MeetingInvitation | None:
    return (
        MeetingInvitation.objects.select_related("meeting__board", "person")
        .filter(meeting_id=notification.payload.get("meeting"), person_id=notification.recipient_id)
        .first()
    )


def invitation_email(notification: Notification) -> Email | None:
    """The invitation (or the update, for a later SEQUENCE); None once a later change or the
    cancellation has its own message, or once this one went out."""
    invitation = _invitation_of(notification)
    sequence = notification.payload.get("sequence", 0)
    if invitation is None or invitation.sequence_sent >= sequence:
        return None
    meeting = invitation.meeting
    if meeting.status == Meeting.Status.CANCELLED or meeting.sequence != sequence:
        return None
    return Email(
        template="meeting_invitation",
        context={
            "invitation": invitation,
            "meeting": meeting,
            "is_update": sequence > 0,
            "link": settings.SITE_URL + reverse("invitation_reply", kwargs={"pk": meeting.pk}),
        },
        attachments=[
            (
                "invitation.ics",
                invitation_ics(meeting, invitation.person),
                "text/calendar; method=REQUEST; charset=UTF-8",
            ),
        ],
    )


def invitation_sent(notification: Notification) -> None:
    MeetingInvitation.objects.filter(
        meeting_id=notification.payload.get("meeting"), person_id=notification.recipient_id
    ).update(sequence_sent=notification.payload.get("sequence", 0))


def cancellation_email(notification: Notification) -> Email | None:
    """The METHOD:CANCEL of the same calendar event."""
    invitation = _invitation_of(notification)
    if invitation is None or invitation.cancellation_sent_at is not None:
        return None
    meeting = invitation.meeting
    if meeting.status != Meeting.Status.CANCELLED:
        return None
    return Email(
        template="meeting_cancelled",
        context={"invitation": invitation, "meeting": meeting},
        attachments=[
            (
                "cancellation.ics",
                invitation_ics(meeting, invitation.person),
                "text/calendar; method=CANCEL; charset=UTF-8",
            ),
        ],
    )


def cancellation_sent(notification: Notification) -> None:
    MeetingInvitation.objects.filter(
        meeting_id=notification.payload.get("meeting"), person_id=notification.recipient_id
    ).update(cancellation_sent_at=timezone.now())


def register() -> None:
    Message = Notification.Message
    for kind in (Message.MEETING_INVITATION, Message.MEETING_UPDATE):
        email_kind_register(kind, invitation_email, sent=invitation_sent)
    email_kind_register(Message.MEETING_CANCELLED, cancellation_email, sent=cancellation_sent)
