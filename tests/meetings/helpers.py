"""Inviting people to a meeting and recording their replies, straight to the tables."""

from meetings.models import MeetingInvitation
from tests.factories import MeetingInvitationFactory


def invite_board(meeting, *people, guests=()):
    for person in people:
        MeetingInvitationFactory(
            meeting=meeting,
            person=person,
            counts_for_quorum=person.memberships.exclude(role="secretariat").exists(),
        )
    for person in guests:
        MeetingInvitationFactory(
            meeting=meeting,
            person=person,
            is_guest=True,
            organisation=None,
            counts_for_quorum=False,
        )


def reply(meeting, person, answer):
    MeetingInvitation.objects.filter(meeting=meeting, person=person).update(reply=answer)


def opened(row, data):
    """Form data as posted from a page opened now: with the row's current version."""
    return {**data, "version": type(row).objects.get(pk=row.pk).edit_version}


def time_boxes(name, when):
    """A meeting's date and time as typed in its day, month, year and time boxes ("10am")."""
    from datetime import datetime

    from django.utils import timezone

    from core.govuk import govuk_time

    if isinstance(when, str):
        when = datetime.fromisoformat(when)
    if timezone.is_aware(when):
        when = timezone.localtime(when)
    return {
        f"{name}_day": str(when.day),
        f"{name}_month": str(when.month),
        f"{name}_year": str(when.year),
        f"{name}_time": govuk_time(when),
    }
