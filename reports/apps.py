from datetime import date
from typing import Any

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Dashboard and reports"

    def ready(self) -> None:
        from core.files import delete_files_with_rows
        from opportunities.marking_kinds import reports_outdated

        from . import permissions  # noqa: F401  (registers the dashboard's and reports' rules)
        from .models import ReportRun

        delete_files_with_rows(ReportRun)
        reports_outdated.connect(_rebuild_reports, dispatch_uid="reports_outdated")


def _rebuild_reports(sender: Any, *, board: Any, since: date, **kwargs: Any) -> None:
    from .services import report_runs_rebuild

    report_runs_rebuild(board=board, since=since)
