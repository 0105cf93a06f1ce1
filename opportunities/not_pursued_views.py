"""The statutory review register's other half: what the board considered and did not pursue,
with why and when it may be revisited — a page and a CSV for the board's members."""

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from boards.http import AuthenticatedHttpRequest
from boards.models import Board
from core.markings import OFFICIAL

from . import permissions, selectors
from .exports import CHUNK, Column, Table, csv_response

PAGE_SIZE = 25
COLUMNS = [
    Column("Reference", 11),
    Column("Title", 45),
    Column("Theme", 28),
    Column("Lead body", 14),
    Column("Status", 14),
    Column("Not pursued since", 13, "date"),
    Column("Why", 60),
    Column("Revisit on", 13, "date"),
]


@require_GET
def not_pursued_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = permissions.not_pursued_board(request.user, slug)
    page = Paginator(selectors.not_pursued(board), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "opportunities/not_pursued.html",
        {"board": board, "page": page, "today": timezone.localdate()},
    )


@require_GET
def not_pursued_csv(request: AuthenticatedHttpRequest, slug: str) -> StreamingHttpResponse:
    board = permissions.not_pursued_board(request.user, slug)
    return csv_response(
        Table("Not pursued", COLUMNS, _rows(board), OFFICIAL),  # opportunities are unmarked
        f"not-pursued-{board.slug}-{timezone.localdate():%Y-%m-%d}",
    )


def _rows(board: Board):
    for opportunity in selectors.not_pursued(board).iterator(chunk_size=CHUNK):
        yield [
            opportunity.reference,
            opportunity.title,
            opportunity.theme_label,
            opportunity.lead_organisation.short_name,
            opportunity.status_label,
            opportunity.not_pursued_on,
            opportunity.not_pursued_reason,
            opportunity.revisit_on,
        ]
