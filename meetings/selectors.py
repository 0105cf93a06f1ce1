"""Reads about meetings, and the one rule of who sees which meetings and which business.

The rule, for signed-in people (``meetings.permissions`` says the same of a single meeting, and
a test holds the two equal for every role and state):

- the board's secretariat and chair (or vice-chair) see all of their board's meetings, drafts
  included, with their papers and exempt business;
- otherwise a draft is hidden; the board's members and the meeting's invitees see the rest;
- papers, once published, are the invitees';
- exempt (confidential) business is for invitees who are the board's own members, never
  guests.

For the public (no sign-in), a board whose public pages are on shows its meetings past the
draft stage, the agenda once the papers are published and the minutes once approved — never
exempt business. Every page, PDF, feed, search and public page reads these functions.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.db.models import BooleanField, Exists, ExpressionWrapper, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from boards.models import Board, BoardMembership, User
from boards.permissions import CHAIR_ROLES, Person, Role, current_memberships

from .models import (
    HELD_STATES,
    PUBLISHED_STATES,
    Action,
    AgendaItem,
    Meeting,
    MeetingInvitation,
)

Status = Meeting.Status
Row = TypeVar("Row", bound=Model)
HOME_LIST_LIMIT = 10
FEED_HISTORY = timedelta(days=365)


# --- Who sees which meetings and business -----------------------------------------------------


@dataclass(frozen=True)
class _Conditions:
    agenda: Q
    papers: Q
    exempt: Q


def _conditions(person: Person) -> _Conditions | None:
    """The rule as conditions on meetings, or None for someone who is not signed in."""
    if not person.is_authenticated:
        return None
    memberships = current_memberships(person)
    member_boards = sorted({m.board_id for m in memberships})
    staff_boards = sorted(
        {m.board_id for m in memberships if m.role == Role.SECRETARIAT or m.role in CHAIR_ROLES}
    )
    invitations = current_invitations(person, member_boards)
    invited = Q(pk__in=invitations.values("meeting_id"))
    staff = Q(board_id__in=staff_boards)
    own_member_invited = Q(board_id__in=member_boards) & Q(
        pk__in=invitations.filter(is_guest=False).values("meeting_id")
    )
    return _Conditions(
        agenda=staff | (~Q(status=Status.DRAFT) & (Q(board_id__in=member_boards) | invited)),
        papers=staff | (Q(status__in=PUBLISHED_STATES) & invited),
        exempt=staff | own_member_invited,
    )


def current_invitations(
    person: Person, member_boards: list[int] | None = None
) -> QuerySet[MeetingInvitation]:
    """The person's invitations that stand today: guests', and members' to the meetings of
    boards they are still members of (the same rule as permissions.invitation_of)."""
    if member_boards is None:
        member_boards = sorted({m.board_id for m in current_memberships(person)})
    return MeetingInvitation.objects.filter(person_id=person.pk).filter(
        Q(is_guest=True) | Q(meeting__board_id__in=member_boards)
    )


def meetings_visible_to(person: Person) -> QuerySet[Meeting]:
    """Every meeting whose page the person may open."""
    conditions = _conditions(person)
    if conditions is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(conditions.agenda)


def meetings_with_exempt_business_open_to(person: Person) -> QuerySet[Meeting]:
    """The meetings whose exempt (confidential) business the person may see."""
    conditions = _conditions(person)
    if conditions is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(conditions.agenda & conditions.exempt)


def open_business(
    queryset: QuerySet[Row], *, confidential_ok: bool, item: str = "agenda_item"
) -> QuerySet[Row]:
    """Agenda items, papers, declarations or actions without exempt business unless the reader
    may see it. ``item`` is the path to the agenda item ("" for agenda items themselves)."""
    if confidential_ok:
        return queryset
    field = f"{item}__confidential" if item else "confidential"
    return queryset.exclude(**{field: True})


def agenda_items_visible_to(person: Person) -> QuerySet[AgendaItem]:
    """Agenda items the person may read, across meetings: the open business of the meetings
    they may see, and exempt business only where it is open to them."""
    conditions = _conditions(person)
    if conditions is None:
        return AgendaItem.objects.none()
    visible = Meeting.objects.filter(conditions.agenda)
    exempt_open = Meeting.objects.filter(conditions.agenda & conditions.exempt)
    return AgendaItem.objects.filter(meeting__in=visible).filter(
        Q(confidential=False) | Q(meeting__in=exempt_open)
    )


@dataclass(frozen=True)
class MeetingScope:
    """Ids of the meetings whose agenda, minutes, papers and exempt business the person may
    see."""

    agenda: frozenset[int]
    minutes: frozenset[int]
    papers: frozenset[int]
    confidential: frozenset[int]


NO_SCOPE = MeetingScope(frozenset(), frozenset(), frozenset(), frozenset())


def meeting_scope(person: Person, among: QuerySet[Any, Any] | None = None) -> MeetingScope:
    """The person's scope in one query: the meetings whose agenda they may see, each flagged
    for its minutes, papers and exempt business (a thousand meetings cost a few milliseconds
    this way, where judging each with the page rules cost far more).

    Given ``among`` (a query of meeting ids), only those meetings are looked at: a search
    passes the meetings where something matched, which are usually few.
    """
    conditions = _conditions(person)
    if conditions is None:
        return NO_SCOPE
    meetings = Meeting.objects.filter(conditions.agenda)
    if among is not None:
        meetings = meetings.filter(pk__in=among)
    found = list(
        meetings.order_by()
        .annotate(
            held=_flag(Q(status__in=HELD_STATES)),
            papers_open=_flag(conditions.papers),
            exempt_open=_flag(conditions.exempt),
        )
        .values_list("pk", "held", "papers_open", "exempt_open")
    )
    return MeetingScope(
        agenda=frozenset(pk for pk, *_ in found),
        minutes=frozenset(pk for pk, held, _, _ in found if held),
        papers=frozenset(pk for pk, _, open_, _ in found if open_),
        confidential=frozenset(pk for pk, _, _, exempt in found if exempt),
    )


def _flag(condition: Q) -> "ExpressionWrapper[Q]":
    return ExpressionWrapper(condition, output_field=BooleanField())


# --- What the public sees -----------------------------------------------------------------------


def public_meetings(board: Board) -> QuerySet[Meeting]:
    """Every meeting past the draft stage: its date and place are public from when it is set."""
    return board.meetings.exclude(status=Status.DRAFT)


def agenda_is_public(meeting: Meeting) -> bool:
    """The agenda is public once the papers are published (and a cancelled meeting's never)."""
    return meeting.status in PUBLISHED_STATES


def minutes_are_public(meeting: Meeting) -> bool:
    """Minutes are public only when the chair has approved them, never as a draft."""
    return meeting.status == Status.MINUTES_APPROVED


def public_items(meeting: Meeting) -> QuerySet[AgendaItem]:
    """The meeting's agenda items a visitor may read: none before publication, and never
    exempt business."""
    if not agenda_is_public(meeting):
        return AgendaItem.objects.none()
    return open_business(meeting.items.all(), confidential_ok=False, item="")


# --- Quorum ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    needed: int
    bodies: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.bodies)

    @property
    def quorate(self) -> bool:
        return self.count >= self.needed


def meeting_invitations(meeting: Meeting) -> list[MeetingInvitation]:
    """The meeting's invitations with their people and bodies, each marked ``stands``: false
    for a member's invitation whose membership of the board has since ended."""
    still_member = BoardMembership.objects.current().filter(
        board=meeting.board_id, person=OuterRef("person")
    )
    return list(
        meeting.invitations.select_related("person", "organisation").annotate(
            stands=Q(is_guest=True) | Exists(still_member)
        )
    )


def meeting_quorum(
    *, board: Board, invitations: list[MeetingInvitation], by_attendance: bool = False
) -> Quorum:
    """Member bodies represented: by replies before the meeting, by attendance after it.

    Takes the invitations already fetched (with their organisations), so it adds no query.
    """
    represented = {
        MeetingInvitation.Attendance.PRESENT,
        MeetingInvitation.Attendance.SUBSTITUTE,
    }
    bodies = {
        invitation.organisation.short_name
        for invitation in invitations
        if invitation.counts_for_quorum
        and invitation.organisation is not None
        and (
            invitation.attendance in represented
            if by_attendance
            # A reply from someone who has left the board since no longer counts.
            else invitation.represents and getattr(invitation, "stands", True)
        )
    }
    return Quorum(needed=board.quorum_bodies, bodies=tuple(sorted(bodies)))


# --- Lists --------------------------------------------------------------------------------------


def feed_meetings(person: User) -> QuerySet[Meeting]:
    """The meetings the person is invited to, from a year ago onwards, that they may see and
    that have left the draft stage: what a calendar program needs, without re-sending years
    of history on every refresh."""
    return (
        meetings_visible_to(person)
        .filter(invitations__person=person, starts_at__gte=timezone.now() - FEED_HISTORY)
        .exclude(status=Status.DRAFT)
        .select_related("board")
        .order_by("starts_at")
    )


def home_panels(person: User) -> dict[str, list[Any]]:
    """My next meetings, the replies I owe and my open actions, for the home page."""
    now = timezone.now()
    upcoming = (
        current_invitations(person)
        .filter(
            meeting__ends_at__gte=now,
            meeting__status__in=[Status.SCHEDULED, Status.PAPERS_PUBLISHED],
        )
        .select_related("meeting__board")
        .order_by("meeting__starts_at")
    )
    return {
        "next_meetings": list(upcoming[:5]),
        "replies_owed": list(
            upcoming.filter(reply=MeetingInvitation.Reply.NO_REPLY, meeting__starts_at__gt=now)[
                :HOME_LIST_LIMIT
            ]
        ),
        "my_actions": list(
            Action.objects.filter(
                owner=person,
                status__in=Action.OPEN_STATES,
                meeting__in=meetings_visible_to(person),
            )
            .select_related("meeting")
            .order_by("due_on")[:HOME_LIST_LIMIT]
        ),
    }
