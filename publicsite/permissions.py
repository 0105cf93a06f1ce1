"""What a visitor who has not signed in may see of a board.

Meetings follow the meetings' one visibility rule (``meetings.selectors``); the register's
public part is decided here.

The board's public pages are off until its chair or secretariat switches them on
(``boards.permissions.can_manage_public_pages``). When on, they show:

- meetings that have left the draft stage (a cancelled one is shown as cancelled);
- the agenda of a meeting once its papers are published, each confidential (exempt) item shown
  only as its number and its Schedule 12A paragraph ("Item 6: exempt — paragraph 3");
- the minutes of a meeting once the chair has approved them, again without confidential items;
- opportunities every body has approved: approved, in delivery, implemented, or closed after an
  approval. Each body's decision and its date, never the conditions, notes or documents;
- never anything marked OFFICIAL-SENSITIVE (core.markings): such an agenda item is shown only
  as its number ("Item 4: not published — OFFICIAL-SENSITIVE"), with no minutes; its papers,
  an OFFICIAL-SENSITIVE paper, and a pack or minutes PDF marked OFFICIAL-SENSITIVE are never
  public (``meetings.selectors.public_papers``, ``pack_is_public``,
  ``minutes_pdf_is_public``); an opportunity whose current recommendation is
  OFFICIAL-SENSITIVE stays out of the public register;
- when the board also publishes them, the opportunities it considered and did not pursue
  (withdrawn, or closed without delivery), with the reason and the date to revisit them;
- the forward plan as the secretariat last published it: each body's forum and meeting date,
  whether it is a key decision, and whether it is taken in private. A decision taken in private
  is shown only as "exempt item" with its Schedule 12A paragraph: its subject never.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from boards.models import Board
from forwardplan.models import PublishedPlan
from forwardplan.selectors import PublishedRow, published_rows
from meetings.models import Meeting
from meetings.selectors import (
    agenda_is_public,
    minutes_are_public,
    minutes_pdf_is_public,
    pack_is_public,
    public_agenda,
    public_items,
    public_meetings,
    public_papers,
    unpublishable,
)
from opportunities.models import Opportunity, OpportunityQuerySet, Recommendation, Status
from opportunities.selectors import not_pursued

NO_BOARD = "There is no board at this address."
SWITCHED_OFF = "This board does not publish its pages: its public pages are switched off."
NO_MEETING = "There is no public meeting of this board at this address."
NOT_PURSUED_OFF = "This board does not publish what it considered and did not pursue."
# What a published forward plan keeps of a decision taken in private and may be shown.
PRIVATE_PLAN_FIELDS = (
    "organisation",
    "forum",
    "decision_maker",
    "meeting_on",
    "key_decision",
    "private",
    "exempt_paragraph",
)
# And of a decision taken in public: also what it is about (never the recommendation's wording,
# which stays with the board's papers).
PUBLIC_PLAN_FIELDS = (*PRIVATE_PLAN_FIELDS, "opportunity", "reference", "title")

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


def public_meeting(board: Board, pk: int) -> Meeting:
    meeting = public_meetings(board).filter(pk=pk).first()
    if meeting is None:
        raise Http404(NO_MEETING)
    return meeting


def _approved_current_recommendation() -> Exists:
    """The opportunity's current recommendation was sent and every body approved it."""
    return Exists(
        Recommendation.objects.in_force()
        .approved_by_every_body()
        .filter(opportunity=OuterRef("pk"))
    )


def _sensitive_current_recommendation() -> Exists:
    """The opportunity's recommendation in force is OFFICIAL-SENSITIVE: never published."""
    return Exists(
        Recommendation.objects.in_force().filter(unpublishable(), opportunity=OuterRef("pk"))
    )


def public_opportunities(board: Board) -> QuerySet[Opportunity]:
    """The register of approved collaborations. A closed opportunity is shown when every body
    had approved it (it was delivered, or ended after approval); one closed after a refusal,
    and anything proposed, under assessment, awaiting decisions, not approved, on hold or
    withdrawn, is not."""
    return board.opportunities.filter(
        Q(status__in=APPROVED_STATES) | Q(status=Status.CLOSED) & _approved_current_recommendation()
    ).exclude(_sensitive_current_recommendation())


def public_not_pursued(board: Board) -> OpportunityQuerySet:
    """What the board considered and did not pursue, if it publishes it; otherwise a 404."""
    if not board.public_not_pursued:
        raise Http404(NOT_PURSUED_OFF)
    return not_pursued(board)


def _plan_opportunity_ids(board: Board, ids: set[int]) -> set[int]:
    """Of these opportunities on a published plan, those the public may see named."""
    return set(board.opportunities.filter(pk__in=ids).values_list("pk", flat=True))


def public_forward_plan(board: Board) -> tuple[PublishedPlan | None, list[PublishedRow]]:
    """The forward plan as last published, and its rows as a visitor may see them: a decision
    taken in private keeps only its body, forum, date and exempt paragraph."""
    version = board.published_plans.order_by("-published_at", "-pk").first()
    if version is None:
        return None, []
    shown = _plan_opportunity_ids(board, {row.get("opportunity") for row in version.entries})
    rows = []
    for row in version.entries:
        if row.get("opportunity") not in shown:
            continue
        fields = PRIVATE_PLAN_FIELDS if row.get("private") else PUBLIC_PLAN_FIELDS
        rows.append({name: row.get(name) for name in fields})
    return version, published_rows(rows)


__all__ = [
    "agenda_is_public",
    "minutes_are_public",
    "minutes_pdf_is_public",
    "pack_is_public",
    "public_agenda",
    "public_board",
    "public_forward_plan",
    "public_items",
    "public_meeting",
    "public_meetings",
    "public_not_pursued",
    "public_opportunities",
    "public_papers",
    "unpublishable",
]
