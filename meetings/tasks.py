"""Meeting tasks: invitations, updates and cancellations (.ics), the sweep, PDFs and reminders.
Thin: they take ids, fetch afresh and return quietly when there is nothing to do."""

import logging
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core.emails import send_templated_email
from core.tasks import MAIL_TASK

from .calendars import invitation_ics
from .models import Meeting, MeetingInvitation
from .pdfs import agenda_pack_store, minutes_pdf_store

logger = logging.getLogger("bluelight.tasks")

# --- Meetings: invitations, notices and PDFs ----------------------------------------------------
# Each email task is recorded on the invitation once sent, so a retried task never sends twice.
# While a message goes out the task holds a transaction-scoped advisory lock on the invitation,
# so a duplicate task (queued again by the sweep, say) waits for the first and then finds the
# message sent. An advisory lock rather than a row lock: the invitee replying at that moment
# must not wait on the mail server.
MEETING_MAIL_LOCK = 7301


def _invitation(invitation_id: int) -> MeetingInvitation | None:
    """The invitation, with its emails locked until the caller's transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [MEETING_MAIL_LOCK, invitation_id]
            )
    return (
        MeetingInvitation.objects.select_related("meeting__board", "person")
        .filter(pk=invitation_id)
        .first()
    )


@shared_task(**MAIL_TASK)
@transaction.atomic
def send_meeting_invitation(invitation_id: int, sequence: int) -> None:
    """The .ics invitation (or update, when ``sequence`` > 0) for one invitee."""
    invitation = _invitation(invitation_id)
    if invitation is None or invitation.sequence_sent >= sequence:
        return
    meeting = invitation.meeting
    if meeting.status == Meeting.Status.CANCELLED or meeting.sequence != sequence:
        return  # a later change (or the cancellation) sends its own message
    send_templated_email(
        template="meeting_invitation",
        to=[invitation.person.email],
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
    MeetingInvitation.objects.filter(pk=invitation.pk).update(sequence_sent=sequence)


@shared_task(**MAIL_TASK)
@transaction.atomic
def send_meeting_cancellation(invitation_id: int) -> None:
    """The cancellation (METHOD:CANCEL for the same calendar event) for one invitee."""
    invitation = _invitation(invitation_id)
    if invitation is None or invitation.cancellation_sent_at is not None:
        return
    meeting = invitation.meeting
    if meeting.status != Meeting.Status.CANCELLED:
        return
    send_templated_email(
        template="meeting_cancelled",
        to=[invitation.person.email],
        context={"invitation": invitation, "meeting": meeting},
        attachments=[
            (
                "cancellation.ics",
                invitation_ics(meeting, invitation.person),
                "text/calendar; method=CANCEL; charset=UTF-8",
            ),
        ],
    )
    MeetingInvitation.objects.filter(pk=invitation.pk).update(cancellation_sent_at=timezone.now())


SWEEP_BATCH = 500


@shared_task(acks_late=True)
def sweep_meeting_emails() -> int:
    """Queue again the calendar emails still owed to invitees of meetings yet to end: the
    invitation (or its latest update) and the cancellation. Run by beat every few minutes, it
    makes up for a broker that was down when the change was saved; the tasks are idempotent, so
    a message whose task is merely slow is not sent twice. (The papers notice is a notification
    row, swept with the others.)"""
    upcoming = MeetingInvitation.objects.filter(meeting__ends_at__gte=timezone.now())
    Status = Meeting.Status
    invitations = (
        upcoming.exclude(meeting__status__in=(Status.DRAFT, Status.CANCELLED))
        .filter(sequence_sent__lt=F("meeting__sequence"))
        .values_list("pk", "meeting__sequence")[:SWEEP_BATCH]
    )
    cancellations = upcoming.filter(
        meeting__status=Status.CANCELLED, cancellation_sent_at__isnull=True
    ).values_list("pk", flat=True)[:SWEEP_BATCH]
    owed: list[tuple[Task[..., None], tuple[int, ...]]] = [
        (send_meeting_invitation, args) for args in invitations
    ]
    owed += [(send_meeting_cancellation, (pk,)) for pk in cancellations]
    for queued, (task, args) in enumerate(owed):
        # The broker refused (EnqueueNeverFailsTask answers None): the rest wait for the next
        # sweep rather than each waiting out the broker's timeouts.
        if task.delay(*args) is None:
            logger.warning(
                "Broker unavailable: %d meeting emails left for the next sweep", len(owed) - queued
            )
            return queued
    return len(owed)


@shared_task(acks_late=True, max_retries=3, default_retry_delay=30)
def build_agenda_pack(meeting_id: int, generation: int) -> None:
    """Build the pack asked for by ``generation``; a newer request makes this one moot."""

    agenda_pack_store(meeting_id=meeting_id, generation=generation)


@shared_task(acks_late=True, max_retries=3, default_retry_delay=30)
def build_minutes_pdf(meeting_id: int) -> None:

    minutes_pdf_store(meeting_id=meeting_id)


@shared_task(acks_late=True)
def send_meeting_reminders() -> int:
    """Hourly: replies owed for next week's meetings, and actions due or overdue (each once)."""
    from .reminders import meeting_reminders_send

    return meeting_reminders_send()


# Until meetings became an app of their own these tasks were named ``boards.tasks.*``. Messages
# queued under those names before an upgrade still run, with the same options, so an upgrade
# loses no invitation, cancellation or PDF waiting in the queue. (Beat uses the new names.)
def _answer_to_former_name(task: Any, **options: Any) -> None:
    shared_task(name=f"boards.tasks.{task.__name__}", **options)(task.run)


_answer_to_former_name(send_meeting_invitation, **MAIL_TASK)
_answer_to_former_name(send_meeting_cancellation, **MAIL_TASK)
_answer_to_former_name(sweep_meeting_emails, acks_late=True)
_answer_to_former_name(send_meeting_reminders, acks_late=True)
for _build in (build_agenda_pack, build_minutes_pdf):
    _answer_to_former_name(_build, acks_late=True, max_retries=3, default_retry_delay=30)
