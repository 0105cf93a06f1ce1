"""Reminders about meetings: replies still owed before a meeting, and actions due or overdue.

Like every notice they are notification rows whose event key names what they are about, so
each is sent once however often the hourly run comes round.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from boards.models import BoardMembership
from core import govuk
from notifications.models import Notification
from notifications.services import notification_create_many

from .models import Action, Meeting, MeetingInvitation

Role = BoardMembership.Role
REPLY_REMINDER_DAYS = 7
ACTION_DUE_SOON_DAYS = 7


@transaction.atomic
def meeting_reminders_send(*, today: date | None = None) -> int:
    """Remind invitees who have not replied to a meeting in the coming week, and owners of
    actions due within a week or overdue; returns how many reminders were considered."""
    today = today or timezone.localdate()
    return _reply_reminders() + _action_reminders(today)


def _reply_reminders() -> int:
    now = timezone.now()
    owed = MeetingInvitation.objects.filter(
        reply=MeetingInvitation.Reply.NO_REPLY,
        person__is_active=True,
        meeting__status__in=[Meeting.Status.SCHEDULED, Meeting.Status.PAPERS_PUBLISHED],
        meeting__starts_at__gt=now,
        meeting__starts_at__lte=now + timedelta(days=REPLY_REMINDER_DAYS),
    )
    # The board's secretariat runs the meeting: she is not reminded to reply to it.
    secretariat = BoardMembership.objects.current().filter(
        person=OuterRef("person"), board=OuterRef("meeting__board"), role=Role.SECRETARIAT
    )
    owed = owed.exclude(Exists(secretariat)).select_related("person", "meeting__board")
    for invitation in owed:
        meeting = invitation.meeting
        when = govuk.govuk_day_datetime(timezone.localtime(meeting.starts_at))
        notification_create_many(
            board=meeting.board,
            recipients=[invitation.person],
            kind=Notification.Kind.REPLY_OWED,
            # A moved meeting (a new sequence) is worth a new reminder.
            event_key=f"reply-owed:{invitation.pk}:{meeting.sequence}",
            subject=f"Please reply: {meeting.title}, {when}",
            link=reverse("invitation_reply", kwargs={"pk": meeting.pk}),
            payload={"board": meeting.board.name, "meeting": meeting.title, "when": when},
        )
    return len(owed)


def _action_reminders(today: date) -> int:
    actions = Action.objects.filter(
        status__in=Action.OPEN_STATES,
        owner__is_active=True,
        due_on__lte=today + timedelta(days=ACTION_DUE_SOON_DAYS),
    ).select_related("owner", "meeting__board")
    for action in actions:
        overdue = action.due_on < today
        kind = Notification.Kind.ACTION_OVERDUE if overdue else Notification.Kind.ACTION_DUE
        when = f"{action.due_on:%-d %B %Y}"
        notification_create_many(
            board=action.meeting.board,
            recipients=[action.owner],
            kind=kind,
            event_key=f"{kind}:{action.pk}:{action.due_on.isoformat()}",
            subject=(
                f"Your action from {action.meeting.title} "
                + (f"was due on {when}" if overdue else f"is due by {when}")
            ),
            link=action.meeting.get_absolute_url(),
            payload={
                "board": action.meeting.board.name,
                "meeting": action.meeting.title,
                "description": action.description,
                "when": when,
                "overdue": overdue,
            },
        )
    return len(actions)
