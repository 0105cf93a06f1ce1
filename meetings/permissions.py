"""Who may see and do what with a board's meetings, their papers, minutes and actions."""

from boards.models import Board
from boards.permissions import (
    Person,
    Role,
    can_view_board,
    current_memberships,
    is_chair,
    is_secretariat,
    register_rule,
    roles_on,
)

from .models import (
    PUBLISHED_STATES,
    Action,
    AgendaItem,
    ExemptItemAdmission,
    Meeting,
    MeetingInvitation,
    Paper,
    RegisteredInterest,
)

VOTING_ROLES = frozenset({Role.CHAIR, Role.VICE_CHAIR, Role.MEMBER})
# Who sees exempt business as of right (with the secretariat): voting and advisory roles, never
# observers or guests.
EXEMPT_ROLES = VOTING_ROLES | {Role.ADVISER}


def invitation_of(person: Person, meeting: Meeting) -> MeetingInvitation | None:
    """The person's invitation to the meeting as it stands today, fetched once per meeting and
    remembered: a guest's invitation, or a member's while they still hold a role on the board.
    Membership ends, access ends: someone invited as a member who has since left the board
    holds no invitation any more (to the meeting, its papers, replies, declarations or
    actions), whatever the invitation row still says."""
    if not person.is_authenticated:
        return None
    cache: dict[int, MeetingInvitation | None] = person.__dict__.setdefault(
        "_meeting_invitations", {}
    )
    if meeting.pk not in cache:
        invitation = MeetingInvitation.objects.filter(meeting=meeting, person=person).first()
        if invitation is not None and not invitation_is_current(person, invitation, meeting):
            invitation = None
        cache[meeting.pk] = invitation
    return cache[meeting.pk]


def invitation_is_current(person: Person, invitation: MeetingInvitation, meeting: Meeting) -> bool:
    """A guest invitation stands; a member's stands while they are a member of the board."""
    return invitation.is_guest or can_view_board(person, meeting.board)


@register_rule("manage_meeting")
def can_manage_meeting(person: Person, meeting: Meeting) -> bool:
    """The secretariat builds the agenda, uploads papers, records attendance and minutes."""
    return is_secretariat(person, meeting.board)


@register_rule("chair_meeting")
def can_chair_meeting(person: Person, meeting: Meeting) -> bool:
    """The chair (or vice-chair) signs off the agenda and approves the minutes."""
    return is_chair(person, meeting.board)


@register_rule("view_meeting")
def can_view_meeting(person: Person, meeting: Meeting) -> bool:
    """A draft is seen by the secretariat and the chair; after that by the board and invitees."""
    if can_manage_meeting(person, meeting) or can_chair_meeting(person, meeting):
        return True
    if meeting.status == Meeting.Status.DRAFT:
        return False
    return can_view_board(person, meeting.board) or invitation_of(person, meeting) is not None


@register_rule("view_papers")
def can_view_papers(person: Person, meeting: Meeting) -> bool:
    """Papers are the secretariat's and chair's until published, then the invitees' as well."""
    if can_manage_meeting(person, meeting) or can_chair_meeting(person, meeting):
        return True
    return meeting.status in PUBLISHED_STATES and invitation_of(person, meeting) is not None


def may_see_confidential(person: Person, meeting: Meeting) -> bool:
    """All of the meeting's exempt business: the secretariat, the chair, and invitees holding a
    voting or advisory role on the board (never observers or guests)."""
    if can_manage_meeting(person, meeting) or can_chair_meeting(person, meeting):
        return True
    invitation = invitation_of(person, meeting)
    return bool(
        invitation and not invitation.is_guest and roles_on(person, meeting.board) & EXEMPT_ROLES
    )


def admitted_items(person: Person, meeting: Meeting) -> frozenset[int]:
    """The meeting's exempt items the secretariat has admitted the person to, one by one
    (fetched once per meeting and remembered)."""
    if not person.is_authenticated:
        return frozenset()
    cache: dict[int, frozenset[int]] = person.__dict__.setdefault("_exempt_admissions", {})
    if meeting.pk not in cache:
        cache[meeting.pk] = frozenset(
            ExemptItemAdmission.objects.in_force()
            .filter(person=person, agenda_item__meeting=meeting)
            .values_list("agenda_item_id", flat=True)
        )
    return cache[meeting.pk]


def may_see_item(person: Person, item: AgendaItem) -> bool:
    """One agenda item of a meeting the person may see: open business, or exempt business
    open to them, or an exempt item they are admitted to."""
    if not item.confidential:
        return True
    meeting = item.meeting
    return may_see_confidential(person, meeting) or item.pk in admitted_items(person, meeting)


@register_rule("admit_to_exempt_item")
def can_admit_to_exempt_item(person: Person, meeting: Meeting) -> bool:
    """The secretariat admits a named invitee to a named exempt item."""
    return can_manage_meeting(person, meeting) and meeting.status not in (
        Meeting.Status.CANCELLED,
        Meeting.Status.MINUTES_APPROVED,
    )


@register_rule("view_paper")
def can_view_paper(person: Person, paper: Paper) -> bool:
    meeting = paper.meeting
    if not can_view_papers(person, meeting):
        return False
    if paper.agenda_item is None:
        return True
    paper.agenda_item.meeting = meeting
    return may_see_item(person, paper.agenda_item)


@register_rule("reply_to_meeting")
def can_reply(person: Person, meeting: Meeting) -> bool:
    return invitation_of(person, meeting) is not None and meeting.accepts_replies


@register_rule("declare_interest")
def can_declare_interest(person: Person, meeting: Meeting) -> bool:
    """Invitees declare their own interests; the secretariat records anyone's."""
    if meeting.status in (Meeting.Status.DRAFT, Meeting.Status.CANCELLED):
        return False
    if meeting.minutes_are_locked:
        return False
    return can_manage_meeting(person, meeting) or invitation_of(person, meeting) is not None


@register_rule("update_action")
def can_update_action(person: Person, action: Action) -> bool:
    """The secretariat, and the action's owner while they are still on the board or hold a
    guest invitation to its meeting, move an action on."""
    if not person.is_authenticated:
        return False
    if can_manage_meeting(person, action.meeting):
        return True
    return action.owner_id == person.pk and (
        can_view_board(person, action.meeting.board)
        or invitation_of(person, action.meeting) is not None
    )


def can_keep_register_of_interests(person: Person) -> bool:
    """Anyone holding a role on a board keeps their own register of interests."""
    return bool(current_memberships(person))


def can_review_interests(person: Person, board: Board) -> bool:
    """The board's secretariat reviews its members' registers of interests."""
    return is_secretariat(person, board)


def can_review_interest(person: Person, entry: RegisteredInterest) -> bool:
    """The secretariat of a board the entry's person holds a role on."""
    boards = {m.board_id for m in current_memberships(person) if m.role == Role.SECRETARIAT}
    return entry.person.memberships.filter(board_id__in=boards).exists() if boards else False


@register_rule("record_resolution")
def can_record_resolution(person: Person, meeting: Meeting) -> bool:
    """The secretariat (the clerk) records resolutions and votes once the meeting is held."""
    return can_manage_meeting(person, meeting) and meeting.minutes_are_editable


def can_see_attendance_statistics(person: Person, board: Board) -> bool:
    """The secretariat and the chair (or vice-chair) prepare the annual report."""
    return is_secretariat(person, board) or is_chair(person, board)


@register_rule("change_meeting_marking")
def can_change_meeting_marking(person: Person, meeting: Meeting) -> bool:
    """Change the handling marking of an agenda item or a paper, at any stage of the meeting:
    the secretariat, who builds the agenda and uploads the papers."""
    return can_manage_meeting(person, meeting)
