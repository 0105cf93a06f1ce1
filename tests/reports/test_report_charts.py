"""The dashboard's charts drawn into the annual report's PDF: SVG drawn in the worker from the
dashboard's own figures (no JavaScript), every value written beside its bar or point."""

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from opportunities.models import Benefit, Status
from reports.charts import Series, bar_chart, line_chart, report_charts
from reports.figures import dashboard_figures
from reports.models import ReportRun
from reports.services import report_run_request

from .conftest import TODAY, benefit, opportunity

pytestmark = pytest.mark.django_db


def test_a_bar_chart_writes_each_value_and_escapes_its_labels():
    svg = bar_chart(
        "Counts",
        ["<script>alert(1)</script>", "Fire & Rescue"],
        [Series("Pending", [3, 0], "#1d5fa8"), Series("Overdue", [1, None], "#b3261e")],
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Fire &amp; Rescue" in svg
    for value in (">3<", ">0<", ">1<", ">\N{EN DASH}<"):
        assert value in svg
    # The longest bar fills the plot; a zero draws no bar at all.
    assert svg.count("<rect") == 2 + 2  # two legend keys, two bars (3 and 1)


def test_a_line_chart_marks_every_point_and_the_last_values():
    svg = line_chart(
        "Benefits",
        ["Jan to Mar 2026", "Apr to Jun 2026"],
        [Series("Realised", [Decimal("100"), Decimal("87300.40")], "#2e7d32")],
        shown=lambda value: f"£{value:,.0f}",
    )
    assert svg.count("<circle") == 2
    assert "£87,300" in svg and "Jan to Mar" in svg and ">2026<" in svg


def test_the_report_draws_the_dashboards_charts_from_its_figures(
    board, police, fire, alice, django_capture_on_commit_callbacks
):
    station = opportunity(board, police, title="Shared station", status=Status.IN_DELIVERY)
    benefit(station, police, Benefit.Kind.ESTIMATED, "12000.00", date(2027, 3, 31))
    benefit(station, fire, Benefit.Kind.REALISED, "4300.60", date(2026, 9, 30))
    figures = dashboard_figures(board, TODAY)
    titles = [title for title, _, _ in report_charts(figures)]
    assert titles == [
        "Opportunities by status",
        "Opportunities by theme",
        "Decisions pending per body",
        "Average days to decision",
        "Cashable benefits per body",
        "Benefits over time",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        run = report_run_request(board=board, requested_by=alice, start=date(2026, 4, 1), end=TODAY)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    with run.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "The dashboard's charts" in text
    for title in titles:
        assert title in text
    # The same figures as the dashboard, in whole pounds: estimated per body and realised.
    assert "£12,000" in text and "£4,301" in text
    assert "In delivery" in text
