from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import permissions, services
from .forms import InvitePersonForm
from .http import AuthenticatedHttpRequest
from .models import BoardMembership, PersonInvitation


@require_GET
def board_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = permissions.board_for(request.user, slug)
    current = (
        BoardMembership.objects.current()
        .filter(board=board)
        .select_related("person", "organisation")
        .order_by("organisation__name", "person__full_name")
    )
    organisations = board.organisations.order_by("-active", "name").prefetch_related(
        Prefetch("memberships", queryset=current, to_attr="current_members")
    )
    may_invite = permissions.can_invite_people(request.user, board)
    invitations = (
        PersonInvitation.objects.pending().filter(board=board).select_related("person")
        if may_invite
        else []
    )
    return render(
        request,
        "boards/board_detail.html",
        {
            "board": board,
            "organisations": organisations,
            "invitations": invitations,
            "may_invite": may_invite,
        },
    )


@require_http_methods(["GET", "POST"])
def person_invite(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = permissions.board_for(request.user, slug, permissions.can_invite_people)
    form = InvitePersonForm(request.POST or None, board=board)
    if request.method == "POST" and form.is_valid():
        invitation = services.person_invite(
            invited_by=request.user, board=board, **form.cleaned_data
        )
        messages.success(
            request,
            f"{invitation.person.full_name} has been invited. The email with their "
            f"set-password link is on its way; the link works once, for "
            f"{settings.INVITATION_VALID_DAYS} days.",
        )
        return redirect(board)
    return render(request, "boards/person_invite.html", {"board": board, "form": form})


@require_POST
def invitation_resend(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    board = permissions.board_for(request.user, slug, permissions.can_invite_people)
    invitation = get_object_or_404(
        PersonInvitation.objects.filter(board=board, accepted_at__isnull=True), pk=pk
    )
    services.invitation_resend(invitation=invitation, invited_by=request.user)
    messages.success(
        request,
        f"A new invitation has been sent to {invitation.person.email}; "
        "the old link no longer works.",
    )
    return redirect(board)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = PersonInvitation.find_usable(token)
    if invitation is None:
        return render(request, "registration/invitation_invalid.html", status=404)
    form = SetPasswordForm(invitation.person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except services.InvitationNoLongerValid:
            return render(request, "registration/invitation_invalid.html", status=404)
        except ValidationError as error:  # pragma: no cover - the form validated the same rules
            form.add_error("new_password1", error)
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {person.full_name}. Your password is set.")
            return redirect("home")
    return render(
        request, "registration/invitation_accept.html", {"form": form, "invitation": invitation}
    )
