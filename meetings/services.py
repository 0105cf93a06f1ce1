"""Multi-step operations on meetings: scheduling and the rest of a meeting's life, invitations
and replies, the agenda, papers, attendance, minutes and actions.

Each function checks what it must, writes the rows and queues email and PDF builds for Celery
after the transaction commits. Its docstring lists those side effects.
"""

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.selectors import changes_since
from audit.services import audit_edit, audit_record, plain_values
from boards import services as board_services
from boards.models import BoardMembership, Organisation, User
from core import govuk
from core.batching import batch_size_for
from core.concurrency import ensure_current
from core.enqueue import enqueue
from core.exceptions import Refused
from core.markings import Marking, marking_fields, strictest
from core.uploads import KINDS, Kind, safe_original_name
from notifications.models import Notification
from notifications.services import notification_create_many
from notifications.tasks import sweep_time
from opportunities import pack_services
from opportunities import services as opportunity_services
from opportunities.models import Recommendation

from . import moves, tasks
from .models import (
    OFFICE_KINDS,
    Action,
    AgendaItem,
    AgreedRecommendation,
    CalendarFeed,
    DeclarationOfInterest,
    ExemptItemAdmission,
    GuestAccount,
    Meeting,
    MeetingInvitation,
    MinuteSeries,
    Paper,
    PaperVersion,
    RegisteredInterest,
    Resolution,
    Vote,
)
from .permissions import VOTING_ROLES, may_see_confidential
from .selectors import invitees_who_see, item_voters

Status = Meeting.Status
Role = BoardMembership.Role


class MeetingRefused(Refused):
    """An operation on a meeting that is not possible now."""


# --- The meeting's life ------------------------------------------------------------------------


@transaction.atomic
def meeting_create(*, meeting: Meeting, actor: User) -> Meeting:
    """Save a new meeting as a draft, created by ``actor``; appends the audit event and, when
    the board met before, adds the item "Minutes of the previous meeting" linked to it."""
    meeting.created_by = actor
    meeting.save()
    audit_record(
        subject=meeting,
        actor=actor,
        verb="meeting.created",
        summary=f"Meeting “{meeting.title}” created as a draft",
        after=_when_and_where(meeting),
    )
    _add_previous_minutes_item(meeting)
    return meeting


PREVIOUS_MINUTES_TITLE = "Minutes of the previous meeting"


def _add_previous_minutes_item(meeting: Meeting) -> AgendaItem | None:
    """The first item of a new meeting confirms the minutes of the board's previous meeting
    (the latest earlier one that was not a draft or cancelled), linked to it."""
    previous = (
        meeting.board.meetings.filter(starts_at__lt=meeting.starts_at)
        .exclude(status__in=[Status.DRAFT, Status.CANCELLED])
        .order_by("-starts_at")
        .first()
    )
    if previous is None:
        return None
    return AgendaItem.objects.create(
        meeting=meeting,
        position=1,
        title=PREVIOUS_MINUTES_TITLE,
        description=f"To confirm the minutes of {previous} as a correct record.",
        confirms_minutes_of=previous,
    )


def _when_and_where(meeting: Meeting) -> dict[str, Any]:
    return {
        "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "venue": meeting.venue,
        "online_link": meeting.online_link,
    }


def _guard(meeting: Meeting, to: str, reason: str) -> None:
    refusal = moves.blocker(meeting, to, reason)
    if refusal:
        raise MeetingRefused(refusal)


@transaction.atomic
def meeting_transition(*, meeting: Meeting, actor: User, to: str, reason: str = "") -> Meeting:
    """Move the meeting to its next status, if the transition table and the guards allow it.

    The change is a conditional update on the old status, so two people pressing the button at
    once move it only once. Side effects by the new status:
    - scheduled: invites the board's current members (one invitation each) and, after commit,
      e-mails each an .ics invitation;
    - papers published: after commit, e-mails every invitee and builds the agenda pack;
    - minutes drafted: numbers the minutes and tells the chair and vice-chair (once);
    - minutes approved: records the chair, tells every invitee (once) and builds the minutes
      PDFs after commit;
    - cancelled: stores the reason, raises the calendar SEQUENCE and, after commit, e-mails every
      invitee the cancellation of the same calendar event.
    """
    _guard(meeting, to, reason)
    now = timezone.now()
    changes: dict[str, Any] = {"status": to, "updated_at": now}
    if to == Status.MINUTES_APPROVED:
        changes.update(minutes_approved_at=timezone.now(), minutes_approved_by=actor)
    if to == Status.CANCELLED:
        changes.update(cancelled_reason=reason.strip(), sequence=F("sequence") + 1)
    before = meeting.status
    moved = Meeting.objects.filter(pk=meeting.pk, status=meeting.status).update(**changes)
    if moved != 1:
        raise MeetingRefused("Someone else changed this meeting just now; look again.")
    before = meeting.status
    meeting.refresh_from_db()
    audit_record(
        subject=meeting,
        actor=actor,
        verb=f"meeting.{to}",
        summary=f"Meeting “{meeting.title}”: {Status(before).label} → {Status(to).label}"
        + (f": {reason}" if reason else ""),
        before={"status": before},
        after={"status": to, **({"reason": meeting.cancelled_reason} if reason else {})},
        at=now,
    )
    if to == Status.SCHEDULED:
        invite_board_members(meeting)
        _queue_invitations(meeting)
    elif to == Status.PAPERS_PUBLISHED:
        _notify_papers_published(meeting, meeting.invitations.select_related("person"))
        pack_request_build(meeting=meeting)
    elif to == Status.MINUTES_DRAFTED:
        minutes_number(meeting=meeting)
        _notify_minutes(meeting, Notification.Kind.MINUTES_DRAFTED)
    elif to == Status.MINUTES_APPROVED:
        _notify_minutes(meeting, Notification.Kind.MINUTES_APPROVED)
        _minutes_pdf_request_build(meeting)
    elif to == Status.CANCELLED:
        _write_calendar_emails(meeting, meeting.invitations.select_related("person"))
    return meeting


def _notify_minutes(meeting: Meeting, kind: str) -> None:
    """Minutes drafted: a notice to the board's chair and vice-chair, to read and approve them.
    Minutes approved: a notice to every invitee. Each once per meeting (its event key)."""
    starts = timezone.localtime(meeting.starts_at)
    if kind == Notification.Kind.MINUTES_DRAFTED:
        chairs = BoardMembership.objects.current().filter(
            board=meeting.board, role__in=[Role.CHAIR, Role.VICE_CHAIR]
        )
        recipients = User.objects.filter(pk__in=chairs.values("person_id"))
        subject = f"Draft minutes to approve: {meeting.title}, {starts:%-d %B %Y}"
    else:
        recipients = User.objects.filter(pk__in=meeting.invitations.values("person_id"))
        subject = f"Minutes approved: {meeting.title}, {starts:%-d %B %Y}"
    notification_create_many(
        board=meeting.board,
        recipients=recipients,
        kind=kind,
        event_key=f"{kind}:{meeting.pk}",
        subject=subject,
        link=meeting.get_absolute_url(),
        payload={
            "board": meeting.board.name,
            "meeting": meeting.title,
            "when": f"{starts:%A %-d %B %Y, %H:%M}",
        },
    )


def invite_board_members(meeting: Meeting) -> None:
    """One invitation per person holding a current role on the board."""
    memberships = (
        BoardMembership.objects.current()
        .filter(board=meeting.board, person__is_active=True)
        .select_related("organisation")
        .order_by("person_id", "role")
    )
    by_person: dict[int, MeetingInvitation] = {}
    for membership in memberships:
        voting = membership.role in VOTING_ROLES
        invitation = by_person.get(membership.person_id)
        if invitation is None or (voting and not invitation.counts_for_quorum):
            by_person[membership.person_id] = MeetingInvitation(
                meeting=meeting,
                person_id=membership.person_id,
                organisation=membership.organisation,
                counts_for_quorum=voting,
            )
    MeetingInvitation.objects.bulk_create(
        by_person.values(),
        ignore_conflicts=True,
        batch_size=batch_size_for(MeetingInvitation),
    )


def _queue_invitations(meeting: Meeting) -> None:
    _write_calendar_emails(meeting, meeting.invitations.select_related("person"))


def _write_calendar_emails(meeting: Meeting, invitations: Iterable[MeetingInvitation]) -> None:
    """One message row per invitee for the meeting's calendar e-mail as it stands now: the
    invitation, its update (a later SEQUENCE) or its cancellation; all queued with one message
    to the broker once the transaction commits."""
    Message = Notification.Message
    starts = timezone.localtime(meeting.starts_at)
    if meeting.status == Status.CANCELLED:
        kind, event_key, what = Message.MEETING_CANCELLED, "cancelled", "Cancelled"
    elif meeting.sequence:
        kind, what = Message.MEETING_UPDATE, "Changed"
        event_key = f"invitation:{meeting.sequence}"
    else:
        kind, event_key, what = Message.MEETING_INVITATION, "invitation:0", "Invitation"
    notification_create_many(
        board=meeting.board,
        recipients=[invitation.person for invitation in invitations],
        kind=kind,
        event_key=f"meeting:{meeting.pk}:{event_key}",
        subject=f"{what}: {meeting.title}, {starts:%-d %B %Y}",
        link=meeting.get_absolute_url(),
        payload={"meeting": meeting.pk, "sequence": meeting.sequence},
    )


TOLD_FIELDS = ("title", "starts_at", "ends_at", "venue", "online_link")


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    venue: str,
    online_link: str,
    actor: User | None = None,
    seen_version: str | None = None,
) -> Meeting:
    """Change the meeting's title, times or place; appends the audit event of what changed.

    Once invitations are out (scheduled or papers published), a change raises the calendar
    SEQUENCE and, after commit, e-mails every invitee the update of the same event. Appends an
    "edited" event naming the changes. Refused once the meeting is held, or cancelled, and
    (``EditConflict``) when the meeting changed after the form was opened on ``seen_version``.
    """
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    ensure_current(
        current=locked.updated_at,
        seen=seen_version,
        what="this meeting",
        changes=lambda since: changes_since(locked, since, labels=MEETING_LABELS),
    )
    before = plain_values(locked, TOLD_FIELDS)
    if locked.status not in (Status.DRAFT, Status.SCHEDULED, Status.PAPERS_PUBLISHED):
        raise MeetingRefused("A meeting that has been held or cancelled can no longer be changed.")
    values = {
        "title": title,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "venue": venue,
        "online_link": online_link,
    }
    if (
        locked.status != Status.DRAFT
        and starts_at != locked.starts_at
        and starts_at <= timezone.now()
    ):
        raise MeetingRefused(
            "A scheduled meeting cannot be moved into the past: choose a date and time still "
            "to come."
        )
    changed = [name for name in TOLD_FIELDS if getattr(locked, name) != values[name]]
    for name in TOLD_FIELDS:
        setattr(locked, name, values[name])
    if changed and locked.status != Status.DRAFT:
        locked.sequence += 1
    # The locked row is saved, never the caller's copy: a status moved meanwhile stays moved.
    locked.save()
    if changed and locked.status != Status.DRAFT:
        _queue_invitations(locked)
    audit_edit(
        subject=locked,
        actor=actor,
        before=before,
        after=plain_values(locked, TOLD_FIELDS),
        labels=MEETING_LABELS,
        at=locked.updated_at,
        verb="meeting.changed",
    )
    for name in (*TOLD_FIELDS, "sequence", "status", "updated_at"):
        setattr(meeting, name, getattr(locked, name))
    if changed and locked.papers_are_published:
        # The packs' front sheets show the date, time and place: never serve them stale.
        pack_request_build(meeting=locked)
    return meeting


MEETING_LABELS = {
    "title": "title",
    "starts_at": "start",
    "ends_at": "end",
    "venue": "venue",
    "online_link": "online link",
}


# --- Invitations and replies -------------------------------------------------------------------


@transaction.atomic
def invitee_add(*, meeting: Meeting, person: User, actor: User | None = None) -> MeetingInvitation:
    """Invite one more person: a guest, or a member who joined the board after scheduling.

    A person holding a current role on the board is invited as a member (representing their
    body); anyone else as a guest. If invitations are already out, their .ics invitation is
    emailed after commit, and the papers-published notice too once the papers are out.
    """
    if meeting.status not in (Status.DRAFT, Status.SCHEDULED, Status.PAPERS_PUBLISHED):
        raise MeetingRefused("Invitees can only be added before the meeting is held.")
    memberships = list(BoardMembership.objects.current().filter(board=meeting.board, person=person))
    voting = [m for m in memberships if m.role in VOTING_ROLES]
    main = next(iter(voting or memberships), None)
    invitation, created = MeetingInvitation.objects.get_or_create(
        meeting=meeting,
        person=person,
        defaults={
            "organisation": main.organisation if main else None,
            "is_guest": main is None,
            "counts_for_quorum": bool(voting),
        },
    )
    if not created:
        raise MeetingRefused(f"{person.full_name} is already invited.")
    audit_record(
        subject=meeting,
        actor=actor,
        verb="meeting.invitee_added",
        summary=f"{person.full_name} invited to “{meeting.title}”"
        + (" as a guest" if invitation.is_guest else ""),
        after={"person": person.pk, "guest": invitation.is_guest},
    )
    if meeting.status != Status.DRAFT:
        invitation.person = person
        _write_calendar_emails(meeting, [invitation])
    if meeting.papers_are_published:
        _notify_papers_published(meeting, [invitation])
    return invitation


@transaction.atomic
def guest_invite(
    *, meeting: Meeting, actor: User, email: str, full_name: str, job_title: str = ""
) -> MeetingInvitation:
    """Invite an external guest by e-mail to this one meeting.

    Someone who already has an account is invited as they are (a guest unless they hold a
    role on the board). Otherwise a guest account is made: no board role, no usable password
    until they follow the set-password link e-mailed after commit; it sees only this meeting
    (its Part 1, and any exempt item the secretariat admits it to) and is switched off once the
    meeting is over. The meeting's .ics invitation follows as for any invitee.
    """
    email = User.objects.normalize_email(email).lower()
    person = User.objects.filter(email__iexact=email).first()
    if person is None:
        if meeting.status not in (Status.DRAFT, Status.SCHEDULED, Status.PAPERS_PUBLISHED):
            raise MeetingRefused("Invitees can only be added before the meeting is held.")
        person = User.objects.create_user(email=email, full_name=full_name, job_title=job_title)
        GuestAccount.objects.create(person=person, meeting=meeting, created_by=actor)
        # The set-password link goes as a message row, like every portal invitation.
        board_services.invitation_issue(person=person, board=meeting.board, invited_by=actor)
    elif not person.is_active:
        raise MeetingRefused(
            f"The account of {person.full_name} is switched off; ask the portal's administrator."
        )
    invitation = invitee_add(meeting=meeting, person=person)
    audit_record(
        subject=meeting,
        actor=actor,
        verb="guest_invited",
        summary=f"{person.full_name} invited as a guest by e-mail",
        after={"person": person.pk},
    )
    return invitation


def _notify_papers_published(meeting: Meeting, invitations: Iterable[MeetingInvitation]) -> None:
    """A notice to each invitee (the board's members and any guests) that the papers are out,
    delivered as each chose (at once, in the digest, or in the notification centre only)."""
    starts = timezone.localtime(meeting.starts_at)
    notification_create_many(
        board=meeting.board,
        recipients=[invitation.person for invitation in invitations],
        kind=Notification.Kind.PAPERS_PUBLISHED,
        event_key=f"papers-published:{meeting.pk}",
        subject=f"Papers published: {meeting.title}, {starts:%-d %B %Y}",
        link=meeting.get_absolute_url(),
        payload={
            "board": meeting.board.name,
            "meeting": meeting.title,
            "when": govuk.govuk_day_datetime(starts),
        },
    )


def invitation_reply(
    *, invitation: MeetingInvitation, reply: str, substitute_name: str = ""
) -> MeetingInvitation:
    """Record the invitee's reply (attending, apologies or sending a substitute)."""
    if not invitation.meeting.accepts_replies:
        raise MeetingRefused("Replies to this meeting are closed.")
    invitation.reply = reply
    invitation.substitute_name = (
        substitute_name.strip() if reply == MeetingInvitation.Reply.SUBSTITUTE else ""
    )
    invitation.replied_at = timezone.now()
    invitation.reply_recorded_by = None
    fields = ["reply", "substitute_name", "replied_at", "reply_recorded_by"]
    if invitation.substitute is not None and reply != MeetingInvitation.Reply.SUBSTITUTE:
        # The member comes (or sends apologies) after all: the named substitute's access ends.
        _substitute_account_end(
            meeting=invitation.meeting, person=invitation.substitute, actor=invitation.person
        )
        invitation.substitute = None
        fields.append("substitute")
    invitation.save(update_fields=fields)
    audit_record(
        subject=invitation.meeting,
        actor=invitation.person,
        verb="meeting.reply",
        summary=f"{invitation.person} replied “{invitation.get_reply_display()}”",
        after={"person": invitation.person_id, "reply": reply},
    )
    return invitation


@transaction.atomic
def invitation_reply_record(
    *,
    invitation: MeetingInvitation,
    actor: User,
    reply: str,
    substitute_name: str = "",
    substitute_email: str = "",
) -> MeetingInvitation:
    """The secretariat records a reply it was given for the invitee (apologies by phone, a
    substitute named by the body), up to the day of the meeting, with its own name as
    "recorded by". The quorum forecast follows the reply. Audited on the meeting.

    A substitute named with an e-mail address is invited to this meeting as a guest
    (``guest_invite``): a guest account sees the meeting's Part 1 only, by the one rule for
    exempt business, and is switched off after the meeting like any guest's."""
    meeting = invitation.meeting
    if meeting.status not in (Status.SCHEDULED, Status.PAPERS_PUBLISHED):
        raise MeetingRefused(
            "Replies are recorded while the meeting is scheduled; afterwards record attendance."
        )
    if reply == MeetingInvitation.Reply.SUBSTITUTE and not substitute_name.strip():
        raise MeetingRefused("Name the substitute the body is sending.")
    invitation.reply = reply
    invitation.substitute_name = (
        substitute_name.strip() if reply == MeetingInvitation.Reply.SUBSTITUTE else ""
    )
    invitation.replied_at = timezone.now()
    invitation.reply_recorded_by = actor
    invitation.save(update_fields=["reply", "substitute_name", "replied_at", "reply_recorded_by"])
    audit_record(
        subject=meeting,
        actor=actor,
        verb="reply_recorded",
        summary=f"Reply recorded for {invitation.person.full_name}: "
        f"{invitation.get_reply_display()}",
        after={"invitation": invitation.pk, "reply": reply, "substitute": substitute_name},
    )
    email = substitute_email.strip()
    previous = invitation.substitute
    substitute = None
    if reply == MeetingInvitation.Reply.SUBSTITUTE and email:
        substitute = _substitute_invite(
            meeting=meeting, actor=actor, email=email, full_name=invitation.substitute_name
        )
    elif reply == MeetingInvitation.Reply.SUBSTITUTE:
        substitute = previous
    if previous is not None and previous != substitute:
        _substitute_account_end(meeting=meeting, person=previous, actor=actor)
    if substitute != previous:
        invitation.substitute = substitute
        invitation.save(update_fields=["substitute"])
    return invitation


def _substitute_invite(*, meeting: Meeting, actor: User, email: str, full_name: str) -> User:
    """Invite the named substitute to this one meeting as a guest, unless already invited."""
    found = meeting.invitations.filter(person__email__iexact=email).select_related("person")
    if existing := found.first():
        return existing.person
    return guest_invite(meeting=meeting, actor=actor, email=email, full_name=full_name).person


def _substitute_account_end(*, meeting: Meeting, person: User, actor: User) -> None:
    """The body no longer sends this substitute: the guest account made for them for this
    meeting is switched off (an account they held before is left as it was)."""
    ended = GuestAccount.objects.filter(
        person=person, meeting=meeting, ended_at__isnull=True
    ).update(ended_at=timezone.now())
    if not ended:
        return
    User.objects.filter(pk=person.pk).update(is_active=False)
    audit_record(
        subject=meeting,
        actor=actor,
        verb="substitute_access_ended",
        summary=f"{person.full_name} is no longer a substitute: guest account switched off",
        after={"person": person.pk},
    )


def admission_refusal(*, item: AgendaItem, person: User) -> str | None:
    """Why the person cannot be admitted to the exempt item, in a sentence; None if they can."""
    meeting = item.meeting
    if not item.confidential:
        return f"“{item.title}” is open business: everyone invited sees it already."
    if not meeting.invitations.filter(person=person).exists():
        return f"{person.full_name} is not invited to this meeting: invite them first."
    if may_see_confidential(person, meeting):
        return f"{person.full_name} sees the meeting's exempt business already."
    if item.admissions.in_force().filter(person=person).exists():
        return f"{person.full_name} is already admitted to “{item.title}”."
    return None


@transaction.atomic
def exempt_admission_add(*, item: AgendaItem, person: User, actor: User) -> ExemptItemAdmission:
    """Admit a named invitee (a guest, an observer) to one exempt item: they then see its
    title, description, presenter, papers, minutes and declarations. Audited on the meeting."""
    refusal = admission_refusal(item=item, person=person)
    if refusal:
        raise MeetingRefused(refusal)
    admission = ExemptItemAdmission.objects.create(
        agenda_item=item, person=person, admitted_by=actor
    )
    audit_record(
        subject=item.meeting,
        actor=actor,
        verb="exempt_admission_added",
        summary=f"{person.full_name} admitted to exempt item {item.position}",
        after={"person": person.pk, "agenda_item": item.pk},
    )
    return admission


@transaction.atomic
def exempt_admission_remove(*, admission: ExemptItemAdmission, actor: User) -> None:
    """Withdraw an admission to an exempt item: the row stays, marked withdrawn by ``actor``
    now (who could see the item, and when, is part of the meeting's record). Audited on the
    meeting; withdrawing one withdrawn already (two pages at once) changes nothing."""
    item = admission.agenda_item
    withdrawn = (
        ExemptItemAdmission.objects.in_force()
        .filter(pk=admission.pk)
        .update(revoked_at=timezone.now(), revoked_by=actor)
    )
    if not withdrawn:
        return
    audit_record(
        subject=item.meeting,
        actor=actor,
        verb="exempt_admission_removed",
        summary=f"{admission.person.full_name} no longer admitted to exempt item {item.position}",
        before={"person": admission.person_id, "agenda_item": item.pk},
    )


# --- Agenda ------------------------------------------------------------------------------------


def _agenda_must_be_editable(meeting: Meeting) -> None:
    if not meeting.agenda_is_editable:
        raise MeetingRefused("The agenda is fixed once the papers are published.")


ITEM_FIELDS = ("title", "description", "presenter", "confidential", "opportunity")
ITEM_LABELS = {
    "title": "title",
    "description": "description",
    "presenter": "presenter",
    "confidential": "confidential",
    "opportunity": "linked opportunity",
    "minutes": "minutes",
}


def _item_ensure_current(item: AgendaItem, seen_version: str | None) -> AgendaItem:
    """The item, locked; refused (``EditConflict``) if it changed after ``seen_version``."""
    locked = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("opportunity")
        .get(pk=item.pk)
    )
    ensure_current(
        current=locked.updated_at,
        seen=seen_version,
        what=f"agenda item “{locked.title}”",
        changes=lambda since: changes_since(
            locked.meeting, since, labels=ITEM_LABELS, part=("item", locked.pk)
        ),
    )
    return locked


@transaction.atomic
def agenda_item_save(
    *, item: AgendaItem, actor: User | None = None, seen_version: str | None = None
) -> AgendaItem:
    """Add or change an agenda item. A new item goes to the end of the agenda.

    Any change withdraws the chair's sign-off, which must then be given again. A change is
    refused (``EditConflict``) when the item changed after its form was opened on
    ``seen_version``. Appends one event to the meeting's trail: the item added, or the fields
    of the item that changed (which an edit conflict on the item names).
    """
    meeting = item.meeting
    _agenda_must_be_editable(meeting)
    before: dict[str, Any] = {}
    added = item.pk is None
    if added:
        last = meeting.items.order_by("-position").values_list("position", flat=True).first()
        item.position = (last or 0) + 1
    else:
        before = plain_values(_item_ensure_current(item, seen_version), ITEM_FIELDS)
    # Only the form's fields: an order changed meanwhile by a move stays as it is.
    item.save(update_fields=[*ITEM_FIELDS, "updated_at"] if before else None)
    _withdraw_sign_off(meeting, f"item “{item.title}” was {'added' if added else 'changed'}")
    if added:
        audit_record(
            subject=meeting,
            actor=actor,
            verb="meeting.agenda_item_added",
            summary=f"Agenda item “{item.title}” added",
            after={"item": item.pk, "title": item.title, "confidential": item.confidential},
        )
    else:
        _audit_part_edit(
            meeting=meeting,
            actor=actor,
            verb="meeting.agenda_item_changed",
            summary=f"Agenda item “{item.title}” changed",
            part=("item", item.pk),
            before=before,
            after=plain_values(item, ITEM_FIELDS),
            at=item.updated_at,
        )
    return item


def _audit_part_edit(
    *,
    meeting: Meeting,
    actor: User | None,
    verb: str,
    summary: str,
    part: tuple[str, int],
    before: dict[str, Any],
    after: dict[str, Any],
    at: datetime,
) -> None:
    """One event on the meeting's trail for an edit of one of its parts (an agenda item, its
    minutes, an action): the fields that changed, before and after, with the part's id under
    ``part``'s key, stamped with the part's ``updated_at`` so that the version its edit form
    carries and the event name the same moment (``changes_since(..., part=...)`` reads it)."""
    key, part_id = part
    changed = [name for name in after if after[name] != before.get(name)]
    audit_record(
        subject=meeting,
        actor=actor,
        verb=verb,
        summary=summary,
        before={key: part_id, **{name: before.get(name) for name in changed}},
        after={key: part_id, **{name: after[name] for name in changed}},
        at=at,
    )


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, actor: User | None = None) -> dict[str, Any]:
    """Remove an item from the agenda; withdraws sign-off. Returns what the item held, for
    ``agenda_item_restore`` to put back (the confirmation banner's "Undo").

    Refused while the item has papers (they would lose the item's confidential marking), and
    once anyone has been admitted to it after the meeting left draft (who could see it is part
    of the meeting's record).
    """
    _agenda_must_be_editable(item.meeting)
    if item.papers.exists():
        raise MeetingRefused(
            f"“{item.title}” has papers, so it cannot be removed. Change the item instead."
        )
    if item.meeting.status != Meeting.Status.DRAFT and item.admissions.exists():
        raise MeetingRefused(
            f"People have been admitted to “{item.title}”, so it cannot be removed. Change the "
            "item instead."
        )
    removed = {"item": item.pk, "title": item.title}
    kept = agenda_item_snapshot(item)
    item.delete()
    _withdraw_sign_off(item.meeting, f"item “{item.title}” was removed")
    audit_record(
        subject=item.meeting,
        actor=actor,
        verb="meeting.agenda_item_removed",
        summary=f"Agenda item “{item.title}” removed",
        before=removed,
    )
    return kept


# What an agenda item holds itself, kept so that its removal can be undone.
RESTORED_FIELDS = (
    "position",
    "title",
    "description",
    "presenter",
    "confidential",
    "exempt_paragraph",
    "minutes",
    "minute_reference",
    "opportunity_id",
)


def agenda_item_snapshot(item: AgendaItem) -> dict[str, Any]:
    return {"pk": item.pk, **{name: getattr(item, name) for name in RESTORED_FIELDS}}


@transaction.atomic
def agenda_item_restore(*, meeting: Meeting, kept: Mapping[str, Any], actor: User) -> AgendaItem:
    """Put back an item removed from the agenda (``kept`` from ``agenda_item_delete``), under
    its old id and in its old place; withdraws sign-off, as the removal did.

    Refused once the agenda can no longer change. The item's declarations and admissions went
    with it and are not restored; the actions that named it keep the meeting only.
    """
    _agenda_must_be_editable(meeting)
    if AgendaItem.objects.filter(pk=kept["pk"]).exists():
        raise MeetingRefused("That agenda item is already back on the agenda.")
    item = AgendaItem.objects.create(
        pk=kept["pk"], meeting=meeting, **{name: kept[name] for name in RESTORED_FIELDS}
    )
    _withdraw_sign_off(meeting, f"item “{item.title}” was put back")
    audit_record(
        subject=meeting,
        actor=actor,
        verb="meeting.agenda_item_restored",
        summary=f"Agenda item “{item.title}” put back",
        after={"item": item.pk, "title": item.title},
    )
    return item


@transaction.atomic
def agenda_reorder(*, meeting: Meeting, order: list[int]) -> list[int]:
    """Put the items in the given order (a list of every item's id); withdraws sign-off."""
    _agenda_must_be_editable(meeting)
    items = {item.pk: item for item in meeting.items.select_for_update()}
    if sorted(order) != sorted(items):
        raise MeetingRefused("The new order must list every agenda item exactly once.")
    for position, pk in enumerate(order, start=1):
        items[pk].position = position
    AgendaItem.objects.bulk_update(
        items.values(), ["position"], batch_size=batch_size_for(AgendaItem, ["position"])
    )
    _withdraw_sign_off(meeting, "the agenda was reordered")
    return order


def agenda_move(*, meeting: Meeting, item: AgendaItem, direction: str) -> list[int]:
    """Move one item up or down by one place; returns the new order of item ids."""
    order = list(meeting.items.values_list("pk", flat=True))
    index = order.index(item.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    return agenda_reorder(meeting=meeting, order=order)


def _withdraw_sign_off(meeting: Meeting, why: str) -> None:
    """A change to a signed-off agenda withdraws the sign-off; the chair who gave it and the
    board's chair and vice-chair are told (once per sign-off), as it must be given again
    before the papers can be published."""
    signed = (
        Meeting.objects.filter(pk=meeting.pk, agenda_signed_off_at__isnull=False)
        .values_list("agenda_signed_off_at", "agenda_signed_off_by_id")
        .first()
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        agenda_signed_off_at=None, agenda_signed_off_by=None
    )
    meeting.agenda_signed_off_at = meeting.agenda_signed_off_by = None
    if signed is not None and signed[0] is not None:
        _notify_sign_off_withdrawn(meeting, signed_at=signed[0], signed_by=signed[1], why=why)


def _notify_sign_off_withdrawn(
    meeting: Meeting, *, signed_at: datetime, signed_by: int | None, why: str
) -> None:
    chairs = BoardMembership.objects.current().filter(
        board=meeting.board_id, role__in=[Role.CHAIR, Role.VICE_CHAIR]
    )
    recipients = User.objects.filter(Q(pk__in=chairs.values("person_id")) | Q(pk=signed_by))
    starts = timezone.localtime(meeting.starts_at)
    kind = Notification.Kind.SIGN_OFF_WITHDRAWN
    notification_create_many(
        board=meeting.board,
        recipients=recipients,
        kind=kind,
        event_key=f"{kind}:{meeting.pk}:{signed_at.isoformat()}",
        subject=f"Agenda sign-off withdrawn: {meeting.title}, {starts:%-d %B %Y}",
        link=meeting.get_absolute_url(),
        payload={
            "board": meeting.board.name,
            "meeting": meeting.title,
            "when": f"{starts:%A %-d %B %Y, %H:%M}",
            "why": why,
        },
    )


@transaction.atomic
def agenda_sign_off(*, meeting: Meeting, actor: User) -> Meeting:
    """The chair signs the agenda off, which lets the secretariat publish the papers."""
    _agenda_must_be_editable(meeting)
    if not meeting.items.exists():
        raise MeetingRefused("The agenda has no items yet.")
    meeting.agenda_signed_off_at = timezone.now()
    meeting.agenda_signed_off_by = actor
    meeting.save(update_fields=["agenda_signed_off_at", "agenda_signed_off_by"])
    audit_record(
        subject=meeting,
        actor=actor,
        verb="meeting.agenda_signed_off",
        summary=f"Agenda of “{meeting.title}” signed off",
    )
    return meeting


# --- Papers and the agenda pack ----------------------------------------------------------------


@transaction.atomic
def paper_upload(
    *,
    meeting: Meeting,
    actor: User,
    upload: "UploadedFile[bytes]",
    kind: Kind,
    title: str = "",
    agenda_item: AgendaItem | None = None,
    paper: Paper | None = None,
    marking: Marking | None = None,
) -> PaperVersion:
    """Store an uploaded (already validated) file as a new paper, or a new version of one.

    The file is stored under a generated name. The version is marked ``marking`` (the
    uploader's body's default when not given) and the paper takes its current version's
    marking. If the papers are already published, the agenda pack is rebuilt after commit. A
    Word, Excel or PowerPoint file is queued for conversion to PDF after commit (which builds
    the pack again when done).
    """
    fields = marking_fields(marking or actor.default_handling)
    if meeting.status in (Status.CANCELLED, Status.MINUTES_APPROVED):
        raise MeetingRefused("Papers can no longer be added to this meeting.")
    if paper is None:
        paper = Paper.objects.create(
            meeting=meeting, agenda_item=agenda_item, title=title, **fields
        )
    # A form-validated upload: a file field refuses one without a name, detect_kind an empty one.
    assert upload.name is not None and upload.size is not None
    number = (paper.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = PaperVersion(
        paper=paper,
        number=number,
        original_name=safe_original_name(upload.name, kind),
        content_type=kind.content_type,
        kind=kind.code,
        size=upload.size,
        uploaded_by=actor,
        **fields,
    )
    if kind.code in OFFICE_KINDS:
        version.pdf_state = PaperVersion.Conversion.WAITING
        version.pdf_next_attempt_at = sweep_time(timezone.now())
    version.file.save(f"paper.{kind.extension}", upload, save=False)
    version.save()
    paper.current_version = version
    paper.marking, paper.marking_descriptors = fields["marking"], fields["marking_descriptors"]
    paper.save(update_fields=["current_version", "marking", "marking_descriptors"])
    if kind.code in OFFICE_KINDS:
        transaction.on_commit(
            partial(enqueue, tasks.convert_paper_version, version.pk, what="a paper's conversion")
        )
    if meeting.papers_are_published:
        pack_request_build(meeting=meeting)
    # Last, so the audit trail's chain lock is taken after the meeting's row, as everywhere.
    audit_record(
        subject=meeting,
        actor=actor,
        verb="meeting.paper_uploaded",
        summary=f"Paper “{paper.title}” uploaded (version {number})",
        after={"paper": paper.pk, "version": number, "name": version.original_name},
    )
    if meeting.papers_are_published:
        _notify_late_paper(meeting, version)
    return version


def _minutes_pdf_request_build(meeting: Meeting) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(
        minutes_pdf_state=Meeting.FileState.BUILDING,
        minutes_pdf_next_attempt_at=sweep_time(timezone.now()),
    )
    transaction.on_commit(
        partial(enqueue, tasks.build_minutes_pdf, meeting.pk, what="the minutes PDF")
    )


@transaction.atomic
def meeting_pdfs_rebuild(*, meeting: Meeting) -> list[str]:
    """Build again the meeting's PDFs that could not be built (the agenda pack, the approved
    minutes); returns what was asked for, by name. Each build is queued after commit and swept
    if the broker cannot take it. Refused when no PDF of the meeting has failed."""
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    again = []
    if current.pack_state == Meeting.FileState.FAILED and current.papers_are_published:
        pack_request_build(meeting=current)
        again.append("the agenda pack")
    if (
        current.minutes_pdf_state == Meeting.FileState.FAILED
        and current.status == Status.MINUTES_APPROVED
    ):
        _minutes_pdf_request_build(current)
        again.append("the minutes PDF")
    if not again:
        raise MeetingRefused("None of this meeting's PDFs has failed; there is nothing to build.")
    return again


def _notify_late_paper(meeting: Meeting, version: PaperVersion) -> None:
    """A paper (or a new version) added after publication: a notice, once per version, to the
    invitees who may read it (an exempt item's paper only to those the one rule admits)."""
    paper = version.paper
    starts = timezone.localtime(meeting.starts_at)
    what = paper.title if version.number == 1 else f"{paper.title} (version {version.number})"
    notification_create_many(
        board=meeting.board,
        recipients=invitees_who_see(paper.agenda_item)
        if paper.agenda_item
        else User.objects.filter(pk__in=meeting.invitations.values("person_id")),
        kind=Notification.Kind.PAPERS_PUBLISHED,
        event_key=f"late-paper:{version.pk}",
        # An OFFICIAL-SENSITIVE paper (or one of such an item) is not named in an e-mail.
        marking=strictest(
            [version.handling, *([paper.agenda_item.handling] if paper.agenda_item else [])]
        ),
        subject=f"Late paper for {meeting.title}, {starts:%-d %B %Y}: {what}",
        link=meeting.get_absolute_url(),
        payload={
            "board": meeting.board.name,
            "meeting": meeting.title,
            "when": f"{starts:%A %-d %B %Y, %H:%M}",
            "late_paper": what,
        },
    )


def pack_request_build(*, meeting: Meeting) -> None:
    """Ask for a fresh agenda pack: a new generation, shown as being built until the Celery task
    (queued after commit) has stored it."""
    Meeting.objects.filter(pk=meeting.pk).update(
        pack_generation=F("pack_generation") + 1,
        pack_state=Meeting.FileState.BUILDING,
        pack_next_attempt_at=sweep_time(timezone.now()),
    )
    meeting.refresh_from_db(fields=["pack_generation", "pack_state"])
    transaction.on_commit(
        partial(
            enqueue,
            tasks.build_agenda_pack,
            meeting.pk,
            meeting.pack_generation,
            what="the agenda pack",
        )
    )


# --- At and after the meeting ------------------------------------------------------------------


@transaction.atomic
def attendance_record(
    *, meeting: Meeting, attendance: dict[int, str], actor: User | None = None
) -> None:
    """Record who was present, sent apologies or a substitute, or was absent; appends the audit
    event of each change."""
    if not meeting.records_attendance:
        raise MeetingRefused(
            "Attendance is recorded from the day of the meeting until the minutes are approved."
        )
    invitations = list(meeting.invitations.filter(pk__in=attendance))
    before = {str(i.person_id): i.attendance for i in invitations}
    for invitation in invitations:
        invitation.attendance = attendance[invitation.pk]
    after = {str(i.person_id): i.attendance for i in invitations}
    changed = [key for key in after if before[key] != after[key]]
    if changed:
        audit_record(
            subject=meeting,
            actor=actor,
            verb="meeting.attendance",
            summary=f"Attendance at “{meeting.title}” recorded ({len(changed)} changed)",
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    MeetingInvitation.objects.bulk_update(
        invitations, ["attendance"], batch_size=batch_size_for(MeetingInvitation, ["attendance"])
    )


def declaration_add(
    *,
    meeting: Meeting,
    person: User,
    nature: str,
    recorded_by: User,
    agenda_item: AgendaItem | None = None,
    disqualifying: bool = False,
    register_entry: RegisteredInterest | None = None,
) -> DeclarationOfInterest:
    """Record a declaration of interest for the meeting or one of its items, perhaps from the
    person's register. A disqualifying one takes the person out of the item's vote and of its
    quorum count (see ``selectors.item_voters`` and ``items_inquorate_by_interests``)."""
    if meeting.minutes_are_locked:
        raise MeetingRefused("The minutes are approved; declarations can no longer be added.")
    if disqualifying and agenda_item is None:
        raise MeetingRefused("A disqualifying interest is declared at an agenda item.")
    if register_entry is not None and register_entry.person_id != person.pk:
        raise MeetingRefused("That entry is in someone else's register of interests.")
    declaration = DeclarationOfInterest.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        person=person,
        nature=nature,
        disqualifying=disqualifying,
        register_entry=register_entry,
        recorded_by=recorded_by,
    )
    audit_record(
        subject=meeting,
        actor=recorded_by,
        verb="meeting.interest_declared",
        summary=f"Declaration of interest by {person.full_name} recorded",
        after={"person": person.pk, "item": agenda_item.pk if agenda_item else None},
    )
    return declaration


# --- The register of interests -----------------------------------------------------------------


def interest_register(
    *, person: User, category: str, description: str, starts_on: date, ends_on: date | None
) -> RegisteredInterest:
    """The person enters an interest in their own register; the secretariat reviews it."""
    return RegisteredInterest.objects.create(
        person=person,
        category=category,
        description=description.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )


def interest_end(*, entry: RegisteredInterest, on: date) -> RegisteredInterest:
    """The interest has ended (the person says so); kept, as declarations may refer to it."""
    if on < entry.starts_on:
        raise MeetingRefused("An interest cannot end before it started.")
    entry.ends_on = on
    entry.save(update_fields=["ends_on"])
    return entry


@transaction.atomic
def interest_review(*, entry: RegisteredInterest, actor: User) -> RegisteredInterest:
    """The secretariat marks an entry reviewed (audited on the entry)."""
    if entry.reviewed_at is not None:
        raise MeetingRefused("This entry has been reviewed already.")
    entry.reviewed_by = actor
    entry.reviewed_at = timezone.now()
    entry.save(update_fields=["reviewed_by", "reviewed_at"])
    audit_record(
        subject=entry,
        actor=actor,
        verb="interest_reviewed",
        summary=f"Register of interests of {entry.person.full_name}: entry reviewed",
    )
    return entry


def minute_prefix(board_name: str) -> str:
    """The default prefix of a board's minute numbers: the initials of the last three words of
    its name ("... Joint Advisory Board" gives "JAB")."""
    words = [word for word in board_name.split() if word[:1].isalpha()]
    return "".join(word[0].upper() for word in words[-3:]) or "MIN"


def minutes_number(*, meeting: Meeting) -> None:
    """Give each agenda item without one its minute number, in agenda order, from the board's
    series for the meeting's year (locked meanwhile, so numbers are never shared)."""
    items = [item for item in meeting.items.order_by("position", "pk") if not item.minute_reference]
    if not items:
        return
    year = timezone.localtime(meeting.starts_at).year
    MinuteSeries.objects.get_or_create(
        board=meeting.board, year=year, defaults={"prefix": minute_prefix(meeting.board.name)}
    )
    series = MinuteSeries.objects.select_for_update().get(board=meeting.board, year=year)
    for item in items:
        series.last_number += 1
        item.minute_reference = f"{series.prefix}/{year}/{series.last_number}"
    AgendaItem.objects.bulk_update(items, ["minute_reference"])
    series.save(update_fields=["last_number"])


def minutes_locked_message(meeting: Meeting) -> str:
    when = timezone.localtime(meeting.minutes_approved_at)
    return (
        f"These minutes were approved by the chair on {when:%-d %B %Y} and are locked: "
        "they can no longer be changed."
    )


@transaction.atomic
def minutes_save(
    *,
    item: AgendaItem,
    text: str,
    actor: User | None = None,
    seen_version: str | None = None,
) -> AgendaItem:
    """Write the minutes of one agenda item; one event on the meeting's trail when they changed.

    Refused once the minutes are approved (locked), and (``EditConflict``) when the item's
    minutes changed after the form was opened on ``seen_version``.
    """
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    if meeting.minutes_are_locked:
        raise MeetingRefused(minutes_locked_message(meeting))
    if not meeting.minutes_are_editable:
        raise MeetingRefused("Minutes are written once the meeting has been held.")
    before = _item_ensure_current(item, seen_version).minutes
    item.minutes = text
    item.save(update_fields=["minutes", "updated_at"])
    if before != text:
        _audit_part_edit(
            meeting=meeting,
            actor=actor,
            verb="meeting.minutes_edited",
            summary=f"Minutes of item {item.position}, “{item.title}”, edited",
            part=("item", item.pk),
            before={"minutes": before},
            after={"minutes": text},
            at=item.updated_at,
        )
    return item


@transaction.atomic
def action_set_status(
    *,
    action: Action,
    status: str,
    actor: User | None = None,
    seen_version: str | None = None,
    progress: str = "",
) -> Action:
    """Move an action on (open, in progress, done, no longer needed), with a progress note
    for matters arising if one is given, and one event on the meeting's trail.
    Refused (``EditConflict``) when the action changed after the page showing it was opened
    on ``seen_version``."""
    locked = Action.objects.select_for_update().get(pk=action.pk)
    ensure_current(
        current=locked.updated_at,
        seen=seen_version,
        what=f"the action “{locked.description[:60]}”",
        changes=lambda since: changes_since(
            locked.meeting, since, labels={"status": "status"}, part=("action", locked.pk)
        ),
    )
    before = locked.get_status_display()
    action.status = status
    fields = ["status", "updated_at"]
    if progress.strip():
        action.progress = progress.strip()
        fields.append("progress")
    action.save(update_fields=fields)
    _audit_part_edit(
        meeting=action.meeting,
        actor=actor,
        verb="meeting.action_status",
        summary=f"Action “{action.description[:200]}” now {action.get_status_display().lower()}",
        part=("action", action.pk),
        before={"status": before},
        after={"status": action.get_status_display()},
        at=action.updated_at,
    )
    return action


# --- Calendar feed -----------------------------------------------------------------------------


def calendar_feed_of(*, person: User) -> CalendarFeed:
    """The person's private feed, created with a fresh secret the first time it is asked for."""
    feed, _ = CalendarFeed.objects.get_or_create(
        person=person, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed


def calendar_feed_reset(*, person: User) -> CalendarFeed:
    """Give the person a new feed address; the old one stops working at once."""
    feed = calendar_feed_of(person=person)
    feed.token = secrets.token_urlsafe(32)
    feed.created_at = timezone.now()
    feed.save(update_fields=["token", "created_at"])
    return feed


@transaction.atomic
def recommendation_record_at_item(
    *,
    item: AgendaItem,
    actor: User,
    wording: str,
    agreed_on: date,
    decision_due_on: date,
    organisations: Iterable[Organisation],
    marking: Marking | None = None,
) -> Recommendation:
    """Record the board's recommendation on the item's opportunity, as agreed at this item.

    Records it through the register's ``recommendation_record`` (next version, its referrals,
    the audit events; refused with ``WorkflowError`` as there) and links it to the item, in one
    transaction.
    """
    if item.opportunity is None:
        raise MeetingRefused("This agenda item names no opportunity.")
    recommendation = opportunity_services.recommendation_record(
        opportunity=item.opportunity,
        actor=actor,
        wording=wording,
        agreed_on=agreed_on,
        decision_due_on=decision_due_on,
        organisations=organisations,
        marking=marking,
    )
    AgreedRecommendation.objects.create(recommendation=recommendation, agenda_item=item)
    return recommendation


# --- Resolutions and votes ---------------------------------------------------------------------


@dataclass(frozen=True)
class VoteCount:
    votes_for: int = 0
    votes_against: int = 0
    abstentions: int = 0

    @property
    def cast(self) -> int:
        return self.votes_for + self.votes_against + self.abstentions

    @property
    def tied(self) -> bool:
        return self.votes_for == self.votes_against and self.votes_for > 0


def _counted(
    *,
    item: AgendaItem,
    method: str,
    votes: Mapping[int, str] | None,
    totals: VoteCount | None,
) -> tuple[VoteCount, dict[int, str]]:
    """The totals of a vote, checked against who may vote on the item (``MeetingRefused``
    saying what is wrong otherwise)."""
    Method = Resolution.Method
    if method == Method.CONSENSUS:
        return VoteCount(), {}
    voters = {i.person_id: i.person.full_name for i in item_voters(item)}
    if not voters:
        raise MeetingRefused(
            "Nobody may vote on this item: record who was present first (voting members "
            "without a disqualifying interest)."
        )
    if method == Method.RECORDED:
        votes = dict(votes or {})
        strangers = set(votes) - set(voters)
        if strangers:
            raise MeetingRefused(
                "Only voting members present without a disqualifying interest may vote on this "
                "item."
            )
        if not votes:
            raise MeetingRefused("Record at least one member's vote, or record it by consensus.")
        if set(votes.values()) - set(Vote.Choice.values):
            raise MeetingRefused("Each vote must be for, against or abstain.")
        chosen = list(votes.values())
        count = VoteCount(
            chosen.count(Vote.Choice.FOR),
            chosen.count(Vote.Choice.AGAINST),
            chosen.count(Vote.Choice.ABSTAIN),
        )
        return count, votes
    if totals is None or totals.cast == 0:
        raise MeetingRefused("Give the number of votes for, against and abstaining.")
    if totals.cast > len(voters):
        raise MeetingRefused(
            f"{totals.cast} votes were counted but only {len(voters)} member"
            f"{'s' if len(voters) != 1 else ''} may vote on this item."
        )
    return totals, {}


def _outcome(count: VoteCount, method: str, casting_vote: str) -> str:
    Outcome, Casting = Resolution.Outcome, Resolution.Casting
    if method == Resolution.Method.CONSENSUS:
        if casting_vote:
            raise MeetingRefused("A resolution agreed by consensus has no casting vote.")
        return Outcome.CARRIED
    if count.tied:
        if not casting_vote:
            raise MeetingRefused(
                "The vote is tied: record the chair's casting vote, for or against."
            )
        return Outcome.CARRIED if casting_vote == Casting.FOR else Outcome.LOST
    if casting_vote:
        raise MeetingRefused("The chair has a casting vote only when the votes are tied.")
    return Outcome.CARRIED if count.votes_for > count.votes_against else Outcome.LOST


@transaction.atomic
def resolution_record(
    *,
    item: AgendaItem,
    actor: User,
    put_by: User,
    wording: str,
    kind: str,
    method: str,
    votes: Mapping[int, str] | None = None,
    totals: VoteCount | None = None,
    casting_vote: str = "",
    decision_due_on: date | None = None,
    organisations: Iterable[Organisation] = (),
) -> Resolution:
    """Record what the chair put to the meeting at an item and how the board resolved it.

    Checks who may vote (voting members present, without a disqualifying interest; never
    observers, advisers or guests), totals the votes and applies the chair's casting vote on a
    tie. Writes the resolution and each recorded vote, audited on the meeting. A carried
    resolution "to recommend" records the board's recommendation on the item's opportunity
    through ``recommendation_record_at_item`` (its referrals and audit events), with the
    resolution as its source, so the register and the minutes agree.
    """
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    if not meeting.minutes_are_editable:
        raise MeetingRefused(
            "Resolutions are recorded once the meeting is held, until the minutes are approved."
        )
    item.meeting = meeting
    if not wording.strip():
        raise MeetingRefused("Write the resolution as the chair put it.")
    if kind == Resolution.Kind.RECOMMEND and item.opportunity is None:
        raise MeetingRefused("This agenda item names no opportunity to recommend.")
    count, votes = _counted(item=item, method=method, votes=votes, totals=totals)
    outcome = _outcome(count, method, casting_vote)
    resolution = Resolution.objects.create(
        agenda_item=item,
        kind=kind,
        wording=wording.strip(),
        method=method,
        votes_for=count.votes_for,
        votes_against=count.votes_against,
        abstentions=count.abstentions,
        casting_vote=casting_vote,
        outcome=outcome,
        put_by=put_by,
        recorded_by=actor,
    )
    Vote.objects.bulk_create(
        Vote(resolution=resolution, person_id=person_id, choice=choice)
        for person_id, choice in votes.items()
    )
    audit_record(
        subject=meeting,
        actor=actor,
        verb="resolution_recorded",
        summary=f"Item {item.position}: {resolution.summary}",
        after={"resolution": resolution.pk, "outcome": outcome},
    )
    if kind == Resolution.Kind.RECOMMEND and outcome == Resolution.Outcome.CARRIED:
        if decision_due_on is None:
            raise MeetingRefused("Give the date the executives' decisions are due by.")
        try:
            recommendation = recommendation_record_at_item(
                item=item,
                actor=actor,
                wording=resolution.wording,
                agreed_on=timezone.localtime(meeting.starts_at).date(),
                decision_due_on=decision_due_on,
                organisations=organisations,
            )
        except opportunity_services.WorkflowError as error:
            raise MeetingRefused(str(error)) from error
        resolution.recommendation = recommendation
        resolution.save(update_fields=["recommendation"])
    return resolution


# --- Papers sent with a recommendation agreed at a meeting -------------------------------------


def recommendation_papers_choose(
    *, recommendation: Recommendation, actor: User, papers: Iterable[Paper]
) -> list[Any]:
    """Send copies of the chosen meeting papers (their current versions) with a recommendation
    agreed at that meeting, through the register's ``recommendation_paper_add`` (which refuses
    once the recommendation is sent and records each on the opportunity's trail). A copy, so the
    paper sent stays as it was when a new version of the meeting paper is uploaded later."""
    added = []
    with transaction.atomic():
        for paper in papers:
            version = paper.current_version
            if version is None:
                continue
            with version.file.open("rb") as handle:
                added.append(
                    pack_services.recommendation_paper_add(
                        recommendation=recommendation,
                        actor=actor,
                        title=paper.title,
                        content=handle,
                        name=version.original_name,
                        size=version.size,
                        kind=KINDS[version.kind],
                        source=f"the papers of {paper.meeting.title}, "
                        f"{timezone.localtime(paper.meeting.starts_at):%-d %B %Y} "
                        f"(version {version.number})",
                        marking=version.handling,
                    )
                )
    return added
