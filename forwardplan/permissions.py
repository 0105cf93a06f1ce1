"""Who may see and change the bodies' decision calendars and the forward plan.

- The board's secretariat manages the forums, their dates and the plan, and publishes it.
- Anyone holding a role on the board, and the executives of its member bodies, read the board's
  plan, its forums and its published versions; an executive without a role on the board reads
  only their own bodies' entries, of the plan (its pages, downloads, feed and API answer) and
  of each published version alike (``selectors.bodies_shown_to``).
- Each body's view: the board's people, and that body's own executives (not another body's).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from boards.models import Board, Organisation
from boards.permissions import (
    NOT_A_MEMBER,
    Person,
    can_decide_for,
    executive_organisation_ids,
    is_secretariat,
    register_rule,
    roles_on,
)

from .models import DecisionForum

SECRETARIAT_ONLY = "Only the board's secretariat may change the forward plan or the forums."
NOT_THIS_BODY = "Only the board's members and this body's executives may see its forward plan."


@register_rule("manage_forward_plan")
def can_manage_forward_plan(person: Person, board: Board) -> bool:
    return is_secretariat(person, board)


def _executive_on_board(person: Person, board: Board) -> bool:
    bodies = executive_organisation_ids(person)
    return bool(bodies) and board.organisations.filter(pk__in=bodies).exists()


@register_rule("view_forward_plan")
def can_view_forward_plan(person: Person, board: Board) -> bool:
    if not person.is_authenticated:
        return False
    return bool(roles_on(person, board)) or _executive_on_board(person, board)


def can_view_body_plan(person: Person, board: Board, organisation: Organisation) -> bool:
    if not person.is_authenticated:
        return False
    return bool(roles_on(person, board)) or can_decide_for(person, organisation)


def plan_board(person: Person, slug: str, *, manage: bool = False) -> Board:
    """The board whose forward plan is asked for: a 404 for someone with nothing to do with it
    (boards are not discovered by guessing), a 403 saying why for a reader who may not change
    it."""
    board = Board.objects.filter(slug=slug).first()
    if board is None or not can_view_forward_plan(person, board):
        raise Http404(NOT_A_MEMBER)
    if manage and not can_manage_forward_plan(person, board):
        raise PermissionDenied(SECRETARIAT_ONLY)
    return board


def body_of_board(person: Person, board: Board, organisation_pk: int) -> Organisation:
    organisation = board.organisations.filter(pk=organisation_pk).first()
    if organisation is None:
        raise Http404("No member body of this board at this address.")
    if not can_view_body_plan(person, board, organisation):
        raise PermissionDenied(NOT_THIS_BODY)
    return organisation


def forum_of_board(board: Board, pk: int) -> DecisionForum:
    forum = (
        DecisionForum.objects.filter(pk=pk, organisation__in=board.organisations.all())
        .select_related("organisation")
        .first()
    )
    if forum is None:
        raise Http404("No decision forum of this board's bodies at this address.")
    return forum
