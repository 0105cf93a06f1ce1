"""The public pages as data: no sign-in, GET only, and only while the board's public pages are
on — each endpoint asks ``publicsite.permissions`` exactly as its page does."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router

from meetings.models import AgendaItem, Meeting
from meetings.selectors import Withheld
from opportunities.models import Opportunity, Recommendation, Referral
from publicsite import permissions

from . import schemas
from .auth import limit_public_rate
from .paging import DEFAULT_LIMIT, page

router = Router(tags=["Public"])

# What a meeting's status means to a visitor (as on the public pages).
PUBLIC_STATUS: dict[str, str] = {
    Meeting.Status.SCHEDULED: "Scheduled",
    Meeting.Status.PAPERS_PUBLISHED: "Agenda published",
    Meeting.Status.HELD: "Held; minutes to follow",
    Meeting.Status.MINUTES_DRAFTED: "Held; minutes to follow",
    Meeting.Status.MINUTES_APPROVED: "Minutes approved",
    Meeting.Status.CANCELLED: "Cancelled",
}


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


@router.get(
    "/{slug}/meetings",
    response={200: schemas.PublicMeetingPage, 404: schemas.Refusal, 429: schemas.Refusal},
    summary="The board's public meetings, newest first",
)
def public_meetings(
    request: HttpRequest, slug: str, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> dict[str, Any]:
    limit_public_rate(request)
    board = permissions.public_board(slug)
    meetings = permissions.public_meetings(board).order_by("-starts_at", "-pk")
    return page(request, meetings, _meetings, limit=limit, offset=offset)


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
    response={200: schemas.PublicMeetingDetail, 404: schemas.Refusal, 429: schemas.Refusal},
    summary="A public meeting with its public agenda, or minutes once approved",
)
def public_meeting(request: HttpRequest, slug: str, pk: int) -> dict[str, Any]:
    limit_public_rate(request)
    board = permissions.public_board(slug)
    meeting = permissions.public_meeting(board, pk)
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


def _collaborations(opportunities: Iterable[Opportunity]) -> list[dict[str, Any]]:
    rows = []
    for opportunity in opportunities:
        # The board's current recommendation, prefetched by the endpoint.
        in_force = getattr(opportunity, "current", [])
        current = in_force[0] if in_force else None
        rows.append(
            {
                "id": opportunity.pk,
                "reference": opportunity.reference,
                "title": opportunity.title,
                "theme": opportunity.theme_label,
                "status": opportunity.status,
                "status_label": opportunity.status_label,
                "lead_organisation": opportunity.lead_organisation.name
                if opportunity.lead_organisation
                else None,
                # Each body's decision and its date, never its conditions, notes or papers.
                "decisions": [
                    {
                        "organisation": referral.organisation.name,
                        "executive_body": referral.organisation.executive_body,
                        "status": referral.status,
                        "status_label": referral.get_status_display(),
                        "decided_at": referral.decided_at,
                    }
                    for referral in (current.referrals.all() if current else [])
                ],
            }
        )
    return rows


@router.get(
    "/{slug}/register",
    response={200: schemas.PublicCollaborationPage, 404: schemas.Refusal, 429: schemas.Refusal},
    summary="The public register of approved collaborations, newest first",
)
def public_register(
    request: HttpRequest, slug: str, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> dict[str, Any]:
    limit_public_rate(request)
    board = permissions.public_board(slug)
    decisions = Referral.objects.select_related("organisation").order_by("organisation__name")
    current = Recommendation.objects.in_force().prefetch_related(
        Prefetch("referrals", queryset=decisions)
    )
    opportunities = (
        permissions.public_opportunities(board)
        .select_related("lead_organisation")
        .prefetch_related(Prefetch("recommendations", queryset=current, to_attr="current"))
        .order_by("-pk")
    )
    return page(request, opportunities, _collaborations, limit=limit, offset=offset)


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


@router.get(
    "/{slug}/not-pursued",
    response={200: schemas.NotPursuedPage, 404: schemas.Refusal, 429: schemas.Refusal},
    summary="What the board considered and did not pursue, if it publishes it",
)
def public_not_pursued(
    request: HttpRequest, slug: str, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> dict[str, Any]:
    limit_public_rate(request)
    board = permissions.public_board(slug)
    opportunities = permissions.public_not_pursued(board)
    return page(request, opportunities, _not_pursued, limit=limit, offset=offset)
