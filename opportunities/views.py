import hashlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import AuditEvent
from audit.services import download_record
from boards import two_factor
from boards.http import AuthenticatedHttpRequest
from boards.models import Board
from boards.permissions import executive_organisation_ids
from core import caching, check_answers
from core.concurrency import EditConflict
from core.govuk import count_of, govuk_date
from core.markings import marking_initial
from core.page_cache import cached_page
from core.pagination import CountedAheadPaginator

from . import (
    exports,
    permissions,
    referral_views,
    review_views,
    selectors,
    services,
    snapshots,
    versions,
)
from .forms import (
    AssessmentForm,
    DecisionForm,
    OpportunityForm,
    ReasonForm,
    RecommendationForm,
    TransitionForm,
)
from .models import (
    RECOMMENDABLE,
    Opportunity,
    Recommendation,
    Referral,
    ReferralDocument,
    ReferralEvent,
    Status,
    manual_transitions,
)

PAGE_SIZE = 25
# What a line of the referrals inbox shows.
INBOX_REFERRAL_FIELDS = (
    "status",
    "due_on",
    "recommendation__version",
    "recommendation__opportunity__title",
    "organisation__name",
    "organisation__short_name",
)
OVERDUE_SHOWN = 10
RECENTLY_DECIDED_SHOWN = 10


# --- the register -------------------------------------------------------------------------------


@require_GET
@cached_page
def register_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = request.user
    form, opportunities, sort = selectors.register_filtered(request.user, request.GET)
    opportunities = (
        opportunities.select_related("lead_organisation")
        .defer("summary", "non_cashable_benefits", "risks")
        .order_by(sort, "-pk")
    )
    paginator = Paginator(opportunities, PAGE_SIZE)
    paginator.__dict__["count"] = versions.cached_count(opportunities.order_by())
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.with_participating_names(_page_rows(page, opportunities))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "opportunities/register_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_propose": bool(permissions.boards_for_proposing(person)),
            "today": timezone.localdate(),
        },
    )


DEEP_PAGE_OFFSET = 1000


def _page_rows(page, opportunities) -> list[Opportunity]:
    """The page's rows. Deep in the register the page is found by its ids first (a walk along
    the sort's index that reads no table rows) and the 25 rows fetched by id afterwards, so a
    late page costs little more than the first."""
    offset = page.start_index() - 1
    if offset < DEEP_PAGE_OFFSET:
        return list(page.object_list)
    ids = list(opportunities.values_list("pk", flat=True)[offset : offset + PAGE_SIZE])
    rows = opportunities.model.objects.select_related("lead_organisation").in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def _page_number(request: AuthenticatedHttpRequest) -> int:
    raw = request.GET.get("page", "")
    return min(int(raw), 100_000) if raw.isascii() and raw.isdigit() and int(raw) > 0 else 1


def _visible_opportunity(request: AuthenticatedHttpRequest, pk: int) -> Opportunity:
    opportunity = (
        permissions.opportunities_visible_to(request.user)
        .select_related("board", "lead_organisation", "owner", "proposed_by")
        .filter(pk=pk)
        .first()
    )
    if opportunity is None:
        raise Http404("There is no opportunity with this reference that you may see.")
    return opportunity


def _managed_opportunity(request: AuthenticatedHttpRequest, pk: int) -> Opportunity:
    opportunity = _visible_opportunity(request, pk)
    if not permissions.can_manage_opportunity(request.user, opportunity):
        raise PermissionDenied("Only the board's secretariat may do this.")
    return opportunity


# What the timeline shows of each event (its long columns, the hash chain and the request's
# details, stay in the database).
TIMELINE_FIELDS = ("at", "verb", "summary", "before", "after", "actor__full_name")
TIMELINE_SHOWN = 200


@require_GET
@cached_page
def opportunity_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = _visible_opportunity(request, pk)
    referrals = permissions.with_decision_notes_readable(
        Referral.objects.select_related("organisation", "decided_by", "recorded_by"),
        request.user,
    ).prefetch_related(
        Prefetch(
            "documents",
            queryset=ReferralDocument.objects.filter(
                permissions.decision_documents_q(request.user)
            ),
        ),
        Prefetch("events", queryset=ReferralEvent.objects.select_related("actor", "decided_by")),
    )
    recommendations = list(
        opportunity.recommendations.select_related("recorded_by").prefetch_related(
            Prefetch("referrals", queryset=referrals.order_by("organisation__name")), "papers"
        )
    )
    for recommendation in recommendations:
        recommendation.outcome_value = recommendation.outcome_of(recommendation.referrals.all())
        for referral in selectors.withhold_decision_notes(recommendation.referrals.all()):
            if getattr(referral, "notes_withheld", False):
                for event in referral.events.all():
                    if event.kind == ReferralEvent.Kind.DECISION and event.note:
                        event.note = permissions.WITHHELD_NOTES
    participating = list(opportunity.participating_organisations.order_by("name"))
    may_manage = permissions.can_manage_opportunity(request.user, opportunity)
    my_bodies = executive_organisation_ids(request.user)
    return render(
        request,
        "opportunities/opportunity_detail.html",
        {
            **review_views.review_section(
                request, opportunity, selectors.bodies_of(opportunity, participating)
            ),
            "opportunity": opportunity,
            "participating": participating,
            "recommendations": recommendations,
            "timeline": AuditEvent.objects.for_subject(opportunity)
            .select_related("actor")
            .only(*TIMELINE_FIELDS)[:TIMELINE_SHOWN],
            "may_manage": may_manage,
            "transition_form": TransitionForm(
                _withdrawal_answers(request, opportunity).data()
                if check_answers.CHANGE_PARAMETER in request.GET
                else None,
                choices=manual_transitions(opportunity.status),
                opportunity=opportunity,
            )
            if may_manage
            else None,
            "resume_form": ReasonForm()
            if may_manage and selectors.has_paused_decisions(opportunity)
            else None,
            "may_recommend": may_manage and opportunity.status in RECOMMENDABLE,
            "my_referrals": [
                referral
                for recommendation in recommendations
                for referral in recommendation.referrals.all()
                if referral.organisation_id in my_bodies and referral.sent_at
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def opportunity_propose(request: AuthenticatedHttpRequest) -> HttpResponse:
    boards = permissions.boards_for_proposing(request.user)
    if not boards:
        raise PermissionDenied("Only members of a board may propose opportunities.")
    board = _chosen_board(request, boards)
    if board is None:
        return render(request, "opportunities/choose_board.html", {"boards": boards})
    form = OpportunityForm(request.POST or None, board=board)
    if request.method == "POST" and form.is_valid():
        opportunity = services.opportunity_propose(
            board=board,
            proposed_by=request.user,
            participating=form.cleaned_data["participating_organisations"],
            estimates=form.estimates(),
            benefits_by=form.cleaned_data.get("benefits_by"),
            **form.opportunity_fields(),
        )
        messages.success(
            request, f"{opportunity.reference} has been proposed. The secretariat will assess it."
        )
        return redirect(opportunity)
    return render(
        request,
        "opportunities/opportunity_form.html",
        {
            "form": form,
            "board": board,
            "heading": "Propose a collaboration opportunity",
            "submit": "Propose",
        },
    )


def _chosen_board(request: AuthenticatedHttpRequest, boards: list[Board]) -> Board | None:
    if len(boards) == 1:
        return boards[0]
    slug = request.GET.get("board")
    return next((board for board in boards if board.slug == slug), None)


@require_http_methods(["GET", "POST"])
def opportunity_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = _managed_opportunity(request, pk)
    form = AssessmentForm(
        request.POST or None,
        instance=opportunity,
        board=opportunity.board,
        version=opportunity.edit_version,
    )
    if request.method == "POST" and form.is_valid():
        data = form.edited_data()
        participating = data.pop("participating_organisations")
        try:
            services.opportunity_update(
                opportunity=opportunity,
                actor=request.user,
                participating=participating,
                seen_version=form.opened_version,
                **data,
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)
        else:
            messages.success(request, f"{opportunity.reference} has been updated.")
            return redirect(opportunity)
    return render(
        request,
        "opportunities/opportunity_form.html",
        {
            "form": form,
            "board": opportunity.board,
            "opportunity": opportunity,
            "heading": f"Edit {opportunity.reference}",
            "submit": "Save changes",
        },
    )


@require_http_methods(["GET", "POST"])
def opportunity_transition(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = _managed_opportunity(request, pk)
    pending = _withdrawal_answers(request, opportunity)
    confirming = check_answers.is_confirmation(request)
    data = pending.data() if confirming or request.method == "GET" else request.POST
    if data is None or (
        request.method == "GET" and check_answers.CHECK_PARAMETER not in request.GET
    ):
        if confirming:
            messages.error(request, check_answers.NOT_KEPT)
        return redirect(opportunity)
    form = TransitionForm(
        data, choices=manual_transitions(opportunity.status), opportunity=opportunity
    )
    if not form.is_valid():
        if "to" in form.errors:
            messages.error(
                request,
                f"{opportunity.reference} is {opportunity.get_status_display().lower()} and "
                "cannot be moved to the status you chose. Pick one of the statuses offered.",
            )
        else:
            for errors in form.errors.values():
                messages.error(request, " ".join(str(error) for error in errors))
        return redirect(opportunity)
    # Withdrawing closes the executives' referrals and cannot be taken back: checked first.
    if form.cleaned_data["to"] == Status.WITHDRAWN and not confirming:
        if request.method == "POST":
            pending.keep()
            return redirect(check_answers.check_url(request))
        return _withdrawal_check_page(request, opportunity, form)
    pending.discard()
    try:
        services.opportunity_transition(
            opportunity=opportunity,
            actor=request.user,
            to=form.cleaned_data["to"],
            reason=form.cleaned_data["reason"],
            revisit_on=form.cleaned_data["revisit_on"],
        )
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{opportunity.reference} is now {opportunity.get_status_display().lower()}."
        )
    return redirect(opportunity)


def _withdrawal_answers(
    request: AuthenticatedHttpRequest, opportunity: Opportunity
) -> check_answers.PendingAnswers:
    return check_answers.PendingAnswers(request, f"withdraw-{opportunity.pk}")


def _withdrawal_check_page(
    request: AuthenticatedHttpRequest, opportunity: Opportunity, form: TransitionForm
) -> HttpResponse:
    change = f"{opportunity.get_absolute_url()}?{check_answers.CHANGE_PARAMETER}"
    rows = [
        check_answers.Row("Opportunity", f"{opportunity.reference} {opportunity.title}"),
        *(
            check_answers.Row(row.key, row.value, change + row.change_url.partition("?change")[2])
            for row in check_answers.rows_from_form(request, form, ["to", "reason", "revisit_on"])
        ),
    ]
    open_referrals = Referral.objects.filter(
        recommendation__opportunity=opportunity,
        status__in=Referral.DECIDABLE,
        sent_at__isnull=False,
    ).count()
    return check_answers.render_check_page(
        request,
        title=f"Check your answers \u2013 Withdraw {opportunity.reference}",
        heading=f"Check before you withdraw {opportunity.reference}",
        rows=rows,
        confirm_label="Withdraw the opportunity",
        back_url=opportunity.get_absolute_url(),
        back_label="Keep it as it is",
        warning="Withdrawing cannot be undone: "
        + (
            f"{open_referrals} referral{'s' if open_referrals != 1 else ''} awaiting a decision "
            "will be closed and the executives told."
            if open_referrals
            else "the opportunity leaves the register's active work."
        ),
        context={"check_back_crumb": opportunity.reference},
    )


@require_POST
def opportunity_resume(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = _managed_opportunity(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the reason for resuming the decisions.")
        return redirect(opportunity)
    try:
        services.opportunity_resume(
            opportunity=opportunity, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Decisions on {opportunity.reference} have resumed; the executives have been told.",
        )
    return redirect(opportunity)


# --- recommendations ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def recommendation_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = _managed_opportunity(request, pk)
    refusal = opportunity.recommendation_refusal()
    if refusal:
        messages.error(request, refusal)
        return redirect(opportunity)
    form = RecommendationForm(
        request.POST or None,
        opportunity=opportunity,
        initial=marking_initial(request.user.default_handling),
    )
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = services.recommendation_record(
                opportunity=opportunity,
                actor=request.user,
                marking=form.chosen_marking(),
                **form.data_without_marking(),
            )
        except services.WorkflowError as error:
            messages.error(request, str(error))
            return redirect(opportunity)
        messages.success(
            request,
            f"Recommendation v{recommendation.version} is recorded. Check it, then send it to "
            "the executives.",
        )
        return redirect(opportunity)
    return render(
        request,
        "opportunities/recommendation_form.html",
        {"form": form, "opportunity": opportunity},
    )


@require_POST
def recommendation_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(Recommendation.objects.select_related("opportunity"), pk=pk)
    opportunity = _managed_opportunity(request, recommendation.opportunity_id)
    if not check_answers.is_confirmation(request):
        return _sending_check_page(request, opportunity, recommendation)
    try:
        services.recommendation_send(recommendation=recommendation, actor=request.user)
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Recommendation v{recommendation.version} has been sent to the executives."
        )
    return redirect(opportunity)


def _sending_check_page(
    request: AuthenticatedHttpRequest, opportunity: Opportunity, recommendation: Recommendation
) -> HttpResponse:
    bodies = [
        referral.organisation.executive_body or referral.organisation.name
        for referral in recommendation.referrals.select_related("organisation").order_by(
            "organisation__name"
        )
    ]
    papers = recommendation.papers.count()
    return check_answers.render_check_page(
        request,
        title=f"Check your answers \u2013 Send recommendation v{recommendation.version} on "
        f"{opportunity.reference}",
        heading=f"Check recommendation v{recommendation.version} before it is sent",
        rows=[
            check_answers.Row("Opportunity", f"{opportunity.reference} {opportunity.title}"),
            check_answers.Row("Recommendation", recommendation.wording),
            check_answers.Row("Date agreed by the board", govuk_date(recommendation.agreed_on)),
            check_answers.Row("Decisions due by", govuk_date(recommendation.decision_due_on)),
            check_answers.Row("Sent to the executives of", ", ".join(bodies) or "No body"),
            check_answers.Row("Papers", count_of(papers, "paper") if papers else "None"),
        ],
        confirm_label="Send to the executives",
        back_url=opportunity.get_absolute_url(),
        back_label="Not yet: back to the opportunity",
        warning="Once sent, each body's executives are told and the papers are frozen as the "
        "referral pack; a change needs a revised recommendation.",
        context={"check_back_crumb": opportunity.reference},
    )


# --- the executive's inbox and decisions -----------------------------------------------------


@require_GET
@cached_page
def referral_inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    bodies = executive_organisation_ids(request.user)
    if not bodies:
        raise PermissionDenied(
            "The referrals inbox is for people who record their body's decisions."
        )
    # Only what the rows show: a recommendation's pack and the search columns are wide.
    base = (
        Referral.objects.for_executive(bodies)
        .select_related("organisation", "recommendation__opportunity")
        .only(*INBOX_REFERRAL_FIELDS)
    )
    page = CountedAheadPaginator(
        base.awaiting_decision().order_by("due_on", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    decided = (
        # decided_at IS NOT NULL lets the index of recent decisions skip the undecided (which
        # come first in its descending order) rather than read past them.
        base.filter(status__in=Referral.DECISIONS, decided_at__isnull=False)
        .exclude(status=Referral.Status.DEFERRED)
        .select_related("decided_by")
        .only(*INBOX_REFERRAL_FIELDS, "decided_at", "decided_by__full_name")
        .order_by("-decided_at")[:RECENTLY_DECIDED_SHOWN]
    )
    return render(
        request,
        "opportunities/referral_inbox.html",
        {
            "awaiting": page.object_list,
            "page": page,
            "decided": decided,
            "today": timezone.localdate(),
        },
    )


def _executive_referral(request: AuthenticatedHttpRequest, pk: int) -> Referral:
    referral = get_object_or_404(
        Referral.objects.select_related(
            "organisation",
            "recommendation__opportunity__lead_organisation",
            "recommendation__opportunity__board",
            "decided_by",
            "recorded_by",
        ),
        pk=pk,
        sent_at__isnull=False,
    )
    if not permissions.can_decide_referral(request.user, referral):
        raise Http404("There is no referral here for a body you decide for.")
    return referral


@require_http_methods(["GET", "POST"])
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = _executive_referral(request, pk)
    # Recording a decision needs a recent second factor: asked for before the form is filled
    # in, and a decision posted without it is refused (nothing is recorded).
    fresh = two_factor.is_fresh(request)
    if request.method == "POST" and not fresh:
        # From the check page, back to it afterwards: the answers are kept meanwhile.
        back = check_answers.check_url(request) if check_answers.is_confirmation(request) else None
        return two_factor.step_up_redirect(request, back or request.path)
    pending = check_answers.PendingAnswers(request, f"decision-{referral.pk}")
    form = referral_views.decision_form(request, referral, pending, DecisionForm)
    if form is None:
        messages.error(request, check_answers.NOT_KEPT)
        return redirect(referral)
    if request.method == "POST" and form.is_valid():
        if not check_answers.is_confirmation(request):
            pending.keep()
            return redirect(check_answers.check_url(request))
        try:
            services.referral_decide(
                referral=referral,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                reference=form.cleaned_data["reference"],
                notes=form.cleaned_data["notes"],
                seen_revision=form.cleaned_data["revision"],
                documents=form.documents(),
                notice=services.DecisionNoticeFields(**form.notice_fields()),
                marking=form.chosen_marking(),
            )
        except services.ReferralNotDecidable as error:
            pending.discard()
            messages.error(request, str(error))
            return redirect(referral)
        pending.discard()
        messages.success(
            request, f"The decision of {referral.organisation.executive_body} is recorded."
        )
        return redirect("referral_inbox")
    if referral_views.checking(request, form) and fresh:
        refusal = referral.refusal()
        if refusal:  # closed or paused since the form was opened: nothing to confirm
            pending.discard()
            messages.error(request, refusal)
            return redirect(referral)
        return referral_views.decision_check_page(request, referral, form, pending)
    opportunity = referral.recommendation.opportunity
    return render(
        request,
        "opportunities/referral_detail.html",
        {
            "referral": referral,
            "recommendation": referral.recommendation,
            "opportunity": opportunity,
            "participating": opportunity.participating_organisations.order_by("name"),
            "other_referrals": referral.recommendation.referrals.exclude(pk=referral.pk)
            .select_related("organisation")
            .order_by("organisation__name"),
            "documents": referral.documents.filter(permissions.decision_documents_q(request.user)),
            "form": form if referral.is_decidable and fresh else None,
            "kept_documents": pending.file_names() if form.is_bound else {},
            "step_up_url": two_factor.verify_url(request.path, step_up=True)
            if referral.is_decidable and not fresh
            else None,
            "refusal": referral.refusal(),
            **referral_views.record_context(request, referral),
            "pack": snapshots.pack_view(referral.recommendation),
        },
    )


@require_GET
def referral_document(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    document = get_object_or_404(
        ReferralDocument.objects.select_related(
            "referral__recommendation__opportunity__board", "referral__organisation"
        ),
        pk=pk,
    )
    # A body's decision documents are read by whoever may read its decision (one rule).
    if not permissions.can_view_decision_record(request.user, document.referral, document.handling):
        raise Http404("There is no document here that you may read.")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("This document's file is missing; tell the board's secretariat.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    download_record(
        request=request,
        subject=document.referral,
        what="decision_document",
        name=f"decision document “{document.original_name}”",
    )
    return response


# --- the secretariat's decision matrix --------------------------------------------------------

# A row of the matrix is kept under a digest of everything it shows, so a change to any of it
# is a new key (never a stale row); unchanged rows are not rendered again.
MATRIX_ROW_SECONDS = 60 * 60


def _value_of(referral: Referral, field: str) -> object:
    value: object = referral
    for part in field.split("__"):
        value = getattr(value, part, None)
        if value is None:
            break
    return value


def _matrix_row_key(row: dict, today) -> str:
    recommendation = row["recommendation"]
    shown = [
        today,
        recommendation.pk,
        recommendation.version,
        recommendation.superseded_at,
        recommendation.opportunity_id,
        recommendation.opportunity.title,
        row["outcome_label"],
        [
            None
            if referral is None
            else [referral.pk, *(_value_of(referral, f) for f in selectors.MATRIX_REFERRAL_FIELDS)]
            for referral in row["cells"]
        ],
    ]
    return "matrix-row:" + hashlib.sha256(repr(shown).encode()).hexdigest()


def _matrix_row_html(rows: list[dict]) -> list[SafeString]:
    """Each row's HTML, from the cache where the same row was rendered before."""
    today = timezone.localdate()
    keys = [_matrix_row_key(row, today) for row in rows]
    found = caching.get_many(keys)
    made: dict[str, str] = {}
    html = []
    for key, row in zip(keys, rows, strict=True):
        text = found.get(key)
        if text is None:
            text = made[key] = render_to_string(
                "opportunities/includes/matrix_row.html", {"row": row}
            )
        html.append(mark_safe(text))  # noqa: S308 -- rendered (and escaped) by the template
    if made:
        caching.set_many(made, MATRIX_ROW_SECONDS)
    return html


@require_GET
@cached_page
def decision_matrix(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = permissions.decision_matrix_board(request.user, slug)
    bodies = list(board.active_bodies())
    recommendations = selectors.matrix_recommendations(board)
    # Newest first, a page at a time with "newer" and "older" links: a log needs no total.
    number = _page_number(request)
    fetched = list(recommendations[(number - 1) * PAGE_SIZE : number * PAGE_SIZE + 1])
    page = {
        "number": number,
        "has_older": len(fetched) > PAGE_SIZE,
        "has_newer": number > 1,
    }
    rows = []
    for recommendation in fetched[:PAGE_SIZE]:
        by_body = {
            referral.organisation_id: referral for referral in recommendation.referrals.all()
        }
        rows.append(
            {
                "recommendation": recommendation,
                "cells": [by_body.get(body.pk) for body in bodies],
                "outcome": recommendation.outcome_of(by_body.values()),
                "outcome_label": exports.outcome_label(recommendation, by_body.values()),
            }
        )
    for row, html in zip(rows, _matrix_row_html(rows), strict=True):
        row["html"] = html
    overdue = (
        Referral.objects.awaiting_decision()
        .filter(recommendation__opportunity__board=board, due_on__lt=timezone.localdate())
        .select_related("organisation", "recommendation__opportunity")
        .only(*selectors.ATTENTION_REFERRAL_FIELDS)
        .order_by("due_on", "pk")
    )
    overdue_shown = list(overdue[: OVERDUE_SHOWN + 1])  # one more says whether there are more
    return render(
        request,
        "opportunities/decision_matrix.html",
        {
            "board": board,
            "bodies": bodies,
            "rows": rows,
            "page": page,
            "overdue": overdue_shown[:OVERDUE_SHOWN],
            "more_overdue": len(overdue_shown) > OVERDUE_SHOWN,
        },
    )
