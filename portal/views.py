"""The top of the house: the home page, the health check and the error pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from audit import selectors as audit_selectors
from audit.services import security_record
from boards import permissions
from boards import selectors as board_selectors
from boards.http import AuthenticatedHttpRequest
from core.page_cache import cached_page
from core.request_safety import ControlCharacterRefused
from meetings import selectors as meeting_selectors
from opportunities import selectors as opportunity_selectors

from . import verification
from .forms import AuditSearchForm, DocumentVerifyForm


# The pages every UK public-sector service has, open to everyone, signed in or not.
@login_not_required
@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "about/accessibility.html", _about_context())


@login_not_required
@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "about/privacy.html", _about_context())


@login_not_required
@require_GET
def cookies(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "about/cookies.html",
        {**_about_context(), "session_minutes": settings.SESSION_IDLE_TIMEOUT // 60},
    )


@login_not_required
@require_GET
def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "about/contact.html", _about_context())


def _about_context() -> dict:
    return {"contact_email": settings.CONTACT_EMAIL}


@cached_page
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = request.user
    memberships = permissions.current_memberships(person)
    boards = permissions.boards_of(person)
    secretariat_boards = [b for b in boards if permissions.is_secretariat(person, b)]
    pending_invitations = board_selectors.pending_invitations(secretariat_boards)
    authorities = (
        board_selectors.authorities_of(person).prefetch_related("organisation__boards")
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
            "referrals_awaiting": opportunity_selectors.referrals_awaiting(person),
            "overdue_decisions": opportunity_selectors.overdue_decisions(secretariat_boards),
            "new_proposals": opportunity_selectors.new_proposals(secretariat_boards),
            "questions_awaiting_answer": opportunity_selectors.questions_awaiting_answer(
                secretariat_boards
            ),
            "today": timezone.localdate(),
            **meeting_selectors.home_panels(person),
        },
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
    if isinstance(exception, ControlCharacterRefused):
        detail = str(exception)
    elif exception is not None and status in (403, 404):
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


# --- The audit trail, searched by the secretariat and administrators ---------------------------

AUDIT_PAGE_SIZE = 50


@require_GET
def audit_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.can_search_audit(request.user):
        raise PermissionDenied("Only administrators and the secretariat may search the audit.")
    form = AuditSearchForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        filters = form.cleaned_data if form.is_bound else {}
        events = audit_selectors.audit_events_search(**filters)
        page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/audit_search.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


VERIFY_REFUSED = (
    "Only people with a role on a board, or an executive authority, may check documents here."
)


@require_http_methods(["GET", "POST"])
def document_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a PDF; the page says whether it is an unaltered document the portal issued."""
    if not permissions.can_verify_documents(request.user):
        raise PermissionDenied(VERIFY_REFUSED)
    form = DocumentVerifyForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    result = None
    if form.is_bound and form.is_valid():
        result = verification.verify_document(form.cleaned_data["document"])
        security_record(
            request=request,
            verb="document.verified",
            summary=f"Checked a PDF (SHA-256 {result.sha256[:12]}…): {result.verdict}",
            after={"sha256": result.sha256, "verdict": result.verdict},
        )
        form = DocumentVerifyForm()
    return render(
        request,
        "portal/document_verify.html",
        {
            "form": form,
            "result": result,
            "max_mb": settings.VERIFY_MAX_MB,
            "signing_configured": verification.signing_configured(),
        },
    )
