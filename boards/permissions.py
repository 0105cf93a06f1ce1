"""The one place that answers "may this person do this?".

Views call these functions before they act and templates ask them through the ``may`` tag,
so a hidden button always goes with a refused request. Roles are data: a person's current
board memberships and executive authorities, fetched once per request and kept on the user.
"""

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser

from .models import Board, BoardMembership, ExecutiveAuthority, Organisation, User

Person = User | AnonymousUser
Role = BoardMembership.Role
CHAIR_ROLES = frozenset({Role.CHAIR, Role.VICE_CHAIR})
BOARD_ROLES = frozenset(Role.values)


def current_memberships(person: Person) -> list[BoardMembership]:
    """The person's memberships in force today, fetched once and remembered on the person."""
    if not person.is_authenticated:
        return []
    cached = getattr(person, "_current_memberships", None)
    if cached is None:
        cached = list(
            BoardMembership.objects.current()
            .filter(person=person)
            .select_related("board", "organisation")
            .order_by("board__name", "role")
        )
        person._current_memberships = cached
    return cached


def executive_organisation_ids(person: Person) -> frozenset[int]:
    """Organisations for whose executive body the person may record decisions today."""
    if not person.is_authenticated:
        return frozenset()
    cached = getattr(person, "_executive_organisation_ids", None)
    if cached is None:
        cached = frozenset(
            ExecutiveAuthority.objects.current()
            .filter(person=person, organisation__active=True)
            .values_list("organisation_id", flat=True)
        )
        person._executive_organisation_ids = cached
    return cached


def roles_on(person: Person, board: Board) -> frozenset[str]:
    return frozenset(m.role for m in current_memberships(person) if m.board_id == board.pk)


def boards_of(person: Person) -> list[Board]:
    seen: dict[int, Board] = {}
    for membership in current_memberships(person):
        seen.setdefault(membership.board_id, membership.board)
    return list(seen.values())


def member_board(person: Person, slug: str) -> Board | None:
    """The board with this slug if the person holds a role on it (from the roles already
    loaded for the request), otherwise None."""
    return next((board for board in boards_of(person) if board.slug == slug), None)


def is_secretariat(person: Person, board: Board) -> bool:
    return Role.SECRETARIAT in roles_on(person, board)


def is_chair(person: Person, board: Board) -> bool:
    return bool(CHAIR_ROLES & roles_on(person, board))


def can_view_board(person: Person, board: Board) -> bool:
    """Anyone holding a current role on the board sees its members and business."""
    return bool(roles_on(person, board))


def can_invite_people(person: Person, board: Board) -> bool:
    return is_secretariat(person, board)


def can_manage_members(person: Person, board: Board) -> bool:
    return is_secretariat(person, board)


def can_decide_for(person: Person, organisation: Organisation) -> bool:
    """Only a person with current executive authority for that very body records its decisions."""
    return organisation.pk in executive_organisation_ids(person)


def is_executive(person: Person) -> bool:
    return bool(executive_organisation_ids(person))


# The names templates use with {% may "name" object as flag %}. Each app's permissions module
# adds its own rules with ``register_rule``.
RULES: dict[str, Callable[..., bool]] = {
    "view_board": can_view_board,
    "invite_people": can_invite_people,
    "manage_members": can_manage_members,
    "decide_for": can_decide_for,
    "chair": is_chair,
    "secretariat": is_secretariat,
}


def register_rule(name: str):
    """Decorator: make a permission function available to templates under ``name``."""

    def add(function: Callable[..., bool]) -> Callable[..., bool]:
        if name in RULES and RULES[name] is not function:
            raise ValueError(f"A permission rule called {name!r} already exists.")
        RULES[name] = function
        return function

    return add


def runs_board(person: Person, board: Board) -> bool:
    """The chair, vice-chair or secretariat: those who run the board's business."""
    return is_chair(person, board) or is_secretariat(person, board)


@register_rule("manage_public_pages")
def can_manage_public_pages(person: Person, board: Board) -> bool:
    """The chair, vice-chair or secretariat switch the board's public pages on and off."""
    return runs_board(person, board)


def may(person: Person, action: str, obj=None) -> bool:
    try:
        rule = RULES[action]
    except KeyError:
        raise ValueError(f"No permission rule is called {action!r}.") from None
    return rule(person, obj)


# --- Meetings ----------------------------------------------------------------------------------
# Who may see and do what with a board's meetings, their papers, minutes and actions.

from .meeting_models import PUBLISHED_STATES, Action, Meeting, MeetingInvitation, Paper  # noqa: E402

VOTING_ROLES = frozenset({Role.CHAIR, Role.VICE_CHAIR, Role.MEMBER})


def invitation_of(person: Person, meeting: Meeting) -> MeetingInvitation | None:
    """The person's invitation to the meeting, fetched once per meeting and remembered."""
    if not person.is_authenticated:
        return None
    cache = person.__dict__.setdefault("_meeting_invitations", {})
    if meeting.pk not in cache:
        cache[meeting.pk] = MeetingInvitation.objects.filter(meeting=meeting, person=person).first()
    return cache[meeting.pk]


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
    """The action's owner and the secretariat move an action on."""
    if not person.is_authenticated:
        return False
    return action.owner_id == person.pk or can_manage_meeting(person, action.meeting)
