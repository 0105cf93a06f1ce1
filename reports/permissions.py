"""Who may see the board's dashboard and ask for, follow and download its reports.

The dashboard follows the register's rule: anyone holding a current role on the board. An
executive who holds no role on the board sees only the referrals to their own body, so the
board-wide figures are not theirs to see (404, as for the register's other board pages).

The annual collaboration report is asked for by the secretariat or the chair (or vice-chair).
It holds nothing confidential (no agenda items, papers or minutes; only held meetings), so every
member may download a finished report; runs still being built, or failed, are the requesters'.
"""

from boards.models import Board
from boards.permissions import Person, can_view_board, register_rule, runs_board

from .models import ReportRun


@register_rule("view_dashboard")
def can_view_dashboard(person: Person, board: Board) -> bool:
    return can_view_board(person, board)


@register_rule("request_report")
def can_request_report(person: Person, board: Board) -> bool:
    return runs_board(person, board)


@register_rule("view_report_run")
def can_view_report_run(person: Person, run: ReportRun) -> bool:
    """Requesters see every run; members only the finished reports."""
    if can_request_report(person, run.board):
        return True
    return run.status == ReportRun.Status.DONE and can_view_dashboard(person, run.board)
