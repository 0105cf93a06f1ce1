"""The one place that answers "may this person do this?".

Views call these functions before they act and templates ask them through the ``may`` tag,
so a hidden button always goes with a refused request. Roles are data: a person's current
board memberships and executive authorities, read once per request (from the cache while nothing
they depend on has changed: ``boards.person_cache``) and kept on the user.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import ApiToken, Board, BoardMembership, Organisation, SignedInSession, User
from .person_cache import record_of

Person = User | AnonymousUser
Role = BoardMembership.Role
CHAIR_ROLES = frozenset({Role.CHAIR, Role.VICE_CHAIR})
BOARD_ROLES = frozenset(Role.values)
Rule = TypeVar("Rule", bound=Callable[..., bool])


def current_memberships(person: Person) -> tuple[BoardMembership, ...]:
    """The person's memberships in force today (with their boards and bodies), by board name."""
    return record_of(person).memberships


def executive_organisation_ids(person: Person) -> frozenset[int]:
    """Organisations for whose executive body the person may record decisions today."""
    return record_of(person).executive_organisation_ids


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


NOT_A_MEMBER = "No board here that you are a member of."
SECRETARIAT_ONLY = "Only the board's secretariat may do this."


def board_for(
    person: Person,
    slug: str,
    rule: "Callable[[Person, Board], bool] | None" = None,
    refusal: str = SECRETARIAT_ONLY,
) -> Board:
    """The board with this slug, for a page or action of the person's.

    One refusal behaviour for every board page: a board the person holds no role on (or no
    board at all) is a 404, so boards are not discovered by guessing; a member whom ``rule``
    does not allow gets a 403 saying why (``refusal``). Without a rule, any role will do.
    """
    board = member_board(person, slug)
    if board is None:
        raise Http404(NOT_A_MEMBER)
    if rule is not None and not rule(person, board):
        raise PermissionDenied(refusal)
    return board


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


def can_end_session(person: Person, record: SignedInSession) -> bool:
    """A person ends only their own sessions (administrators use the admin)."""
    return person.is_authenticated and record.person_id == person.pk


def can_revoke_api_token(person: Person, record: ApiToken) -> bool:
    """A person revokes only their own API tokens (administrators use the admin)."""
    return person.is_authenticated and record.person_id == person.pk


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


def register_rule(name: str) -> Callable[[Rule], Rule]:
    """Decorator: make a permission function available to templates under ``name``."""

    def add(function: Rule) -> Rule:
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


def can_search_audit(person: Person, obj: Any = None) -> bool:
    """Administrators and the secretariat (of any board) search the portal's audit trail."""
    if not person.is_authenticated:
        return False
    if person.is_staff or person.is_superuser:
        return True
    return any(m.role == Role.SECRETARIAT for m in current_memberships(person))


RULES["search_audit"] = can_search_audit


@register_rule("verify_documents")
def can_verify_documents(person: Person, obj: Any = None) -> bool:
    """Anyone signed in who holds a role on a board or an executive authority (the people the
    portal issues minutes, decision notices and reports to), and administrators, may check
    whether a PDF is one the portal issued."""
    if not person.is_authenticated:
        return False
    if person.is_staff or person.is_superuser:
        return True
    return bool(current_memberships(person)) or bool(executive_organisation_ids(person))


def may(person: Person, action: str, obj: Any = None) -> bool:
    try:
        rule = RULES[action]
    except KeyError:
        raise ValueError(f"No permission rule is called {action!r}.") from None
    return rule(person, obj)
