"""Pages of the reviews: recording a review, setting the estimated benefits, the board's list of
reviews due and overdue, and the review section of the opportunity's page."""

from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from boards.http import AuthenticatedHttpRequest
from boards.models import Organisation
from boards.permissions import board_for
from core.concurrency import EditConflict
from core.page_cache import cached_page

from . import permissions
from .models import (
    DELIVERY_STATES,
    REVIEWS_DUE_WITHIN_DAYS,
    Benefit,
    Opportunity,
    Status,
    delivery_progress,
)
from .review_forms import EstimatesForm, ReviewForm, ReviewsFilterForm, body_benefit_formset
from .review_services import (
    benefit_estimates_set,
    estimates_version,
    review_record,
)
from .selectors import benefits_by_body, benefits_of, current_estimates, opportunity_bodies
from .services import WorkflowError

PAGE_SIZE = 25
ESTIMATE_HISTORY_SHOWN = 50
CLOSED_STATES = (Status.CLOSED, Status.WITHDRAWN)


def _reviewed_opportunity(request: AuthenticatedHttpRequest, pk: int) -> Opportunity:
    """The opportunity if the person may see it (else 404) and review it (else 403)."""
    opportunity = (
        permissions.opportunities_visible_to(request.user)
        .select_related("board", "lead_organisation", "owner")
        .filter(pk=pk)
        .first()
    )
    if opportunity is None:
        raise Http404("There is no opportunity with this reference that you may see.")
    if not permissions.can_review_opportunity(request.user, opportunity):
        raise PermissionDenied(
            "Only the board's secretariat or the opportunity's owner may do this."
        )
    return opportunity


@require_http_methods(["GET", "POST"])
def review_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = _reviewed_opportunity(request, pk)
    if not opportunity.is_under_review:
        messages.error(
            request,
            f"{opportunity.reference} is {opportunity.status_label.lower()}; reviews are recorded "
            "while an opportunity is in delivery, on hold or implemented.",
        )
        return redirect(opportunity)
    data = request.POST if request.method == "POST" else None
    last = opportunity.reviews.order_by("-held_on").values_list("held_on", flat=True).first()
    form = ReviewForm(
        data, opportunity=opportunity, last_held_on=last, version=opportunity.edit_version
    )
    formset = body_benefit_formset(data, bodies=opportunity_bodies(opportunity), prefix="realised")
    if data is not None and all([form.is_valid(), formset.is_valid()]):
        try:
            review_record(
                opportunity=opportunity,
                actor=request.user,
                benefits=formset.lines(),
                seen_version=form.opened_version,
                **form.edited_data(),
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"The review of {opportunity.reference} is recorded.")
            return redirect(opportunity)
    return render(
        request,
        "opportunities/review_form.html",
        {"opportunity": opportunity, "form": form, "formset": formset, "last_held_on": last},
    )


@require_http_methods(["GET", "POST"])
def benefit_estimates(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = _reviewed_opportunity(request, pk)
    if opportunity.status in CLOSED_STATES:
        messages.error(
            request,
            f"{opportunity.reference} is {opportunity.status_label.lower()}; its estimates are "
            "kept as they were.",
        )
        return redirect(opportunity)
    data = request.POST if request.method == "POST" else None
    current = current_estimates(opportunity)
    latest = max(current.values(), key=lambda row: (row.recorded_at, row.pk), default=None)
    form = EstimatesForm(
        data,
        period_end=latest.period_end if latest else None,
        version=estimates_version(opportunity),
    )
    formset = body_benefit_formset(
        data,
        bodies=opportunity_bodies(opportunity),
        prefix="estimated",
        initial={
            pk: {"cashable": row.cashable, "non_cashable": row.non_cashable}
            for pk, row in current.items()
        },
    )
    if data is not None and all([form.is_valid(), formset.is_valid()]):
        try:
            written = benefit_estimates_set(
                opportunity=opportunity,
                actor=request.user,
                period_end=form.cleaned_data["period_end"],
                estimates=formset.lines(),
                seen_version=form.opened_version,
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "The estimated benefits are updated; the earlier estimates stay in the history."
                if written
                else "Nothing changed: the estimates are as they were.",
            )
            return redirect(opportunity)
    history = (
        Benefit.objects.filter(opportunity=opportunity, kind=Benefit.Kind.ESTIMATED)
        .select_related("organisation", "recorded_by")
        .order_by("-recorded_at", "-pk")[:ESTIMATE_HISTORY_SHOWN]
    )
    return render(
        request,
        "opportunities/benefit_estimates.html",
        {"opportunity": opportunity, "form": form, "formset": formset, "history": history},
    )


def review_section(
    request: AuthenticatedHttpRequest,
    opportunity: Opportunity,
    bodies: list[Organisation] | None = None,
) -> dict:
    """What the opportunity's page shows of its reviews and benefits: three queries (reviews,
    benefits, milestones), whatever the number of reviews. ``bodies``, the lead and
    participating bodies, when the page has read them already."""
    benefits = benefits_of(opportunity)
    realised_by_review: dict[int, list[Benefit]] = {}
    for benefit in sorted(benefits, key=lambda row: (row.organisation.name, row.pk)):
        if benefit.review_id is not None:
            realised_by_review.setdefault(benefit.review_id, []).append(benefit)
    reviews = list(opportunity.reviews.select_related("recorded_by"))
    for review in reviews:
        review.realised_benefits = realised_by_review.get(review.pk, [])
    lines = benefits_by_body(
        opportunity, opportunity_bodies(opportunity) if bodies is None else bodies, benefits
    )
    may_review = permissions.can_review_opportunity(request.user, opportunity)
    milestones = list(opportunity.milestones.all())
    return {
        "milestones": milestones,
        "delivery_progress": delivery_progress(milestones),
        "delivers": opportunity.status in DELIVERY_STATES,
        "may_manage_milestones": may_review and opportunity.status in DELIVERY_STATES,
        "reviews": reviews,
        "benefit_lines": lines,
        "estimated_total": sum((line.estimated or Decimal("0") for line in lines), Decimal("0")),
        "estimated_any": any(line.estimate for line in lines),
        "realised_total": sum((line.realised for line in lines), Decimal("0")),
        "may_record_review": may_review and opportunity.is_under_review,
        "may_estimate": may_review and opportunity.status not in CLOSED_STATES,
    }


@require_GET
@cached_page
def board_reviews(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = board_for(
        request.user,
        slug,
        permissions.can_view_reviews,
        "Only the board's members may see its reviews.",
    )
    today = timezone.localdate()
    form = ReviewsFilterForm(request.GET or None)
    due = form.cleaned_data["due"] if form.is_valid() else ""
    opportunities = Opportunity.objects.filter(board=board).review_due_within(
        REVIEWS_DUE_WITHIN_DAYS, on=today
    )
    if due == ReviewsFilterForm.OVERDUE:
        opportunities = opportunities.filter(next_review_on__lt=today)
    elif due == ReviewsFilterForm.SOON:
        opportunities = opportunities.filter(next_review_on__gte=today)
    opportunities = (
        opportunities.select_related("lead_organisation", "owner")
        .only(
            "title",
            "status",
            "rag",
            "next_review_on",
            "lead_organisation__short_name",
            "lead_organisation__name",
            "owner__full_name",
        )
        .annotate(last_review_on=Max("reviews__held_on"))
        .order_by("next_review_on", "pk")
    )
    page = Paginator(opportunities, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "opportunities/board_reviews.html",
        {
            "board": board,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "today": today,
            "soon_until": today + timedelta(days=REVIEWS_DUE_WITHIN_DAYS),
        },
    )
