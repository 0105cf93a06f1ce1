"""Pages of the delivery milestones: the list with a form to add one, and the edit form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from boards.http import AuthenticatedHttpRequest
from core.concurrency import NEVER, EditConflict

from . import permissions
from .milestone_forms import MilestoneForm
from .milestone_services import milestone_add, milestone_refusal, milestone_update
from .models import Milestone, Opportunity, delivery_progress
from .services import WorkflowError

NOT_ALLOWED = "Only the board's secretariat or the collaboration's lead officer may do this."


def _milestone_opportunity(request: AuthenticatedHttpRequest, pk: int) -> Opportunity:
    """The opportunity if the person may see it (else 404) and keep its milestones (else
    403)."""
    opportunity = (
        permissions.opportunities_visible_to(request.user)
        .select_related("board", "lead_organisation", "owner")
        .filter(pk=pk)
        .first()
    )
    if opportunity is None:
        raise Http404("There is no opportunity with this reference that you may see.")
    if not permissions.can_manage_milestones(request.user, opportunity):
        raise PermissionDenied(NOT_ALLOWED)
    return opportunity


@require_http_methods(["GET", "POST"])
def milestone_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = _milestone_opportunity(request, pk)
    refusal = milestone_refusal(opportunity)
    form = MilestoneForm(request.POST or None, version=NEVER)
    if request.method == "POST":
        if refusal:
            messages.error(request, refusal)
            return redirect("milestone_list", pk=pk)
        if form.is_valid():
            try:
                data = form.edited_data()
                milestone_add(opportunity=opportunity, actor=request.user, **data)
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Milestone “{data['title']}” added.")
                return redirect("milestone_list", pk=pk)
    milestones = list(opportunity.milestones.all())
    return render(
        request,
        "opportunities/milestones.html",
        {
            "opportunity": opportunity,
            "milestones": milestones,
            "progress": delivery_progress(milestones),
            "form": form,
            "refusal": refusal,
        },
    )


@require_http_methods(["GET", "POST"])
def milestone_edit(request: AuthenticatedHttpRequest, pk: int, milestone: int) -> HttpResponse:
    opportunity = _milestone_opportunity(request, pk)
    found = get_object_or_404(Milestone, pk=milestone, opportunity=opportunity)
    refusal = milestone_refusal(opportunity)
    if refusal:
        messages.error(request, refusal)
        return redirect("milestone_list", pk=pk)
    initial = {
        "title": found.title,
        "description": found.description,
        "due_on": found.due_on,
        "percent_complete": found.percent_complete,
    }
    form = MilestoneForm(request.POST or None, initial=initial, version=found.edit_version)
    if request.method == "POST" and form.is_valid():
        data = form.edited_data()
        try:
            changed = milestone_update(
                milestone=found, actor=request.user, seen_version=form.opened_version, **data
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Milestone “{found.title}” updated." if changed else "Nothing changed.",
            )
            return redirect("milestone_list", pk=pk)
    return render(
        request,
        "opportunities/milestone_form.html",
        {"opportunity": opportunity, "milestone": found, "form": form},
    )
