"""The register and the decision matrix as downloads (CSV and Excel), for the same people and
with the same filters as the pages they come from.

Each carries its handling marking (core.markings), the strictest of what it holds: the CSV's
first line and the workbook's first row and printed header and footer say it.

Built in the request, as they are plain downloads: rows are read in chunks with their related
names fetched once per chunk (never a query per row); the CSV is streamed as it is written.
Text cells that a spreadsheet would take for a formula are defused with a leading quote.

openpyxl is imported only when a workbook is built: the web workers serve pages far more often
than downloads, and it is a large library to hold in every one of them.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import islice
from typing import TYPE_CHECKING

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.services import security_record
from boards.http import AuthenticatedHttpRequest
from boards.models import Board
from core.markings import OFFICIAL, Marking

from . import permissions, selectors
from .models import Outcome, Recommendation, Referral

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

CHUNK = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def defused(text: str) -> str:
    """A cell a spreadsheet would run as a formula, prefixed with a quote so it stays text."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@cache
def _cell_parts() -> tuple[Callable[..., "Cell"], re.Pattern[str]]:
    """openpyxl's cell and the characters a workbook may not hold, imported once, when the
    first workbook is built (a workbook has a cell per value: each does not import them)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return WriteOnlyCell, ILLEGAL_CHARACTERS_RE


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 14
    kind: str = "text"  # text, number, date or money

    def as_csv(self, value) -> str:
        if value is None:
            return ""
        if self.kind == "money":
            return f"{value:.2f}"
        if self.kind == "date":
            return value.isoformat()
        if self.kind == "number":
            return str(value)
        return defused(str(value))

    def as_xlsx(self, sheet, value) -> "Cell":
        cell_type, illegal_characters = _cell_parts()
        if value is not None and self.kind == "text":
            # Control characters (a vertical tab pasted from Word, say) are not allowed in a
            # workbook: they are dropped rather than failing the whole download.
            value = illegal_characters.sub("", defused(str(value)))
        cell = cell_type(sheet, value=value)
        if self.kind == "money":
            cell.number_format = "#,##0.00"
        elif self.kind == "date":
            cell.number_format = "d mmm yyyy"
        return cell


@dataclass
class Table:
    name: str
    columns: list[Column]
    rows: Iterable[list]
    marking: Marking


def marking_line(marking: Marking) -> list[str]:
    """The first line of every export: its handling marking."""
    return [f"Handling marking: {marking.text}"]


class _Echo:
    """csv.writer writes into this and gets the line back, so lines can be streamed."""

    def write(self, line: str) -> str:
        return line


def csv_response(table: Table, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # the byte-order mark tells Excel the file is UTF-8
        yield writer.writerow(marking_line(table.marking))
        yield writer.writerow([column.header for column in table.columns])
        for row in table.rows:
            yield writer.writerow(
                [column.as_csv(value) for column, value in zip(table.columns, row, strict=True)]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    return _as_download(response, f"{filename}.csv")


def xlsx_response(table: Table, filename: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.name[:31])
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A3"
    # Printed, every page carries the marking at its head and foot.
    sheet.oddHeader.center.text = sheet.oddFooter.center.text = table.marking.text
    bold = Font(bold=True)
    marking = WriteOnlyCell(sheet, value=marking_line(table.marking)[0])
    marking.font = bold
    sheet.append([marking])
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append(
            [column.as_xlsx(sheet, value) for column, value in zip(table.columns, row, strict=True)]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _as_download(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), f"{filename}.xlsx")


def _as_download(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _chunks(queryset, size: int = CHUNK) -> Iterator[list]:
    rows = queryset.iterator(chunk_size=size)
    while chunk := list(islice(rows, size)):
        yield chunk


# --- the register --------------------------------------------------------------------------------

REGISTER_COLUMNS = [
    Column("Reference", 11),
    Column("Title", 45),
    Column("Board", 30),
    Column("Theme", 28),
    Column("Status", 20),
    Column("RAG", 7),
    Column("Lead body", 14),
    Column("Participating bodies", 28),
    Column("Estimated cashable benefit (£)", 18, "money"),
    Column("Estimated cost (£)", 16, "money"),
    Column("Next review", 13, "date"),
    Column("Owner", 22),
    Column("Proposed on", 13, "date"),
    Column("Last updated", 13, "date"),
    Column("Summary", 60),
]


def register_table(request: AuthenticatedHttpRequest) -> Table:
    """The register as the person sees it with the filters and sort of the query string; bad
    filter values are ignored, as on the page."""
    _form, opportunities, sort = selectors.register_filtered(request.user, request.GET)
    opportunities = (
        opportunities.select_related("board", "lead_organisation", "owner")
        .defer("non_cashable_benefits", "risks")
        .order_by(sort, "-pk")
    )
    # An opportunity carries no marking of its own: the register is OFFICIAL.
    return Table("Register", REGISTER_COLUMNS, _register_rows(opportunities), OFFICIAL)


def _register_rows(opportunities) -> Iterator[list]:
    for chunk in _chunks(opportunities):
        estimated = selectors.estimated_totals(opportunity.pk for opportunity in chunk)
        for opportunity in selectors.with_participating_names(chunk):
            yield [
                opportunity.reference,
                opportunity.title,
                opportunity.board.name,
                opportunity.theme_label,
                opportunity.status_label,
                opportunity.rag_label,
                opportunity.lead_organisation.short_name,
                opportunity.participating_names,
                estimated.get(opportunity.pk),
                opportunity.estimated_cost,
                opportunity.next_review_on,
                opportunity.owner.full_name if opportunity.owner else "",
                timezone.localdate(opportunity.created_at),
                timezone.localdate(opportunity.updated_at),
                opportunity.summary,
            ]


def _register_filename() -> str:
    return f"collaboration-register-{timezone.localdate():%Y-%m-%d}"


@require_GET
def register_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    response = csv_response(register_table(request), _register_filename())
    _record(request, "register", "the register as CSV")
    return response


@require_GET
def register_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    response = xlsx_response(register_table(request), _register_filename())
    _record(request, "register", "the register as Excel")
    return response


def _record(request: AuthenticatedHttpRequest, what: str, name: str, subject=None) -> None:
    security_record(
        request=request, verb=f"download.{what}", summary=f"Downloaded {name}", subject=subject
    )


# --- the decision matrix -------------------------------------------------------------------------

OUTCOME_LABELS = {
    Outcome.APPROVED: "Approved",
    Outcome.NOT_APPROVED: "Not approved",
    Outcome.AWAITING: "Awaiting",
    Outcome.CLOSED: "Closed",
}


def matrix_table(board: Board) -> Table:
    bodies = list(board.active_bodies())
    columns = [
        Column("Reference", 11),
        Column("Opportunity", 45),
        Column("Version", 8, "number"),
        Column("Current or superseded", 12),
        Column("Agreed on", 13, "date"),
        Column("Sent on", 13, "date"),
        Column("Decisions due", 13, "date"),
        *(column for body in bodies for column in _body_columns(body.short_name)),
        Column("Outcome", 14),
    ]
    recommendations = selectors.matrix_recommendations(board)
    return Table(
        "Decisions",
        columns,
        _matrix_rows(recommendations, bodies),
        selectors.matrix_marking(board),
    )


def _matrix_rows(recommendations, bodies) -> Iterator[list]:
    for recommendation in recommendations.iterator(chunk_size=CHUNK):
        by_body = {
            referral.organisation_id: referral for referral in recommendation.referrals.all()
        }
        yield [
            recommendation.opportunity.reference,
            recommendation.opportunity.title,
            recommendation.version,
            "Current" if recommendation.is_current else "Superseded",
            recommendation.agreed_on,
            timezone.localdate(recommendation.sent_at),
            recommendation.decision_due_on,
            *(
                value
                for body in bodies
                for value in _body_values(by_body.get(body.pk), recommendation)
            ),
            outcome_label(recommendation, by_body.values()),
        ]


def outcome_label(recommendation: Recommendation, referrals) -> str:
    """The outcome as the matrix and its downloads show it: a superseded version is
    "Superseded" (with the outcome it had reached, if any), never "Awaiting"."""
    outcome = Outcome(recommendation.outcome_of(referrals))
    if recommendation.is_current:
        return OUTCOME_LABELS[outcome]
    if outcome == Outcome.AWAITING:
        return "Superseded"
    return f"Superseded ({OUTCOME_LABELS[outcome].lower()})"


def _body_columns(name: str) -> list[Column]:
    return [
        Column(name, 24),
        Column(f"{name} reference", 16),
        Column(f"{name} decided on", 13, "date"),
        Column(f"{name} decided by", 24),
        Column(f"{name} conditions", 30),
    ]


def _body_values(referral: Referral | None, recommendation: Recommendation) -> list:
    if referral is None:
        return ["Not referred", None, None, None, None]
    return [
        _decision(referral, recommendation),
        referral.decision_reference,
        referral.decision_date,
        referral.decider,
        referral.conditions_text,
    ]


def _decision(referral: Referral | None, recommendation: Recommendation) -> str:
    if referral is None:
        return "Not referred"
    if referral.is_overdue and recommendation.is_current:
        return f"{referral.status_label} (overdue, due {referral.due_on:%-d %b %Y})"
    return referral.status_label


def _matrix_filename(board: Board) -> str:
    return f"decisions-{board.slug}-{timezone.localdate():%Y-%m-%d}"


Download = HttpResponse | StreamingHttpResponse


def _matrix_download(build: Callable[[Table, str], Download]) -> Callable[..., Download]:
    @require_GET
    def view(request: AuthenticatedHttpRequest, slug: str) -> Download:
        board = permissions.decision_matrix_board(request.user, slug)
        response = build(matrix_table(board), _matrix_filename(board))
        _record(request, "decision_matrix", f"the decision matrix of {board.name}", board)
        return response

    return view


decision_matrix_csv = _matrix_download(csv_response)
decision_matrix_xlsx = _matrix_download(xlsx_response)
