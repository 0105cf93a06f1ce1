"""Choosing, from the papers of the meeting at which the board agreed a recommendation, the
papers to send with it to the executives."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from boards.http import AuthenticatedHttpRequest
from core.exceptions import Refused
from opportunities import pack_services
from opportunities import permissions as opportunity_permissions

from . import permissions
from . import services as meeting_services
from .forms import MeetingPapersChoiceForm
from .models import AgreedRecommendation


@require_http_methods(["GET", "POST"])
def recommendation_meeting_papers(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(
        AgreedRecommendation.objects.select_related(
            "recommendation__opportunity__board", "agenda_item__meeting__board"
        ),
        recommendation_id=pk,
    )
    recommendation, meeting = link.recommendation, link.agenda_item.meeting
    opportunity = recommendation.opportunity
    if (
        not opportunity_permissions.opportunities_visible_to(request.user)
        .filter(pk=opportunity.pk)
        .exists()
    ):
        raise Http404("There is no recommendation here that you may see.")
    if not (
        opportunity_permissions.can_manage_recommendation_papers(request.user, opportunity)
        and permissions.can_manage_meeting(request.user, meeting)
    ):
        raise PermissionDenied("Only the board's secretariat may add papers to a recommendation.")
    form = MeetingPapersChoiceForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            added = meeting_services.recommendation_papers_choose(
                recommendation=recommendation,
                actor=request.user,
                papers=form.cleaned_data["papers"],
            )
        except Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                f"{len(added)} paper{'s' if len(added) != 1 else ''} will be sent with the "
                "recommendation.",
            )
        return redirect("recommendation_papers", pk=pk)
    return render(
        request,
        "meetings/recommendation_papers_choose.html",
        {
            "form": form,
            "meeting": meeting,
            "recommendation": recommendation,
            "opportunity": opportunity,
            "refusal": pack_services.pack_refusal(recommendation),
        },
    )
