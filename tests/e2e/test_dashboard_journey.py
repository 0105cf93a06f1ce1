from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from opportunities.models import Benefit
from reports.models import ReportRun
from tests.e2e.journeys import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_member_sees_every_chart_drawn_under_the_csp(
    live_server, page, bob, board, opportunity, police, fire
):
    for kind, amount, days in (("estimated", "5000", 200), ("realised", "1200", 20)):
        Benefit.objects.create(
            opportunity=opportunity,
            organisation=police,
            kind=kind,
            cashable=Decimal(amount),
            period_end=timezone.localdate() - timedelta(days=days),
            recorded_by=bob,
        )
    sign_in(page, live_server.url, "bob@fire.example")
    page.goto(live_server.url + f"/boards/{board.slug}/dashboard/")

    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() == 6
    page.wait_for_function(
        "[...document.querySelectorAll('canvas[data-chart]')]"
        ".every((canvas) => window.Chart.getChart(canvas) !== undefined)"
    )
    assert page.get_by_role(
        "img", name="Bar chart of the number of opportunities in each status"
    ).is_visible()
    assert page.get_by_role("table", name="Opportunities by status").is_visible()
    # Chart.js draws on the canvas without a single violation of the strict policy.
    assert page.console_problems == []


def test_the_secretariat_asks_for_a_report_and_downloads_it(live_server, page, alice, board):
    sign_in(page, live_server.url, "alice@police.example")
    page.goto(live_server.url + f"/boards/{board.slug}/reports/")
    page.get_by_label("Last calendar year", exact=False).check()
    page.get_by_role("button", name="Build the report").click()

    run = ReportRun.objects.get()
    page.wait_for_url(live_server.url + f"/boards/{board.slug}/reports/{run.pk}/")
    link = page.get_by_role("link", name="Download the report (PDF)")
    link.wait_for()
    assert page.locator("progress").get_attribute("value") == "100"
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith(f"collaboration-report-{board.slug}-")
    assert page.console_problems == []
