"""The board dashboard and the annual collaboration report. Thin: fetch through a permission
check, validate a form, call one service, redirect. The PDF is built by a task, never here."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from audit.selectors import document_issue_of
from audit.services import download_record
from boards.http import AuthenticatedHttpRequest
from boards.models import Board
from boards.permissions import board_for
from core.page_cache import cached_page

from . import figures, permissions, services
from .collaboration import REPORT_KIND
from .forms import ReportRequestForm
from .models import ReportRun

REQUESTERS_ONLY = "Only the board's secretariat or chair may ask for a report."
RUNS_LISTED = 20
# A run still waiting or building after this long was lost (a worker stopped, the broker was
# down): the page offers to try again.
STALE_AFTER = timedelta(minutes=15)


@require_GET
@cached_page
def dashboard(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = board_for(
        request.user,
        slug,
        permissions.can_view_dashboard,
        "Only the board's members may see its dashboard.",
    )
    today = timezone.localdate()
    numbers, as_of, figures_html = figures.dashboard_cached(board, today)
    return render(
        request,
        "reports/dashboard.html",
        {
            "board": board,
            "today": today,
            "figures": numbers,
            "as_of": as_of,
            "figures_html": figures_html,
            "may_request_report": permissions.can_request_report(request.user, board),
        },
    )


def _runs_page(
    request: AuthenticatedHttpRequest, board: Board, form: ReportRequestForm | None, status=200
):
    may_request = permissions.can_request_report(request.user, board)
    runs = board.report_runs.select_related("requested_by").only(
        "board_id",
        "period_start",
        "period_end",
        "status",
        "progress",
        "requested_at",
        "requested_by__full_name",
    )
    if not may_request:
        runs = runs.filter(status=ReportRun.Status.DONE)
    return render(
        request,
        "reports/report_list.html",
        {
            "board": board,
            "form": form if may_request else None,
            "runs": runs[:RUNS_LISTED],
            "may_request": may_request,
        },
        status=status,
    )


@require_GET
@cached_page
def report_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = board_for(request.user, slug)
    form = ReportRequestForm(today=timezone.localdate())
    return _runs_page(request, board, form)


@require_POST
def report_request(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = board_for(request.user, slug)
    if not permissions.can_request_report(request.user, board):
        raise PermissionDenied(REQUESTERS_ONLY)
    form = ReportRequestForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        return _runs_page(request, board, form)
    run = services.report_run_request(
        board=board,
        requested_by=request.user,
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
    )
    return redirect(run.get_absolute_url())


def _run_for(request: AuthenticatedHttpRequest, slug: str, pk: int) -> ReportRun:
    board = board_for(request.user, slug)
    run = get_object_or_404(ReportRun, pk=pk, board=board)
    run.board = board
    if not permissions.can_view_report_run(request.user, run):
        raise Http404("No finished report here.")
    return run


def _is_stale(run: ReportRun) -> bool:
    return not run.is_finished and run.requested_at < timezone.now() - STALE_AFTER


@require_GET
def report_run(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    run = _run_for(request, slug, pk)
    return render(
        request,
        "reports/report_run.html",
        {
            "board": run.board,
            "run": run,
            "stale": _is_stale(run),
            "report_issue": document_issue_of(run, REPORT_KIND)
            if run.status == ReportRun.Status.DONE
            else None,
            "may_request": permissions.can_request_report(request.user, run.board),
        },
    )


@require_GET
@never_cache
def report_status(request: AuthenticatedHttpRequest, slug: str, pk: int) -> JsonResponse:
    run = _run_for(request, slug, pk)
    return JsonResponse(
        {
            "status": run.status,
            "label": run.status_label,
            "progress": run.progress,
            "stage": run.stage,
            "error": run.error,
            "finished": run.is_finished,
            "download": reverse("report_download", kwargs={"slug": slug, "pk": run.pk})
            if run.status == ReportRun.Status.DONE
            else None,
        }
    )


@require_GET
def report_download(request: AuthenticatedHttpRequest, slug: str, pk: int) -> FileResponse:
    run = _run_for(request, slug, pk)
    if run.status != ReportRun.Status.DONE or not run.file:
        raise Http404("This report is not ready yet.")
    try:
        handle = run.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The report's file is missing; ask for the report again.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=run.download_name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    download_record(
        request=request, subject=run, what="report", name=f"report “{run.download_name}”"
    )
    return response


@require_POST
def report_retry(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Ask again for a failed (or lost) run's period: a new run, so the history stays true."""
    run = _run_for(request, slug, pk)
    if not permissions.can_request_report(request.user, run.board):
        raise PermissionDenied(REQUESTERS_ONLY)
    if run.status != ReportRun.Status.FAILED and not _is_stale(run):
        return redirect(run.get_absolute_url())
    again = services.report_run_request(
        board=run.board, requested_by=request.user, start=run.period_start, end=run.period_end
    )
    return redirect(again.get_absolute_url())
