"""What a person's search may reach. The answers come from the rules in ``boards.permissions``
and ``opportunities.permissions``, asked once per meeting in view, so search never has rules of
its own that could drift from the pages it links to."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from boards.meeting_models import Meeting, MeetingInvitation
from boards.permissions import (
    Person,
    boards_of,
    can_view_meeting,
    can_view_papers,
    may_see_confidential,
    remember_invitations,
)


@dataclass(frozen=True)
class MeetingScope:
    """Ids of the meetings whose agenda, minutes, papers and exempt business the person may see."""

    agenda: frozenset[int]
    minutes: frozenset[int]
    papers: frozenset[int]
    confidential: frozenset[int]


def meeting_scope(person: Person, among: QuerySet | None = None) -> MeetingScope:
    """Two queries: the person's invitations, then the meetings of their boards and those they
    are invited to; each meeting is then judged by the meeting pages' own rules. Given
    ``among`` (a query of meeting ids), only those meetings are judged."""
    if not person.is_authenticated:
        return MeetingScope(frozenset(), frozenset(), frozenset(), frozenset())
    invitations = MeetingInvitation.objects.filter(person=person).order_by()
    if among is not None:
        invitations = invitations.filter(meeting_id__in=among)
    invitations = list(invitations)
    board_ids = [board.pk for board in boards_of(person)]
    meetings = (
        Meeting.objects.filter(
            Q(board_id__in=board_ids) | Q(pk__in=[i.meeting_id for i in invitations])
        )
        .select_related("board")
        .only("pk", "status", "board__id", "board__slug", "board__name")
        .order_by()
    )
    if among is not None:
        meetings = meetings.filter(pk__in=among)
    meetings = list(meetings)
    remember_invitations(person, [meeting.pk for meeting in meetings], invitations)
    visible = [meeting for meeting in meetings if can_view_meeting(person, meeting)]
    return MeetingScope(
        agenda=frozenset(meeting.pk for meeting in visible),
        minutes=frozenset(meeting.pk for meeting in visible if meeting.has_been_held),
        papers=frozenset(meeting.pk for meeting in visible if can_view_papers(person, meeting)),
        confidential=frozenset(
            meeting.pk for meeting in visible if may_see_confidential(person, meeting)
        ),
    )
