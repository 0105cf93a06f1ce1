from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Dashboard and reports"

    def ready(self) -> None:
        from core.files import delete_files_with_rows

        from . import permissions  # noqa: F401  (registers the dashboard's and reports' rules)
        from .models import ReportRun

        delete_files_with_rows(ReportRun)
