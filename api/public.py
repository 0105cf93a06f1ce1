"""The public pages as data: no sign-in, GET only, and only while the board's public pages are
on. Each endpoint reads the very functions its page reads (``publicsite.permissions``, and the
feed's ``publicsite.feeds.published_entries``), so one publication rule — exempt business,
handling markings (OFFICIAL-SENSITIVE never published) and what is not yet published — decides
both; none of it is repeated here.

Every list is a page of the same shape (``public_list``): ``count``, ``limit``, ``offset``,
``next``, ``previous`` and ``results``, in the order its page lists them."""

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from boards.models import Board
from forwardplan.selectors import PublishedRow
from meetings.models import AgendaItem, Meeting
from meetings.selectors import Withheld
from opportunities.models import Milestone, Opportunity, Referral
from publicsite import permissions
from publicsite.feeds import Entry, published_entries

from . import schemas
from .auth import limit_public_rate
from .paging import DEFAULT_LIMIT, page

router = Router(tags=["Public"])
# What a public endpoint may answer instead: the board is unknown or its pages are off (404),
# or the address asked too often (429); a bad limit or offset is a 400.
REFUSED = {400: schemas.Refusal, 404: schemas.Refusal, 429: schemas.Refusal}
LIMIT_AND_OFFSET = (
    "A page of at most `limit` rows (1 to 100; 25 unless given) starting at `offset` (0 unless "
    "given); `next` and `previous` link to the neighbouring pages. An offset past the end is a "
    "404."
)

# What a meeting's status means to a visitor (as on the public pages).
PUBLIC_STATUS: dict[str, str] = {
    Meeting.Status.SCHEDULED: "Scheduled",
    Meeting.Status.PAPERS_PUBLISHED: "Agenda published",
    Meeting.Status.HELD: "Held; minutes to follow",
    Meeting.Status.MINUTES_DRAFTED: "Held; minutes to follow",
    Meeting.Status.MINUTES_APPROVED: "Minutes approved",
    Meeting.Status.CANCELLED: "Cancelled",
}


def listed(
    path: str, answer: type[schemas.PageOf], *, summary: str, description: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A public list endpoint: its page of ``answer``, its refusals, and its paging documented
    after ``description``."""
    return router.get(
        path,
        response={200: answer, **REFUSED},
        summary=summary,
        description=f"{description.strip()} {LIMIT_AND_OFFSET}",
    )


def visited(request: HttpRequest, slug: str) -> Board:
    """The board whose public pages the request reads (counted against the address's rate), or
    a 404 saying why: no such board, or its public pages are switched off."""
    limit_public_rate(request)
    return permissions.public_board(slug)


def public_list(
    request: HttpRequest,
    rows: "QuerySet[Any] | Sequence[Any]",
    shown: Callable[[Iterable[Any]], list[dict[str, Any]]],
    *,
    limit: int,
    offset: int,
    **about: Any,
) -> dict[str, Any]:
    """A page of a public list: ``rows`` (as the page orders them) each shown by ``shown``,
    with anything ``about`` the list as a whole beside the page's fields."""
    return {**about, **page(request, rows, shown, limit=limit, offset=offset)}


def _meeting(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "where": meeting.where,
        "status": meeting.status,
        "status_label": PUBLIC_STATUS.get(meeting.status, ""),
    }


def _meetings(meetings: Iterable[Meeting]) -> list[dict[str, Any]]:
    return [_meeting(meeting) for meeting in meetings]


@listed(
    "/{slug}/meetings",
    schemas.PublicMeetingPage,
    summary="The board's public meetings: upcoming or past, as the meetings page splits them",
    description="The meetings the board's public meetings page lists: a cancelled meeting as "
    "cancelled; never a draft. As on the page, `when=upcoming` gives the meetings not over yet, "
    "soonest first, and `when=past` those over, the latest first; without `when`, both "
    "together, the latest first.",
)
def public_meetings(
    request: HttpRequest,
    slug: str,
    when: Literal["upcoming", "past"] | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> dict[str, Any]:
    board = visited(request, slug)
    now = timezone.now()
    if when == "upcoming":
        meetings = permissions.public_meetings_upcoming(board, now)
    elif when == "past":
        meetings = permissions.public_meetings_past(board, now)
    else:
        meetings = permissions.public_meetings(board).order_by("-starts_at", "-pk")
    return public_list(request, meetings, _meetings, limit=limit, offset=offset)


def _public_item(item: AgendaItem | Withheld, minutes_public: bool) -> dict[str, Any]:
    reference = item.minute_reference if minutes_public else ""
    if isinstance(item, Withheld):
        return {
            "number": item.number,
            "minute_reference": reference,
            # The page's words: "Item 6: exempt — paragraph 3" or "Item 4: not published —
            # OFFICIAL-SENSITIVE" (``meetings.selectors.numbered_agenda``); the title never.
            "title": str(item),
            "exempt": item.confidential,
            "withheld": True,
            "minutes": None,
        }
    return {
        "number": item.number,
        "minute_reference": reference,
        "title": item.title,
        "exempt": False,
        "withheld": False,
        "minutes": item.minutes if minutes_public else None,
    }


@router.get(
    "/{slug}/meetings/{pk}",
    response={200: schemas.PublicMeetingDetail, **REFUSED},
    summary="A public meeting with its public agenda, or minutes once approved",
    description="The meeting as its public page shows it: the agenda once the papers are "
    "published, an exempt or OFFICIAL-SENSITIVE item as its number and why it is withheld, "
    "the minutes of open items once the chair has approved them, and why a cancelled meeting "
    "was cancelled.",
)
def public_meeting(request: HttpRequest, slug: str, pk: int) -> dict[str, Any]:
    meeting = permissions.public_meeting(visited(request, slug), pk)
    agenda_public = permissions.agenda_is_public(meeting)
    minutes_public = permissions.minutes_are_public(meeting)
    items = permissions.public_agenda(meeting) if agenda_public else []
    return {
        **_meeting(meeting),
        "agenda_is_public": agenda_public,
        "minutes_are_public": minutes_public,
        "minutes_approved_at": meeting.minutes_approved_at if minutes_public else None,
        "cancelled_reason": meeting.cancelled_reason if meeting.is_cancelled else "",
        "items": [_public_item(item, minutes_public) for item in items],
    }


def _decision(referral: Referral) -> dict[str, Any]:
    """A body's decision as the register's table shows it."""
    return {
        "id": referral.pk,
        "organisation": referral.organisation.name,
        "executive_body": referral.executive_body or referral.organisation.executive_body,
        "status": referral.status,
        "status_label": referral.status_label,
        "decided_at": referral.decided_at,
        "decision_date": referral.decision_date,
        "decision_reference": referral.decision_reference,
        "conditions": referral.conditions,
    }


def _milestone(milestone: Milestone) -> dict[str, Any]:
    return {
        "title": milestone.title,
        "description": milestone.description,
        "due_on": milestone.due_on,
        "percent_complete": milestone.percent_complete,
    }


def _delivery(opportunity: Opportunity) -> dict[str, Any]:
    """A collaboration's delivery as the register shows it (read for the whole page by
    ``permissions.with_decisions_and_milestones``)."""
    milestones: list[Milestone] = opportunity.milestone_list  # type: ignore[attr-defined]
    return {
        "id": opportunity.pk,
        "reference": opportunity.reference,
        "title": opportunity.title,
        "status": opportunity.status,
        "status_label": opportunity.status_label,
        "progress": opportunity.progress,  # type: ignore[attr-defined]
        "milestones": [_milestone(milestone) for milestone in milestones],
    }


def _collaboration(opportunity: Opportunity) -> dict[str, Any]:
    """A collaboration as the register shows it: its delivery, and the bodies' published
    decisions (none where the board agreed its recommendation in private)."""
    decisions: list[Referral] = opportunity.decisions  # type: ignore[attr-defined]
    return {
        **_delivery(opportunity),
        "summary": opportunity.summary,
        "theme": opportunity.theme_label,
        "lead_organisation": opportunity.lead_organisation.name
        if opportunity.lead_organisation
        else None,
        "decisions": [_decision(referral) for referral in decisions],
    }


def _register_list(
    request: HttpRequest,
    slug: str,
    shown_one: Callable[[Opportunity], dict[str, Any]],
    *,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """A page of the public register in its page's order, each collaboration read with its
    decisions and milestones by the register page's own function and shown by ``shown_one``."""
    board = visited(request, slug)

    def shown(opportunities: Iterable[Opportunity]) -> list[dict[str, Any]]:
        read = permissions.with_decisions_and_milestones(board, opportunities)
        return [shown_one(opportunity) for opportunity in read]

    rows = permissions.public_register(board)
    return public_list(request, rows, shown, limit=limit, offset=offset)


@listed(
    "/{slug}/register",
    schemas.PublicCollaborationPage,
    summary="The public register of approved collaborations, newest first",
    description="Each collaboration every body approved, as the register page shows it: the "
    "bodies' decisions with their references, dates and conditions, and delivery (milestones "
    "and per cent complete).",
)
def public_register(
    request: HttpRequest, slug: str, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> dict[str, Any]:
    return _register_list(request, slug, _collaboration, limit=limit, offset=offset)


@listed(
    "/{slug}/delivery",
    schemas.DeliveryPage,
    summary="Delivery progress of the approved collaborations: milestones and % complete",
    description="For each collaboration of the public register, in the register's order, its "
    "delivery milestones (due date and per cent complete) and how far delivery has got "
    "overall (`progress`, the mean of its milestones; null before any is set).",
)
def public_delivery(
    request: HttpRequest, slug: str, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> dict[str, Any]:
    return _register_list(request, slug, _delivery, limit=limit, offset=offset)


def _notice(referral: Referral) -> dict[str, Any]:
    """A decision notice, as the decision register and the notice's page show it."""
    opportunity = referral.recommendation.opportunity
    organisation = referral.organisation
    return {
        "id": referral.pk,
        "organisation": organisation.name,
        "collaboration": {
            "id": opportunity.pk,
            "reference": opportunity.reference,
            "title": opportunity.title,
        },
        "status": referral.status,
        "status_label": referral.status_label,
        "decision_reference": referral.decision_reference,
        "decision_date": referral.decision_date,
        "decided_at": referral.decided_at,
        "decision_making_body": referral.executive_body
        or organisation.executive_body
        or organisation.name,
        "taken_by": referral.decision_taken_by,
        "conditions": referral.conditions,
        "reasons": referral.reasons,
    }


def _notices(referrals: Iterable[Referral]) -> list[dict[str, Any]]:
    return [_notice(referral) for referral in referrals]


@listed(
    "/{slug}/decisions",
    schemas.DecisionNoticePage,
    summary="The public decision register: each body's decision notice, newest first",
    description="Each body's decision (approved, approved with conditions, declined) on a "
    "collaboration of the public register, with its reference, date, decision-making body, "
    "conditions and reasons. Never a decision on a recommendation the board agreed in private "
    "or marked OFFICIAL-SENSITIVE, never a deferral, never the body's internal notes.",
)
def public_decisions(
    request: HttpRequest, slug: str, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> dict[str, Any]:
    register = permissions.decision_register(visited(request, slug))
    return public_list(request, register, _notices, limit=limit, offset=offset)


@router.get(
    "/{slug}/decisions/{pk}",
    response={200: schemas.DecisionNoticeDetail, **REFUSED},
    summary="One decision notice of the public decision register",
    description="The decision notice as its public page shows it, with what was decided "
    "(the collaboration's summary).",
)
def public_decision(request: HttpRequest, slug: str, pk: int) -> dict[str, Any]:
    referral = permissions.public_decision(visited(request, slug), pk)
    return {**_notice(referral), "summary": referral.recommendation.opportunity.summary}


def _not_pursued(opportunities: Iterable[Opportunity]) -> list[dict[str, Any]]:
    return [
        {
            "id": opportunity.pk,
            "reference": opportunity.reference,
            "title": opportunity.title,
            "theme": opportunity.theme_label,
            "lead_organisation": opportunity.lead_organisation.name
            if opportunity.lead_organisation
            else None,
            "not_pursued_on": opportunity.not_pursued_on,
            "reason": opportunity.not_pursued_reason,
            "revisit_on": opportunity.revisit_on,
        }
        for opportunity in opportunities
    ]


@listed(
    "/{slug}/not-pursued",
    schemas.NotPursuedPage,
    summary="What the board considered and did not pursue, if it publishes it",
    description="Opportunities withdrawn or closed without delivery, with the reason and the "
    "date to revisit them; a 404 when the board does not publish this register.",
)
def public_not_pursued(
    request: HttpRequest, slug: str, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> dict[str, Any]:
    opportunities = permissions.public_not_pursued(visited(request, slug))
    return public_list(request, opportunities, _not_pursued, limit=limit, offset=offset)


# The published forward plan's words for a decision whose subject is not published.
SENSITIVE_PLAN_DECISION = "Not published — OFFICIAL-SENSITIVE"
PRIVATE_PLAN_DECISION = "Exempt item"


def _plan_rows(rows: Iterable[PublishedRow]) -> list[dict[str, Any]]:
    """The published plan's rows as its public page shows them: a decision taken in private,
    or on an OFFICIAL-SENSITIVE recommendation, without its subject."""
    shown = []
    for row in rows:
        values = row.values
        sensitive = bool(values.get("sensitive"))
        private = bool(values.get("private"))
        named = not sensitive and not private
        if sensitive:
            decision = SENSITIVE_PLAN_DECISION
        elif private:
            decision = PRIVATE_PLAN_DECISION
        else:
            decision = f"{values.get('reference')} {values.get('title')}"
        shown.append(
            {
                "meeting_on": row.meeting_on,
                "organisation": values["organisation"],
                "forum": values.get("forum", ""),
                "decision_maker": values.get("decision_maker", ""),
                "decision": decision,
                "collaboration": values.get("opportunity") if named else None,
                "reference": values.get("reference") if named else None,
                "title": values.get("title") if named else None,
                "key_decision": bool(values.get("key_decision")),
                "private": private,
                "exempt_paragraph": values.get("exempt_paragraph") if private else None,
                "sensitive": sensitive,
            }
        )
    return shown


@listed(
    "/{slug}/forward-plan",
    schemas.PublicForwardPlanPage,
    summary="The forward plan as the board last published it",
    description="Where and when each body expects to decide the board's recommendations, by "
    "meeting date: the forum and decision-maker, whether it is a key decision, and whether it "
    "will be taken in private (with its Schedule 12A paragraph, and without its subject). "
    "`published_at`, `covers_from` and `covers_to` are null until a plan is published.",
)
def public_forward_plan(
    request: HttpRequest, slug: str, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> dict[str, Any]:
    version, rows = permissions.public_forward_plan(visited(request, slug))
    return public_list(
        request,
        rows,
        _plan_rows,
        limit=limit,
        offset=offset,
        published_at=version.published_at if version else None,
        covers_from=version.covers_from if version else None,
        covers_to=version.covers_to if version else None,
    )


def _publications(request: HttpRequest, entries: Iterable[Entry]) -> list[dict[str, Any]]:
    return [
        {
            "id": entry.key,
            "title": entry.title,
            "link": request.build_absolute_uri(entry.link),
            "published_at": entry.at,
            "description": entry.description,
        }
        for entry in entries
    ]


@listed(
    "/{slug}/published",
    schemas.PublicationPage,
    summary="What the board published, newest first (its Atom feed as JSON)",
    description="The entries of the board's Atom feed (`/public/<slug>/feed.atom`): agendas "
    "and papers published, minutes approved, meetings cancelled and the bodies' decisions, "
    "each with the address of its public page; the latest 50.",
)
def public_published(
    request: HttpRequest, slug: str, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> dict[str, Any]:
    entries = published_entries(visited(request, slug))

    def shown(page_of: Iterable[Entry]) -> list[dict[str, Any]]:
        return _publications(request, page_of)

    return public_list(request, entries, shown, limit=limit, offset=offset)
