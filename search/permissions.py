"""What a person's search may reach: opportunities through ``opportunities.permissions``, and
meetings' business through the meeting pages' rules in ``boards.permissions``, restated as
queries (and tested equal to those rules, meeting by meeting)."""

from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from boards.permissions import (
    CHAIR_ROLES,
    Person,
    Role,
    current_memberships,
)
from meetings.models import HELD_STATES, PUBLISHED_STATES, Meeting, MeetingInvitation


@dataclass(frozen=True)
class MeetingScope:
    """Ids of the meetings whose agenda, minutes, papers and exempt business the person may
    see."""

    agenda: frozenset[int]
    minutes: frozenset[int]
    papers: frozenset[int]
    confidential: frozenset[int]


def meeting_scope(person: Person, among: QuerySet | None = None) -> MeetingScope:
    """The meetings' scope in one query: the meetings whose agenda the person may see, each
    flagged for its minutes, papers and exempt business (a thousand meetings cost a few
    milliseconds this way, where judging each with the page rules cost far more).

    The conditions restate the meeting pages' rules in ``boards.permissions``: the secretariat
    and the chair see everything of their board's meetings; otherwise a draft is hidden, the
    board's members and the invitees see the rest, papers once published are the invitees',
    and exempt business is for invitees who are the board's own members. A test holds this
    equal to those rules, meeting by meeting, for every role and state, so the two cannot drift
    apart.

    Given ``among`` (a query of meeting ids), only those meetings are looked at: a search
    passes the meetings where something matched, which are usually few.
    """
    if not person.is_authenticated:
        return MeetingScope(frozenset(), frozenset(), frozenset(), frozenset())
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
    meetings = Meeting.objects.filter(agenda)
    if among is not None:
        meetings = meetings.filter(pk__in=among)
    rows = (
        meetings.order_by()
        .annotate(
            held=_flag(Q(status__in=HELD_STATES)),
            papers_open=_flag(papers),
            exempt_open=_flag(staff | own_member_invited),
        )
        .values_list("pk", "held", "papers_open", "exempt_open")
    )
    found = list(rows)
    return MeetingScope(
        agenda=frozenset(pk for pk, *_ in found),
        minutes=frozenset(pk for pk, held, _, _ in found if held),
        papers=frozenset(pk for pk, _, open_, _ in found if open_),
        confidential=frozenset(pk for pk, _, _, exempt in found if exempt),
    )


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())
