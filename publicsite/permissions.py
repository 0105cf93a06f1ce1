"""What a visitor who has not signed in may see of a board.

Meetings follow the meetings' one visibility rule (``meetings.selectors``); the register's
public part is decided here.

The board's public pages are off until its chair or secretariat switches them on
(``boards.permissions.can_manage_public_pages``). When on, they show:

- meetings that have left the draft stage (a cancelled one is shown as cancelled);
- the agenda of a meeting once its papers are published, each confidential (exempt) item shown
  only as its number and its Schedule 12A paragraph ("Item 6: exempt — paragraph 3");
- the minutes of a meeting once the chair has approved them, again without confidential items;
- the date of a cancelled meeting, with the reason it was cancelled;
- the Part 1 agenda pack and each Part 1 paper, one by one, once the papers are published; the
  Part 1 minutes (attendance, declarations, open business) as a PDF once approved. Never Part 2,
  never a paper of an exempt item (``meetings.selectors``);
- opportunities every body has approved: approved, in delivery, implemented, or closed after an
  approval, with their delivery milestones and how far each has got;
- the decision register: each body's decision on those opportunities' recommendation in force,
  as a decision notice — reference, who decided and where, the date, the conditions and reasons.
  Never the internal notes, the documents, the referral's history or the pack; and never a
  decision on a recommendation the board agreed in private (at an exempt item) or on an
  agenda item marked OFFICIAL-SENSITIVE, nor a decision itself marked OFFICIAL-SENSITIVE;
- never anything marked OFFICIAL-SENSITIVE (core.markings): such an agenda item is shown only
  as its number ("Item 4: not published — OFFICIAL-SENSITIVE"), with no minutes; its papers,
  an OFFICIAL-SENSITIVE paper, and a pack or minutes PDF marked OFFICIAL-SENSITIVE are never
  public (``meetings.selectors.public_papers``, ``pack_is_public``,
  ``minutes_pdf_is_public``); an opportunity whose current recommendation is
  OFFICIAL-SENSITIVE stays out of the public register, and so do its decisions and milestones;
- when the board also publishes them, the opportunities it considered and did not pursue
  (withdrawn, or closed without delivery), with the reason and the date to revisit them; never
  one whose latest recommendation is OFFICIAL-SENSITIVE (left out, as from the register);
- the forward plan as the secretariat last published it: each body's forum and meeting date,
  whether it is a key decision, and whether it is taken in private. A decision taken in private
  is shown only as "exempt item" with its Schedule 12A paragraph: its subject never.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from boards.models import Board
from core.markings import Level
from forwardplan.models import PublishedPlan
from forwardplan.selectors import PublishedRow, published_rows
from meetings.models import AgreedRecommendation, Meeting, Paper
from meetings.selectors import (
    agenda_is_public,
    minutes_are_public,
    minutes_pdf_is_public,
    pack_is_public,
    public_agenda,
    public_agenda_pack,
    public_items,
    public_meetings,
    public_minutes_pdf,
    public_papers,
    unpublishable,
)
from opportunities.models import (
    Milestone,
    Opportunity,
    OpportunityQuerySet,
    Recommendation,
    Referral,
    Status,
    delivery_progress,
)
from opportunities.selectors import not_pursued

NO_BOARD = "There is no board at this address."
SWITCHED_OFF = "This board does not publish its pages: its public pages are switched off."
NO_MEETING = "There is no public meeting of this board at this address."
NOT_PURSUED_OFF = "This board does not publish what it considered and did not pursue."
NO_DECISION = "There is no published decision of this board at this address."
NO_COLLABORATION = "There is no approved collaboration of this board at this address."
NO_FILE = "There is no published file at this address."
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
# A body's decisions the register publishes: a deferral asks for more information and is not a
# decision on the matter yet.
PUBLIC_DECISIONS = (
    Referral.Status.APPROVED,
    Referral.Status.APPROVED_WITH_CONDITIONS,
    Referral.Status.DECLINED,
)


def public_board(slug: str) -> Board:
    """The board, if its public pages are on; otherwise a 404 saying why."""
    board = Board.objects.filter(slug=slug).first()
    if board is None:
        raise Http404(NO_BOARD)
    if not board.public_pages_enabled:
        raise Http404(SWITCHED_OFF)
    return board


def public_meetings_upcoming(board: Board, now: datetime) -> QuerySet[Meeting]:
    """The board's public meetings not over by ``now``, soonest first: the meetings page's
    "Upcoming" list (and the API's ``when=upcoming``)."""
    return public_meetings(board).filter(ends_at__gte=now).order_by("starts_at", "pk")


def public_meetings_past(board: Board, now: datetime) -> QuerySet[Meeting]:
    """The board's public meetings over by ``now``, the latest first: the meetings page's "Past
    meetings" (and the API's ``when=past``)."""
    return public_meetings(board).filter(ends_at__lt=now).order_by("-starts_at", "-pk")


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


def _agreed_in_private() -> Exists:
    """The recommendation was agreed at an exempt (confidential) item of a meeting, or at an
    item marked OFFICIAL-SENSITIVE (read live: an item raised afterwards takes the decisions on
    what was agreed there off the public pages at once)."""
    return Exists(
        AgreedRecommendation.objects.filter(
            Q(agenda_item__confidential=True) | Q(agenda_item__marking=Level.OFFICIAL_SENSITIVE),
            recommendation=OuterRef("recommendation"),
        )
    )


def public_decisions(board: Board) -> QuerySet[Referral]:
    """The public decision register: each body's decision (approved, approved with conditions,
    declined) on the recommendation in force of a collaboration in the public register, unless
    the board agreed that recommendation in private or the decision is OFFICIAL-SENSITIVE."""
    return (
        Referral.objects.filter(
            status__in=PUBLIC_DECISIONS,
            decided_at__isnull=False,
            recommendation__superseded_at__isnull=True,
            recommendation__sent_at__isnull=False,
            recommendation__opportunity__in=public_opportunities(board),
        )
        .exclude(_agreed_in_private())
        .exclude(recommendation__opportunity__status=Status.WITHDRAWN)
        .exclude(unpublishable())
    )


def decision_register(board: Board) -> QuerySet[Referral]:
    """The public decision register as its page and the API list it: newest first."""
    return (
        public_decisions(board)
        .select_related("organisation", "decided_by", "recommendation__opportunity")
        .order_by("-decided_at", "-pk")
    )


def public_decision(board: Board, pk: int) -> Referral:
    """One decision notice of the register, or a 404."""
    found = (
        public_decisions(board)
        .select_related(
            "organisation", "decided_by", "recommendation__opportunity__lead_organisation"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(NO_DECISION)
    return found


def public_collaboration(board: Board, pk: int) -> Opportunity:
    """One approved collaboration of the public register, or a 404."""
    found = public_opportunities(board).select_related("lead_organisation").filter(pk=pk).first()
    if found is None:
        raise Http404(NO_COLLABORATION)
    return found


def public_milestones(board: Board) -> QuerySet[Milestone]:
    """The delivery milestones of the collaborations in the public register."""
    return Milestone.objects.filter(opportunity__in=public_opportunities(board))


def public_register(board: Board) -> QuerySet[Opportunity]:
    """The register of approved collaborations as its page and the API list it: newest first."""
    return public_opportunities(board).select_related("lead_organisation").order_by("-pk")


def with_decisions_and_milestones(
    board: Board, opportunities: Iterable[Opportunity]
) -> list[Opportunity]:
    """Each opportunity with its published decisions (``decisions``) and milestones
    (``milestone_list``, with ``progress``, the per cent complete), in two queries for the
    whole page."""
    opportunities = list(opportunities)
    ids = [opportunity.pk for opportunity in opportunities]
    decisions: dict[int, list[Referral]] = {}
    for referral in (
        public_decisions(board)
        .filter(recommendation__opportunity_id__in=ids)
        .select_related("organisation", "recommendation")
        .order_by("organisation__name")
    ):
        decisions.setdefault(referral.recommendation.opportunity_id, []).append(referral)
    milestones: dict[int, list[Milestone]] = {}
    for milestone in public_milestones(board).filter(opportunity_id__in=ids):
        milestones.setdefault(milestone.opportunity_id, []).append(milestone)
    for opportunity in opportunities:
        opportunity.decisions = decisions.get(opportunity.pk, [])  # type: ignore[attr-defined]
        opportunity.milestone_list = milestones.get(  # type: ignore[attr-defined]
            opportunity.pk, []
        )
        opportunity.progress = delivery_progress(  # type: ignore[attr-defined]
            opportunity.milestone_list  # type: ignore[attr-defined]
        )
    return opportunities


def public_paper(meeting: Meeting, pk: int) -> Paper:
    """A Part 1 paper of a public meeting, or a 404 (an exempt item's paper never)."""
    found = public_papers(meeting).filter(pk=pk).first()
    if found is None:
        raise Http404(NO_FILE)
    return found


def _sensitive_latest_recommendation() -> Exists:
    """The opportunity's latest recommendation (sent or not, not superseded) is
    OFFICIAL-SENSITIVE."""
    return Exists(
        Recommendation.objects.filter(
            unpublishable(), opportunity=OuterRef("pk"), superseded_at__isnull=True
        )
    )


def public_not_pursued(board: Board) -> OpportunityQuerySet:
    """What the board considered and did not pursue, if it publishes it; otherwise a 404.

    An opportunity whose latest recommendation is OFFICIAL-SENSITIVE is left out altogether,
    as the public register leaves it out: its title and reason are the sensitive matter, and
    an entry without them would say nothing but that something sensitive was set aside. The
    page, its API answer and anything else published read this one list."""
    if not board.public_not_pursued:
        raise Http404(NOT_PURSUED_OFF)
    return not_pursued(board).exclude(_sensitive_latest_recommendation())


def _sensitive_referral_ids(ids: set[int]) -> set[int]:
    """Of these referrals on a published plan, those of an OFFICIAL-SENSITIVE recommendation."""
    referrals = Referral.objects.filter(pk__in=[pk for pk in ids if pk is not None])
    return set(
        referrals.filter(recommendation__marking=Level.OFFICIAL_SENSITIVE).values_list(
            "pk", flat=True
        )
    )


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
    sensitive = _sensitive_referral_ids({row.get("referral") for row in version.entries})
    rows = []
    for row in version.entries:
        if row.get("opportunity") not in shown:
            continue
        if row.get("referral") in sensitive:
            # An OFFICIAL-SENSITIVE recommendation is never named: the decision's place and
            # date only, said as such.
            rows.append(
                {**{name: row.get(name) for name in PRIVATE_PLAN_FIELDS}, "sensitive": True}
            )
            continue
        fields = PRIVATE_PLAN_FIELDS if row.get("private") else PUBLIC_PLAN_FIELDS
        rows.append({name: row.get(name) for name in fields})
    return version, published_rows(rows)


__all__ = [
    "agenda_is_public",
    "decision_register",
    "minutes_are_public",
    "minutes_pdf_is_public",
    "pack_is_public",
    "public_agenda",
    "public_agenda_pack",
    "public_board",
    "public_collaboration",
    "public_decision",
    "public_decisions",
    "public_forward_plan",
    "public_items",
    "public_meeting",
    "public_meetings",
    "public_meetings_past",
    "public_meetings_upcoming",
    "public_milestones",
    "public_minutes_pdf",
    "public_not_pursued",
    "public_opportunities",
    "public_paper",
    "public_papers",
    "public_register",
    "unpublishable",
    "with_decisions_and_milestones",
]
