from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import LogoutView
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import permissions, selectors, services, sessions
from .forms import InvitePersonForm
from .http import AuthenticatedHttpRequest
from .models import BoardMembership, PersonInvitation, SignedInSession


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
            f"{invitation.person.full_name} has been invited. The e-mail with their "
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


# --- Signing out and one's sessions -------------------------------------------------------------


class SignOutView(LogoutView):
    """Django's sign-out, telling the browser to drop what it kept of the portal too."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


@require_GET
def session_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "boards/sessions.html",
        {
            "sessions": selectors.signed_in_sessions_of(request.user),
            "current_key": request.session.session_key,
        },
    )


@require_POST
def session_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(SignedInSession, pk=pk)
    if not permissions.can_end_session(request.user, record):
        raise Http404("There is no such session of yours.")
    if record.session_key == request.session.session_key:
        messages.error(request, "This is the session you are using: to end it, sign out.")
        return redirect("session_list")
    services.session_end(record=record)
    messages.success(request, f"The session on {record.device} is signed out.")
    return redirect("session_list")


@require_POST
def sessions_end_others(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = services.sessions_end_others(
        person=request.user, keep_session_key=request.session.session_key
    )
    if count:
        noun = "session is" if count == 1 else "sessions are"
        messages.success(request, f"{count} other {noun} signed out. This one stays signed in.")
    else:
        messages.info(request, "You were not signed in anywhere else.")
    return redirect("session_list")


@require_http_methods(["GET", "POST"])
def session_keep_alive(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: how long the session has left (not itself activity). POST: "Stay signed in"."""
    if request.method == "POST":
        sessions.touch(request, force=True)
    return JsonResponse({"signed_in": True, "seconds_left": sessions.seconds_left(request.session)})
