"""The board's forward plan as a download (CSV and Excel): the same entries as the page, each
with its warnings. A decision taken in private is listed with its subject for the board's own
readers, as on the page."""

from collections.abc import Iterator

from django.utils import timezone

from boards.models import Board
from opportunities.exports import Column, Table, csv_response, xlsx_response

from . import selectors

__all__ = ["csv_response", "plan_filename", "plan_table", "xlsx_response"]

PLAN_COLUMNS = [
    Column("Meeting date", 13, "date"),
    Column("Body", 30),
    Column("Forum", 30),
    Column("Decision-maker", 26),
    Column("Reference", 11),
    Column("Title", 45),
    Column("Key decision", 8),
    Column("Taken in private", 10),
    Column("Exempt paragraph", 10, "number"),
    Column("Referral status", 20),
    Column("Warnings", 60),
]


def plan_table(board: Board) -> Table:
    today = timezone.localdate()
    first, last = selectors.plan_window(today)
    return Table("Forward plan", PLAN_COLUMNS, _rows(board, first, last, today))


def _rows(board: Board, first, last, today) -> Iterator[list]:
    for entry in selectors.plan_entries(board, first, last):
        meeting = entry.forum_meeting
        referral = entry.referral
        opportunity = referral.recommendation.opportunity
        yield [
            meeting.date,
            referral.organisation.name,
            meeting.forum.name,
            meeting.forum.decision_maker,
            opportunity.reference,
            opportunity.title,
            "Yes" if entry.key_decision else "No",
            "Yes" if entry.private else "No",
            entry.exempt_paragraph,
            referral.get_status_display(),
            " ".join(entry.warnings(today)),
        ]


def plan_filename(board: Board) -> str:
    return f"forward-plan-{board.slug}-{timezone.localdate():%Y-%m-%d}"
