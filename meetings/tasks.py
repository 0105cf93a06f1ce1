"""Meeting tasks: the PDFs and their sweep, reminders, and the former calendar e-mail tasks.
Thin: they take ids, fetch afresh and return quietly when there is nothing to do.

A meeting's calendar e-mails (invitation, update, cancellation) are message rows now, sent by
``notifications.tasks.deliver_notification`` with the builders of ``meetings.emails``. The
tasks ``send_meeting_invitation`` and ``send_meeting_cancellation`` stay only so that messages
queued by an earlier release still run after an upgrade."""

import logging
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core.emails import send_templated_email
from core.enqueue import enqueue
from core.tasks import MAIL_TASK
from notifications.tasks import sweep_pending_notifications, sweep_time

from .calendars import invitation_ics
from .conversions import conversions_due, paper_version_convert
from .guests import guest_accounts_expire
from .models import Meeting, MeetingInvitation, PaperVersion
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
    """The former sweep of calendar e-mails, for a run queued before an upgrade: they are
    message rows now, swept with every other message."""
    return sweep_pending_notifications()


@shared_task(acks_late=True)
def build_agenda_pack(meeting_id: int, generation: int) -> None:
    """Build the pack asked for by ``generation``; a newer request makes this one moot."""

    agenda_pack_store(meeting_id=meeting_id, generation=generation)


@shared_task(
    acks_late=True,
    soft_time_limit=settings.OFFICE_CONVERSION_TIMEOUT + 30,
    time_limit=settings.OFFICE_CONVERSION_TIMEOUT + 60,
)
def convert_paper_version(version_id: int) -> None:
    """Convert an Office paper to PDF; then the meeting's pack is built again to hold it."""
    if not paper_version_convert(version_id=version_id):
        return
    meeting = Meeting.objects.filter(papers__versions__pk=version_id).first()
    if meeting is None or not meeting.papers_are_published:
        return
    # As services.pack_request_build (which this module cannot import: it imports this one).
    Meeting.objects.filter(pk=meeting.pk).update(
        pack_generation=F("pack_generation") + 1,
        pack_state=Meeting.FileState.BUILDING,
        pack_next_attempt_at=sweep_time(timezone.now()),
    )
    meeting.refresh_from_db(fields=["pack_generation"])
    enqueue(build_agenda_pack, meeting.pk, meeting.pack_generation, what="the agenda pack")


@shared_task(acks_late=True)
def build_minutes_pdf(meeting_id: int) -> None:

    minutes_pdf_store(meeting_id=meeting_id)


@shared_task(acks_late=True)
def sweep_meeting_pdfs() -> int:
    """Queue again the PDF builds and Office papers' conversions still waiting past their time
    (the broker was down when they were asked for, a worker died building them, or LibreOffice
    was installed since); run by beat every minute. A build does
    nothing if its PDF is ready or a newer one was asked for, so queuing twice is harmless."""
    now = timezone.now()
    later = sweep_time(now)
    packs = list(
        Meeting.objects.filter(pack_state=Meeting.FileState.BUILDING, pack_next_attempt_at__lte=now)
        .order_by("pk")
        .values_list("pk", "pack_generation")[:SWEEP_BATCH]
    )
    minutes = list(
        Meeting.objects.filter(
            minutes_pdf_state=Meeting.FileState.BUILDING, minutes_pdf_next_attempt_at__lte=now
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    Meeting.objects.filter(pk__in=[pk for pk, _ in packs]).update(pack_next_attempt_at=later)
    Meeting.objects.filter(pk__in=minutes).update(minutes_pdf_next_attempt_at=later)
    owed: list[tuple[Task[..., None], tuple[int, ...]]] = [
        (build_agenda_pack, args) for args in packs
    ]
    owed += [(build_minutes_pdf, (pk,)) for pk in minutes]
    conversions = conversions_due(SWEEP_BATCH)
    PaperVersion.objects.filter(pk__in=conversions).update(pdf_next_attempt_at=later)
    owed += [(convert_paper_version, (pk,)) for pk in conversions]
    for queued, (task, args) in enumerate(owed):
        if not enqueue(task, *args, what=f"{len(owed) - queued} PDF builds"):
            return queued
    return len(owed)


@shared_task(acks_late=True)
def expire_guest_accounts() -> int:
    """Hourly: switch off the guest accounts of meetings that are over."""
    return guest_accounts_expire()


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
    _answer_to_former_name(_build, acks_late=True)
