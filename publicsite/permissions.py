"""What a visitor who has not signed in may see of a board: the one place that decides.

The board's public pages are off until its chair or secretariat switches them on
(``boards.permissions.can_manage_public_pages``). When on, they show:

- meetings that have left the draft stage (a cancelled one is shown as cancelled);
- the agenda of a meeting once its papers are published, without confidential (exempt) items;
- the minutes of a meeting once the chair has approved them, again without confidential items;
- opportunities every body has approved: approved, in delivery, implemented, or closed after an
  approval. Each body's decision and its date, never the conditions, notes or documents.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from boards.models import Board
from meetings.models import PUBLISHED_STATES, AgendaItem, Meeting
from opportunities.models import Opportunity, Recommendation, Referral, Status

NO_BOARD = "There is no board at this address."
SWITCHED_OFF = "This board does not publish its pages: its public pages are switched off."
NO_MEETING = "There is no public meeting of this board at this address."

# Opportunities shown in the public register whatever their decisions' history.
APPROVED_STATES = (Status.APPROVED, Status.IN_DELIVERY, Status.IMPLEMENTED)


def public_board(slug: str) -> Board:
    """The board, if its public pages are on; otherwise a 404 saying why."""
    board = Board.objects.filter(slug=slug).first()
    if board is None:
        raise Http404(NO_BOARD)
    if not board.public_pages_enabled:
        raise Http404(SWITCHED_OFF)
    return board


def public_meetings(board: Board) -> QuerySet[Meeting]:
    """Every meeting past the draft stage: its date and place are public from when it is set."""
    return board.meetings.exclude(status=Meeting.Status.DRAFT)


def public_meeting(board: Board, pk: int) -> Meeting:
    meeting = public_meetings(board).filter(pk=pk).first()
    if meeting is None:
        raise Http404(NO_MEETING)
    return meeting


def agenda_is_public(meeting: Meeting) -> bool:
    """The agenda is public once the papers are published (and a cancelled meeting's never)."""
    return meeting.status in PUBLISHED_STATES


def minutes_are_public(meeting: Meeting) -> bool:
    """Minutes are public only when the chair has approved them, never as a draft."""
    return meeting.status == Meeting.Status.MINUTES_APPROVED


def public_items(meeting: Meeting) -> QuerySet[AgendaItem]:
    """The meeting's agenda items a visitor may read: none before publication, and never a
    confidential (exempt) one."""
    if not agenda_is_public(meeting):
        return AgendaItem.objects.none()
    return meeting.items.filter(confidential=False)


def _approved_current_recommendation() -> Exists:
    """The opportunity's current recommendation was sent and every body approved it."""
    referrals = Referral.objects.filter(recommendation=OuterRef("pk"))
    current = Recommendation.objects.filter(
        opportunity=OuterRef("pk"), superseded_at__isnull=True, sent_at__isnull=False
    ).filter(Exists(referrals), ~Exists(referrals.exclude(status__in=Referral.APPROVALS)))
    return Exists(current)


def public_opportunities(board: Board) -> QuerySet[Opportunity]:
    """The register of approved collaborations. A closed opportunity is shown when every body
    had approved it (it was delivered, or ended after approval); one closed after a refusal,
    and anything proposed, under assessment, awaiting decisions, not approved, on hold or
    withdrawn, is not."""
    return board.opportunities.filter(
        Q(status__in=APPROVED_STATES) | Q(status=Status.CLOSED) & _approved_current_recommendation()
    )
