"""The board's forward plan as a download (CSV and Excel): the same entries as the page, each
with its warnings. A decision taken in private is listed with its subject for the board's own
readers, as on the page."""

from collections.abc import Iterable, Iterator

from django.utils import timezone

from boards.models import Board
from core.markings import strictest
from opportunities.exports import Column, Table, csv_response, xlsx_response

from . import selectors
from .models import PlanEntry

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


def plan_table(board: Board, bodies: Iterable[int] | None = None) -> Table:
    """The plan's entries (four months of them; only those of ``bodies`` when given), marked
    the strictest of their recommendations (core.markings)."""
    today = timezone.localdate()
    first, last = selectors.plan_window(today)
    entries = list(selectors.plan_entries(board, first, last, bodies=bodies))
    marking = strictest(entry.referral.recommendation.handling for entry in entries)
    return Table("Forward plan", PLAN_COLUMNS, _rows(entries, today), marking)


def _rows(entries: "list[PlanEntry]", today) -> Iterator[list]:
    for entry in entries:
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
