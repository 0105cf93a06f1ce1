"""The signed-in API: the register, recommendations, referrals and decisions, and meetings,
each answering exactly what the token's person may see — through the same permission functions
and selectors as the pages (no rule of its own) — and recording a body's decision through the
same form and service as the web page."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router

from boards.models import User
from boards.permissions import executive_organisation_ids
from forwardplan import permissions as plan_permissions
from forwardplan import selectors as plan_selectors
from meetings import permissions as meeting_permissions
from meetings.models import AgendaItem, Meeting
from meetings.selectors import Withheld, meetings_visible_to, numbered_agenda
from opportunities import permissions, services
from opportunities.forms import DecisionForm
from opportunities.models import Opportunity, Recommendation, Referral
from opportunities.selectors import withhold_decision_notes

from . import schemas
from .auth import TokenAuth
from .errors import ApiRefusal
from .paging import DEFAULT_LIMIT, page

router = Router(auth=TokenAuth())
REFUSED = {401: schemas.Refusal, 404: schemas.Refusal, 429: schemas.Refusal}
NOT_EXECUTIVE = "The referrals inbox is for people who record their body's decisions."


# --- the register -------------------------------------------------------------------------------


def _opportunity(opportunity: Opportunity) -> dict[str, Any]:
    return {
        "id": opportunity.pk,
        "reference": opportunity.reference,
        "board": opportunity.board.slug,
        "title": opportunity.title,
        "theme": opportunity.theme_label,
        "status": opportunity.status,
        "status_label": opportunity.status_label,
        "rag": opportunity.rag,
        "lead_organisation": opportunity.lead_organisation.name
        if opportunity.lead_organisation
        else None,
        "next_review_on": opportunity.next_review_on,
        "updated_at": opportunity.updated_at,
    }


def _opportunities(opportunities: Iterable[Opportunity]) -> list[dict[str, Any]]:
    return [_opportunity(opportunity) for opportunity in opportunities]


@router.get(
    "/register",
    response={200: schemas.OpportunityPage, **REFUSED},
    tags=["Register"],
    summary="The register: the opportunities you may see, last changed first",
)
def register(request: HttpRequest, limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict:
    opportunities = (
        permissions.opportunities_visible_to(request.user)
        .select_related("board", "lead_organisation")
        .order_by("-updated_at", "-pk")
    )
    return page(request, opportunities, _opportunities, limit=limit, offset=offset)


@router.get(
    "/register/{pk}",
    response={200: schemas.OpportunityDetail, **REFUSED},
    tags=["Register"],
    summary="One opportunity of the register",
)
def opportunity(request: HttpRequest, pk: int) -> dict:
    found = (
        permissions.opportunities_visible_to(request.user)
        .select_related("board", "lead_organisation")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("There is no opportunity with this reference that you may see.")
    return {**_opportunity(found), "summary": found.summary}


# --- recommendations ----------------------------------------------------------------------------


def _recommendations(recommendations: Iterable[Recommendation]) -> list[dict[str, Any]]:
    return [
        {
            "id": recommendation.pk,
            "opportunity": recommendation.opportunity_id,
            "reference": recommendation.opportunity.reference,
            "version": recommendation.version,
            "wording": recommendation.wording,
            "agreed_on": recommendation.agreed_on,
            "decision_due_on": recommendation.decision_due_on,
            "sent_at": recommendation.sent_at,
            "superseded_at": recommendation.superseded_at,
        }
        for recommendation in recommendations
    ]


@router.get(
    "/recommendations",
    response={200: schemas.RecommendationPage, **REFUSED},
    tags=["Recommendations"],
    summary="The board's recommendations on the opportunities you may see, newest first",
)
def recommendations(request: HttpRequest, limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict:
    # The opportunity's page lists every one of its recommendations.
    visible = permissions.opportunities_visible_to(request.user)
    rows = (
        Recommendation.objects.filter(opportunity__in=visible)
        .select_related("opportunity")
        .order_by("-recorded_at", "-pk")
    )
    return page(request, rows, _recommendations, limit=limit, offset=offset)


# --- referrals and decisions --------------------------------------------------------------------

REFERRAL_FIELDS = ("organisation", "recommendation__opportunity")


def _referrals(person) -> Any:
    def shown(referrals: Iterable[Referral]) -> list[dict[str, Any]]:
        return [_referral(person, referral) for referral in referrals]

    return shown


def _referral(person, referral: Referral) -> dict[str, Any]:
    opportunity = referral.recommendation.opportunity
    return {
        "id": referral.pk,
        "recommendation": referral.recommendation_id,
        "opportunity": opportunity.pk,
        "reference": opportunity.reference,
        "title": opportunity.title,
        "organisation": referral.organisation.name,
        "executive_body": referral.organisation.executive_body,
        "status": referral.status,
        "status_label": referral.get_status_display(),
        "sent_at": referral.sent_at,
        "due_on": referral.due_on,
        "revision": referral.revision,
        "may_decide": permissions.can_decide_referral(person, referral) and referral.is_decidable,
    }


@router.get(
    "/referrals",
    response={200: schemas.ReferralPage, 403: schemas.Refusal, **REFUSED},
    tags=["Referrals and decisions"],
    summary="Referrals whose decision record you may read; awaiting=true: your bodies' inbox",
)
def referrals(
    request: HttpRequest, awaiting: bool = False, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> dict:
    person = request.user
    rows: QuerySet[Referral]
    if awaiting:
        bodies = executive_organisation_ids(person)
        if not bodies:
            raise ApiRefusal(403, NOT_EXECUTIVE)
        rows = Referral.objects.for_executive(bodies).awaiting_decision().order_by("due_on", "pk")
    else:
        rows = permissions.decision_records_visible_to(person).order_by("-sent_at", "-pk")
    rows = rows.select_related(*REFERRAL_FIELDS)
    return page(request, rows, _referrals(person), limit=limit, offset=offset)


def _readable_referral(person, pk: int) -> Referral:
    referral = (
        Referral.objects.select_related(*REFERRAL_FIELDS)
        .filter(pk=pk, sent_at__isnull=False)
        .first()
    )
    if referral is None or not permissions.can_view_decision_record(person, referral):
        raise Http404("There is no referral here that you may read.")
    return referral


@router.get(
    "/referrals/{pk}",
    response={200: schemas.Referral, **REFUSED},
    tags=["Referrals and decisions"],
    summary="One referral",
)
def referral(request: HttpRequest, pk: int) -> dict:
    return _referral(request.user, _readable_referral(request.user, pk))


def _decision(referral: Referral) -> dict[str, Any]:
    return {
        "referral": referral.pk,
        "recommendation": referral.recommendation_id,
        "reference": referral.recommendation.opportunity.reference,
        "organisation": referral.organisation.name,
        "executive_body": referral.executive_body or referral.organisation.executive_body,
        "outcome": referral.status,
        "outcome_label": referral.get_status_display(),
        "decision_reference": referral.decision_reference,
        "notes": referral.notes,
        "decided_at": referral.decided_at,
        "decision_maker": referral.decision_maker,
        "decision_forum": referral.decision_forum,
        "decision_taken_on": referral.decision_taken_on,
        "reasons": referral.reasons,
        "conditions": referral.conditions,
        "on_behalf": referral.on_behalf,
    }


def _decisions(referrals: Iterable[Referral]) -> list[dict[str, Any]]:
    # Annotated by ``decisions`` (``with_decision_notes_readable``): the notes of an
    # OFFICIAL-SENSITIVE decision only for those who read the body's sensitive decision matter.
    return [_decision(referral) for referral in withhold_decision_notes(referrals)]


@router.get(
    "/decisions",
    response={200: schemas.DecisionPage, **REFUSED},
    tags=["Referrals and decisions"],
    summary="The bodies' decisions whose record you may read, latest first",
)
def decisions(request: HttpRequest, limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict:
    rows = (
        permissions.with_decision_notes_readable(
            permissions.decision_records_visible_to(request.user), request.user
        )
        .filter(status__in=Referral.DECISIONS)
        .select_related(*REFERRAL_FIELDS)
        .order_by("-decided_at", "-pk")
    )
    return page(request, rows, _decisions, limit=limit, offset=offset)


@router.post(
    "/referrals/{pk}/decision",
    response={
        200: schemas.Decision,
        400: schemas.Refusal,
        409: schemas.Refusal,
        **REFUSED,
    },
    tags=["Referrals and decisions"],
    summary="Record your body's decision on a referral",
    description="The same checks, record, audit and notifications as the decision form in the "
    "portal. Send the referral's `revision` as you read it: a referral changed since, decided, "
    "closed or replaced is refused with 409 and a sentence saying why.",
)
def referral_decide(request: HttpRequest, pk: int, decision: schemas.DecisionIn) -> dict:
    # The token's person (TokenAuth made them request.user).
    person = request.user
    assert isinstance(person, User)
    referral = (
        Referral.objects.select_related(*REFERRAL_FIELDS, "recommendation__opportunity__board")
        .filter(pk=pk, sent_at__isnull=False)
        .first()
    )
    if referral is None or not permissions.can_decide_referral(person, referral):
        raise Http404("There is no referral here for a body you decide for.")
    refusal = referral.refusal()
    if refusal:
        raise ApiRefusal(409, refusal)
    form = DecisionForm(data=_form_data(decision), files={})
    if not form.is_valid():
        raise ApiRefusal(400, _form_errors(form))
    try:
        decided = services.referral_decide(
            referral=referral,
            actor=person,
            outcome=form.cleaned_data["outcome"],
            reference=form.cleaned_data["reference"],
            notes=form.cleaned_data["notes"],
            seen_revision=form.cleaned_data["revision"],
            documents=form.documents(),
            notice=services.DecisionNoticeFields(**form.notice_fields()),
        )
    except services.ReferralNotDecidable as error:
        raise ApiRefusal(409, str(error)) from None
    decided = Referral.objects.select_related(*REFERRAL_FIELDS).get(pk=decided.pk)
    return _decision(decided)


def _form_data(decision: schemas.DecisionIn) -> dict[str, str]:
    data = decision.dict()
    taken_on = data.pop("decision_taken_on")
    return {
        **{name: str(value) for name, value in data.items()},
        "decision_taken_on": taken_on.isoformat() if taken_on else "",
    }


def _form_errors(form: DecisionForm) -> str:
    sentences = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            sentences.append(f"{label}: {error}" if label else str(error))
    return " ".join(sentences)


# --- meetings -----------------------------------------------------------------------------------


def _meeting(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "board": meeting.board.slug,
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "where": meeting.where,
        "status": meeting.status,
        "status_label": meeting.get_status_display(),
    }


def _meetings(meetings: Iterable[Meeting]) -> list[dict[str, Any]]:
    return [_meeting(meeting) for meeting in meetings]


@router.get(
    "/meetings",
    response={200: schemas.MeetingPage, **REFUSED},
    tags=["Meetings"],
    summary="The meetings whose page you may open, latest first",
)
def meetings(request: HttpRequest, limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict:
    rows = meetings_visible_to(request.user).select_related("board").order_by("-starts_at", "-pk")
    return page(request, rows, _meetings, limit=limit, offset=offset)


def _item(item: AgendaItem | Withheld) -> dict[str, Any]:
    if isinstance(item, Withheld):
        return {
            "number": item.number,
            "minute_reference": item.minute_reference,
            "title": str(item),
            "exempt": True,
            "withheld": True,
        }
    return {
        "number": item.number,
        "minute_reference": item.minute_reference,
        "title": item.title,
        "exempt": item.confidential,
        "withheld": False,
    }


@router.get(
    "/meetings/{pk}",
    response={200: schemas.MeetingDetail, **REFUSED},
    tags=["Meetings"],
    summary="A meeting and its agenda; exempt items you may not see are their number and reason",
)
def meeting(request: HttpRequest, pk: int) -> dict:
    person = request.user
    found = Meeting.objects.select_related("board").filter(pk=pk).first()
    if found is None or not meeting_permissions.can_view_meeting(person, found):
        raise Http404("No meeting here that you are invited to.")
    items = numbered_agenda(
        found.items.all(),
        confidential_ok=meeting_permissions.may_see_confidential(person, found),
        admitted=meeting_permissions.admitted_items(person, found),
    )
    return {**_meeting(found), "items": [_item(item) for item in items]}


# --- the forward plan ---------------------------------------------------------------------------


@router.get(
    "/forward-plan/{slug}",
    response={200: schemas.ForwardPlan, 403: schemas.Refusal, **REFUSED},
    tags=["Forward plan"],
    summary="The board's forward plan (the next four months); ?organisation=<id>: one body's",
)
def forward_plan(request: HttpRequest, slug: str, organisation: int | None = None) -> dict:
    person = request.user
    board = plan_permissions.plan_board(person, slug)
    body = (
        plan_permissions.body_of_board(person, board, organisation)
        if organisation is not None
        else None
    )
    today = timezone.localdate()
    first, last = plan_selectors.plan_window(today)
    entries = plan_selectors.plan_entries(
        board, first, last, body, plan_selectors.bodies_shown_to(person, board)
    )
    return {
        "board": board.slug,
        "first": first,
        "last": last,
        "entries": [
            {
                "referral": entry.referral_id,
                "reference": entry.referral.recommendation.opportunity.reference,
                "title": entry.referral.recommendation.opportunity.title,
                "organisation": entry.referral.organisation.name,
                "forum": entry.forum_meeting.forum.name,
                "decision_maker": entry.forum_meeting.forum.decision_maker,
                "meeting_on": entry.forum_meeting.date,
                "key_decision": entry.key_decision,
                "private": entry.private,
                "exempt_paragraph": entry.exempt_paragraph,
                "warnings": entry.warnings(today),
            }
            for entry in entries
        ],
    }
