"""What a person's search may reach: opportunities through ``opportunities.permissions``, and
meetings' business through the meeting pages' rules in ``boards.permissions``, restated as
queries (and tested equal to those rules, meeting by meeting)."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from boards.meeting_models import PUBLISHED_STATES, Meeting, MeetingInvitation
from boards.permissions import (
    CHAIR_ROLES,
    Person,
    Role,
    current_memberships,
)

HELD_STATES = (
    Meeting.Status.HELD,
    Meeting.Status.MINUTES_DRAFTED,
    Meeting.Status.MINUTES_APPROVED,
)


@dataclass(frozen=True)
class MeetingScope:
    """The meetings whose agenda, minutes, papers and exempt business the person may see, as
    queries of meeting ids for the database to answer within the search."""

    agenda: QuerySet
    minutes: QuerySet
    papers: QuerySet
    confidential: QuerySet


def meeting_scope_queries(person: Person) -> MeetingScope:
    """The meetings' scope as queries of meeting ids, which PostgreSQL works out inside the
    search itself rather than the portal judging a thousand meetings one by one.

    They restate the meeting pages' rules in ``boards.permissions``: the secretariat and the
    chair see everything of their board's meetings; otherwise a draft is hidden, the board's
    members and the invitees see the rest, papers once published are the invitees', and exempt
    business is for invitees who are the board's own members. A test holds this equal to those
    rules, meeting by meeting, for every role and state, so the two cannot drift apart.
    """
    if not person.is_authenticated:
        none = Meeting.objects.none().values("pk")
        return MeetingScope(none, none, none, none)
    memberships = current_memberships(person)
    member_boards = {m.board_id for m in memberships}
    staff_boards = {
        m.board_id for m in memberships if m.role == Role.SECRETARIAT or m.role in CHAIR_ROLES
    }
    invitations = MeetingInvitation.objects.filter(person=person)
    invited = Q(pk__in=invitations.values("meeting_id"))
    staff = Q(board_id__in=staff_boards)
    agenda = staff | (~Q(status=Meeting.Status.DRAFT) & (Q(board_id__in=member_boards) | invited))
    papers = staff | (Q(status__in=PUBLISHED_STATES) & invited)
    own_member_invited = Q(board_id__in=member_boards) & Q(
        pk__in=invitations.filter(is_guest=False).values("meeting_id")
    )
    confidential = staff | own_member_invited

    def ids(condition: Q) -> QuerySet:
        return Meeting.objects.filter(condition).order_by().values("pk")

    return MeetingScope(
        agenda=ids(agenda),
        minutes=ids(agenda & Q(status__in=HELD_STATES)),
        papers=ids(agenda & papers),
        confidential=ids(agenda & confidential),
    )
