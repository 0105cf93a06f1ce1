"""The board's public pages, for residents and the press: no sign-in, GET only, and only what
``public/permissions.py`` says is public. Plus the chair's or secretariat's switch for them."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_http_methods, require_safe

from boards import permissions as board_permissions
from boards.http import AuthenticatedHttpRequest
from boards.models import Board, BoardMembership
from core import caching
from core.page_cache import cached_page
from meetings.models import AgendaItem, Meeting, Paper
from opportunities.versions import cache_key, register_version

from . import permissions, services
from .forms import PublicPagesForm

# Shared caches may keep a public page this long: a page switched off or a meeting moved shows
# within five minutes.
PUBLIC_MAX_AGE = 300
UPCOMING_SHOWN = 20
MEETINGS_PER_PAGE = 25
OPPORTUNITIES_PER_PAGE = 20
DECISIONS_PER_PAGE = 25
# Voting members are named publicly; advisers, observers and officers are not.
NAMED_ROLES = (
    BoardMembership.Role.CHAIR,
    BoardMembership.Role.VICE_CHAIR,
    BoardMembership.Role.MEMBER,
)
Status = Meeting.Status
# What a meeting's status means to a visitor.
PUBLIC_STATUS = {
    Status.SCHEDULED: "Scheduled",
    Status.PAPERS_PUBLISHED: "Agenda published",
    Status.HELD: "Held; minutes to follow",
    Status.MINUTES_DRAFTED: "Held; minutes to follow",
    Status.MINUTES_APPROVED: "Minutes approved",
    Status.CANCELLED: "Cancelled",
}


def public_page(view):
    """An anonymous GET page with cache headers: shared caches may keep the anonymous version;
    a signed-in person's copy (their name is in the header) is theirs alone."""

    @wraps(view)
    @login_not_required
    @require_safe
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper


@public_page
@cached_page
def public_home(request: HttpRequest, slug: str) -> HttpResponse:
    board = permissions.public_board(slug)
    members = (
        BoardMembership.objects.current()
        .filter(board=board, role__in=NAMED_ROLES)
        .select_related("person")
        .order_by("person__full_name", "role")
    )
    organisations = board.organisations.order_by("-active", "name").prefetch_related(
        Prefetch("memberships", queryset=members, to_attr="public_members")
    )
    return render(
        request,
        "public/home.html",
        {"board": board, "organisations": organisations, "section": "home"},
    )


def _with_public_status(meetings) -> list[Meeting]:
    meetings = list(meetings)
    for meeting in meetings:
        meeting.public_status = PUBLIC_STATUS[meeting.status]
    return meetings


@public_page
@cached_page
def public_meeting_list(request: HttpRequest, slug: str) -> HttpResponse:
    board = permissions.public_board(slug)
    now = timezone.now()
    upcoming = permissions.public_meetings_upcoming(board, now)
    past = Paginator(permissions.public_meetings_past(board, now), MEETINGS_PER_PAGE)
    page = past.get_page(request.GET.get("page"))
    return render(
        request,
        "public/meeting_list.html",
        {
            "board": board,
            "upcoming": _with_public_status(upcoming[:UPCOMING_SHOWN]),
            "upcoming_count": upcoming.count(),
            "past": _with_public_status(page.object_list),
            "page": page,
            "section": "meetings",
        },
    )


@public_page
def public_meeting(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    board = permissions.public_board(slug)
    meeting = _with_public_status([permissions.public_meeting(board, pk)])[0]
    items = permissions.public_agenda(meeting)
    papers = _papers_by_item(permissions.public_papers(meeting))
    for item in items:
        if isinstance(item, AgendaItem):
            item.public_papers = papers.get(item.pk, [])
    return render(
        request,
        "public/meeting_detail.html",
        {
            "board": board,
            "meeting": meeting,
            "items": items,
            "meeting_papers": papers.get(0, []),
            "pack": permissions.public_agenda_pack(meeting),
            "minutes_pdf": permissions.public_minutes_pdf(meeting),
            "agenda_is_public": permissions.agenda_is_public(meeting),
            "minutes_are_public": permissions.minutes_are_public(meeting),
            "section": "meetings",
        },
    )


def _papers_by_item(papers) -> dict[int, list[Paper]]:
    """The public papers by agenda item id (0 for the meeting's own papers)."""
    found: dict[int, list[Paper]] = {}
    for paper in papers.order_by("created_at", "pk"):
        found.setdefault(paper.agenda_item_id or 0, []).append(paper)
    return found


def _public_file(file_field, filename: str, content_type: str) -> FileResponse:
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing from the store; please try again later.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _day(meeting: Meeting) -> str:
    return f"{timezone.localtime(meeting.starts_at):%Y-%m-%d}"


@public_page
def public_pack_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """The Part 1 agenda pack of a meeting whose papers are published."""
    meeting = permissions.public_meeting(permissions.public_board(slug), pk)
    pack = permissions.public_agenda_pack(meeting)
    if pack is None:
        raise Http404("The agenda pack of this meeting is not published, or is being rebuilt.")
    return _public_file(pack, f"Agenda pack {_day(meeting)}.pdf", "application/pdf")


@public_page
def public_minutes_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """The approved Part 1 minutes of a meeting, as a PDF."""
    meeting = permissions.public_meeting(permissions.public_board(slug), pk)
    minutes = permissions.public_minutes_pdf(meeting)
    if minutes is None:
        raise Http404("The minutes of this meeting are not approved, or their PDF is not ready.")
    return _public_file(minutes, f"Minutes {_day(meeting)}.pdf", "application/pdf")


@public_page
def public_paper_download(request: HttpRequest, slug: str, pk: int, paper: int) -> FileResponse:
    """One Part 1 report or paper of a meeting whose papers are published (its latest
    version)."""
    meeting = permissions.public_meeting(permissions.public_board(slug), pk)
    found = permissions.public_paper(meeting, paper)
    version = found.current_version
    if version is None:  # public_papers keeps only papers with a file
        raise Http404(permissions.NO_FILE)
    return _public_file(version.file, version.original_name, version.content_type)


@public_page
@cached_page
def public_register(request: HttpRequest, slug: str) -> HttpResponse:
    board = permissions.public_board(slug)
    page, opportunities = _register_page(board, request.GET.get("page"))
    return render(
        request,
        "public/register.html",
        {"board": board, "page": page, "opportunities": opportunities, "section": "register"},
    )


# The public register is the same for everyone: its count and pages are kept while the
# register's data is unchanged (``opportunities.versions``), at most this long.
REGISTER_CACHE_SECONDS = 3600


def _register_page(board: Board, number: str | None) -> tuple[Page, list]:
    """A page of the public register and its rows (with their decisions and milestones)."""
    version = register_version()
    opportunities = permissions.public_register(board)
    paginator = Paginator(opportunities, OPPORTUNITIES_PER_PAGE)
    if version is None:
        page = paginator.get_page(number)
        return page, permissions.with_decisions_and_milestones(board, page.object_list)
    paginator.__dict__["count"] = caching.cached(
        cache_key("public-register:count", version, board.pk),
        REGISTER_CACHE_SECONDS,
        lambda: Paginator(opportunities, OPPORTUNITIES_PER_PAGE).count,
    )
    page = paginator.get_page(number)
    rows = caching.cached(
        cache_key("public-register:page", version, board.pk, page.number),
        REGISTER_CACHE_SECONDS,
        lambda: permissions.with_decisions_and_milestones(board, page.object_list),
    )
    return page, rows


@public_page
def public_collaboration(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One approved collaboration: the bodies' decisions and its delivery milestones."""
    board = permissions.public_board(slug)
    opportunity = permissions.with_decisions_and_milestones(
        board, [permissions.public_collaboration(board, pk)]
    )[0]
    return render(
        request,
        "public/collaboration.html",
        {"board": board, "opportunity": opportunity, "section": "register"},
    )


@public_page
def public_decision_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The decision register: every published decision, newest first."""
    board = permissions.public_board(slug)
    page = Paginator(permissions.decision_register(board), DECISIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "public/decision_list.html",
        {"board": board, "page": page, "section": "decisions"},
    )


@public_page
def public_decision(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One body's decision notice."""
    board = permissions.public_board(slug)
    referral = permissions.public_decision(board, pk)
    return render(
        request,
        "public/decision_notice.html",
        {
            "board": board,
            "referral": referral,
            "opportunity": referral.recommendation.opportunity,
            "section": "decisions",
        },
    )


@public_page
def public_not_pursued(request: HttpRequest, slug: str) -> HttpResponse:
    board = permissions.public_board(slug)
    opportunities = permissions.public_not_pursued(board)
    page = Paginator(opportunities, OPPORTUNITIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/not_pursued.html",
        {"board": board, "page": page, "section": "not_pursued"},
    )


@public_page
def public_forward_plan(request: HttpRequest, slug: str) -> HttpResponse:
    board = permissions.public_board(slug)
    version, rows = permissions.public_forward_plan(board)
    return render(
        request,
        "public/forward_plan.html",
        {"board": board, "version": version, "rows": rows, "section": "forward_plan"},
    )


# --- The switch, on the board's own (signed-in) side ---------------------------------------


def _board_to_publish(request: AuthenticatedHttpRequest, slug: str) -> Board:
    return board_permissions.board_for(
        request.user,
        slug,
        board_permissions.can_manage_public_pages,
        "Only the board's chair, vice-chair or secretariat may switch its public pages.",
    )


@require_http_methods(["GET", "POST"])
def public_pages_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = _board_to_publish(request, slug)
    posted = request.POST if request.method == "POST" else None
    form = PublicPagesForm(posted, instance=board)
    if request.method == "POST" and form.is_valid():
        enabled = form.cleaned_data["public_pages_enabled"]
        services.board_public_pages_set(
            board=Board.objects.get(pk=board.pk),
            actor=request.user,
            enabled=enabled,
            summary=form.cleaned_data["public_summary"],
            not_pursued=form.cleaned_data["public_not_pursued"],
        )
        messages.success(
            request,
            "The board's public pages are on." if enabled else "The board's public pages are off.",
        )
        return redirect(board)
    return render(request, "public/public_pages_form.html", {"board": board, "form": form})
