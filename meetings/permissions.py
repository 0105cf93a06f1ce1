"""Who may see and do what with a board's meetings, their papers, minutes and actions."""

from boards.permissions import (
    Person,
    Role,
    can_view_board,
    is_chair,
    is_secretariat,
    register_rule,
)

from .models import PUBLISHED_STATES, Action, Meeting, MeetingInvitation, Paper

VOTING_ROLES = frozenset({Role.CHAIR, Role.VICE_CHAIR, Role.MEMBER})


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
    """Exempt business: the secretariat, the chair, and invitees who are the board's own members
    (never guests)."""
    if can_manage_meeting(person, meeting) or can_chair_meeting(person, meeting):
        return True
    invitation = invitation_of(person, meeting)
    return bool(invitation and not invitation.is_guest and can_view_board(person, meeting.board))


@register_rule("view_paper")
def can_view_paper(person: Person, paper: Paper) -> bool:
    meeting = paper.meeting
    if not can_view_papers(person, meeting):
        return False
    return not paper.confidential or may_see_confidential(person, meeting)


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
