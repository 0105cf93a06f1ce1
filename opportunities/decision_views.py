"""The decision record's pages: the papers sent with a recommendation, and each body's decision
notice with its PDF."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.selectors import document_issue_of
from boards.http import AuthenticatedHttpRequest
from core.markings import marking_initial

from . import pack_services, permissions, selectors
from .forms import RecommendationPaperForm
from .models import DecisionNotice, Recommendation, RecommendationPaper, Referral
from .notices import NOTICE_KIND, notice_context, notice_referral


def _attachment(file_field, filename: str, content_type: str) -> FileResponse:
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(
            "This file is missing from the store; tell the board's secretariat."
        ) from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the papers sent with a recommendation ------------------------------------------------------


def _managed_recommendation(request: AuthenticatedHttpRequest, pk: int) -> Recommendation:
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("opportunity__board"), pk=pk
    )
    opportunity = recommendation.opportunity
    if not permissions.opportunities_visible_to(request.user).filter(pk=opportunity.pk).exists():
        raise Http404("There is no recommendation here that you may see.")
    if not permissions.can_manage_recommendation_papers(request.user, opportunity):
        raise PermissionDenied("Only the board's secretariat may add papers to a recommendation.")
    return recommendation


@require_http_methods(["GET", "POST"])
def recommendation_papers(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recommendation = _managed_recommendation(request, pk)
    refusal = pack_services.pack_refusal(recommendation)
    form = RecommendationPaperForm(
        request.POST or None,
        request.FILES or None,
        initial=marking_initial(request.user.default_handling),
    )
    if request.method == "POST" and refusal:
        messages.error(request, refusal)
        return redirect("recommendation_papers", pk=pk)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        paper = pack_services.recommendation_paper_add(
            recommendation=recommendation,
            actor=request.user,
            title=form.cleaned_data["title"],
            content=upload,
            name=upload.name,
            size=upload.size,
            kind=form.kind,
            marking=form.chosen_marking(),
        )
        messages.success(request, f"“{paper.title}” will be sent with the recommendation.")
        return redirect("recommendation_papers", pk=pk)
    return render(
        request,
        "opportunities/recommendation_papers.html",
        {
            "recommendation": recommendation,
            "opportunity": recommendation.opportunity,
            "papers": recommendation.papers.select_related("added_by"),
            "form": None if refusal else form,
            "refusal": refusal,
        },
    )


@require_GET
def recommendation_paper(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    paper = get_object_or_404(RecommendationPaper.objects.select_related("recommendation"), pk=pk)
    opportunity_id = paper.recommendation.opportunity_id
    if not permissions.opportunities_visible_to(request.user).filter(pk=opportunity_id).exists():
        raise Http404("There is no paper here that you may read.")
    return _attachment(paper.file, paper.original_name, paper.content_type)


# --- decision notices ----------------------------------------------------------------------------


def _notice_referral(
    request: AuthenticatedHttpRequest, pk: int
) -> tuple[Referral, DecisionNotice | None]:
    """The referral and its notice, when the person may read the notice (its handling marking
    included)."""
    referral = notice_referral(pk)
    if referral is None or not permissions.can_view_decision_record(request.user, referral):
        raise Http404("There is no decision here that you may read.")
    if referral.status not in pack_services.FINAL_DECISIONS:
        raise Http404(
            f"{referral.organisation.name} has not made a final decision on this "
            "recommendation, so there is no decision notice yet."
        )
    notice = DecisionNotice.objects.filter(referral=referral).first()
    if notice is not None and not permissions.can_view_decision_record(
        request.user, referral, notice.handling
    ):
        raise Http404(
            f"This decision notice is {notice.handling.text}: {referral.organisation.name} "
            "keeps it to its own people, the board's chair and the secretariat."
        )
    return referral, notice


@require_GET
def decision_notice(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral, notice = _notice_referral(request, pk)
    notes_shown = permissions.reads_decision_notes(request.user, referral)
    selectors.withhold_decision_notes([referral], request.user)
    return render(
        request,
        "opportunities/decision_notice.html",
        {
            **notice_context(
                referral, permissions.decision_documents_q(request.user), notes_shown=notes_shown
            ),
            "notice": notice,
            "notice_issue": document_issue_of(notice, NOTICE_KIND)
            if notice is not None and notice.state == DecisionNotice.State.READY
            else None,
            "notice_stale": pack_services.notice_is_stale(notice),
        },
    )


@require_GET
def decision_notice_pdf(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    referral, notice = _notice_referral(request, pk)
    if notice is None or notice.state != DecisionNotice.State.READY or not notice.file:
        raise Http404("The decision notice's PDF is not ready yet; try again in a minute.")
    reference = referral.recommendation.opportunity.reference
    name = f"Decision notice {reference} {referral.organisation.short_name}.pdf"
    return _attachment(notice.file, name, "application/pdf")


@require_POST
def decision_notice_build(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask for the PDF again when it was never built (a decision recorded before notices were
    kept), its build failed or was lost; a PDF ready or being built is left alone."""
    referral, notice = _notice_referral(request, pk)
    if pack_services.notice_is_stale(notice):
        pack_services.notice_request_build(referral=referral)
        messages.success(request, "The PDF is being prepared; it will be ready in a minute.")
    return redirect("decision_notice", pk=pk)
