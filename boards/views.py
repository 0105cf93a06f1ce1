from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opportunities.models import Referral

from . import meeting_views, permissions, services
from .forms import InvitePersonForm
from .models import Board, BoardMembership, PersonInvitation

# The home page lists the most urgent few of each kind; the full lists are a click away.
ATTENTION_LIMIT = 10


def home(request: HttpRequest) -> HttpResponse:
    person = request.user
    memberships = permissions.current_memberships(person)
    boards = permissions.boards_of(person)
    secretariat_boards = [b for b in boards if permissions.is_secretariat(person, b)]
    pending_invitations = (
        PersonInvitation.objects.pending()
        .filter(board__in=secretariat_boards)
        .select_related("person", "board")
        .order_by("expires_at")
        if secretariat_boards
        else []
    )
    authorities = (
        person.executive_authorities.current()
        .filter(organisation__active=True)
        .select_related("organisation")
        if permissions.is_executive(person)
        else []
    )
    return render(
        request,
        "boards/home.html",
        {
            "memberships": memberships,
            "boards": boards,
            "authorities": authorities,
            "pending_invitations": pending_invitations,
            "referrals_awaiting": _referrals_awaiting(person),
            "overdue_decisions": _overdue_decisions(secretariat_boards),
            "today": timezone.localdate(),
            **meeting_views.home_panels(person),
        },
    )


def _referrals_awaiting(person) -> list:
    bodies = permissions.executive_organisation_ids(person)
    if not bodies:
        return []
    return list(
        Referral.objects.for_executive(bodies)
        .awaiting_decision()
        .select_related("organisation", "recommendation__opportunity")
        .order_by("due_on", "pk")[:ATTENTION_LIMIT]
    )


def _overdue_decisions(boards: list[Board]) -> list:
    if not boards:
        return []
    return list(
        Referral.objects.awaiting_decision()
        .filter(recommendation__opportunity__board__in=boards, due_on__lt=timezone.localdate())
        .select_related("organisation", "recommendation__opportunity")
        .order_by("due_on", "pk")[:ATTENTION_LIMIT]
    )


def board_for(
    request: HttpRequest,
    slug: str,
    allowed,
    refusal: str = "Only the board's secretariat may do this.",
) -> Board:
    """The board, if the person may see it and do the action; 404 hides boards they are not on,
    and ``refusal`` says why a member may not."""
    board = get_object_or_404(Board, slug=slug)
    if not permissions.can_view_board(request.user, board):
        raise Http404("No board here that you are a member of.")
    if not allowed(request.user, board):
        raise PermissionDenied(refusal)
    return board


@require_GET
def board_detail(request: HttpRequest, slug: str) -> HttpResponse:
    board = board_for(request, slug, permissions.can_view_board)
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
def person_invite(request: HttpRequest, slug: str) -> HttpResponse:
    board = board_for(request, slug, permissions.can_invite_people)
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
def invitation_resend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    board = board_for(request, slug, permissions.can_invite_people)
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


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and Redis answer; 503 naming what failed."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(result in ("ok", "not configured") for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return f"failed: {type(error).__name__}"
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
        client.close()
    except Exception as error:
        return f"failed: {type(error).__name__}"
    return "ok"


# --- Error pages: a human sentence, in the portal's layout -----------------------------------


def _error(request, status: int, title: str, exception=None) -> HttpResponse:
    detail = ""
    if exception is not None and status in (403, 404):
        text = str(exception)
        # Django's own resolver messages are dicts or technical; only show our own sentences.
        if text and not text.startswith("{") and "matches the given query" not in text:
            detail = text
    return render(
        request, "error.html", {"status": status, "title": title, "detail": detail}, status=status
    )


@login_not_required
def bad_request(request, exception=None):
    return _error(request, 400, "The request could not be understood", exception)


@login_not_required
def permission_denied(request, exception=None):
    return _error(request, 403, "You do not have permission to do this", exception)


@login_not_required
def page_not_found(request, exception=None):
    return _error(request, 404, "Page not found", exception)


@login_not_required
def server_error(request):
    return render(request, "500.html", status=500)
