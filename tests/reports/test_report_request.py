"""Asking for the annual collaboration report: the period's presets and validation, who may ask,
and the build queued only once the request has committed."""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from core import caching
from reports.models import ReportRun

pytestmark = pytest.mark.django_db
URL = reverse("report_request", kwargs={"slug": "warwickshire"})
LIST = reverse("report_list", kwargs={"slug": "warwickshire"})


def custom(start: str, end: str) -> dict:
    return {"period": "custom", "start": start, "end": end}


def test_the_form_offers_last_financial_year_by_default(client_of, alice):
    response = client_of(alice).get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Last financial year (2025/26): 1 April 2025 to 31 March 2026" in html
    assert "This financial year to date (2026/27): 1 April 2026 to 26 November 2026" in html
    assert response.context["form"]["period"].value() == "last_financial_year"


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("last_financial_year", date(2025, 4, 1), date(2026, 3, 31)),
        ("this_financial_year", date(2026, 4, 1), date(2026, 11, 26)),
        ("last_calendar_year", date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_a_preset_period_asks_for_its_dates(
    client_of, alice, period, start, end, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(alice).post(URL, {"period": period, "start": "", "end": ""})
    run = ReportRun.objects.get()
    assert (run.period_start, run.period_end) == (start, end)
    assert response.status_code == 302
    assert response.url == reverse("report_run", kwargs={"slug": "warwickshire", "pk": run.pk})


def test_other_dates_are_taken_as_given(client_of, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_of(alice).post(URL, custom("2025-01-01", "2026-12-31"))
    run = ReportRun.objects.get()
    assert (run.period_start, run.period_end) == (date(2025, 1, 1), date(2026, 12, 31))
    assert run.requested_by == alice


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (custom("2026-05-01", "2026-04-30"), "end", "The period must end on or after"),
        (custom("2024-01-01", "2026-01-01"), "end", "A report covers at most 2 years."),
        (custom("", "2026-04-30"), "start", "Give the first day of the period."),
        (custom("2026-04-01", ""), "end", "Give the last day of the period."),
        (custom("2026-02-31", "2026-04-30"), "start", "From must be a real date"),
        (custom("2026-12-01", "2026-12-31"), "start", "The period must start today or earlier."),
        (custom("9998-12-31", "9999-12-31"), "start", "Enter a date between 2000 and 2100"),
        ({"period": "next_decade", "start": "", "end": ""}, "period", "Select a valid choice."),
        ({}, "period", "Choose the period"),
    ],
)
def test_bad_periods_are_refused_with_a_message_on_the_page(client_of, alice, data, field, message):
    response = client_of(alice).post(URL, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form[field].errors)
    html = response.content.decode()
    assert "data-error-summary" in html and message in html
    assert not ReportRun.objects.exists()


def test_exactly_two_years_is_allowed(client_of, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(alice).post(URL, custom("2024-04-01", "2026-03-31"))
    assert response.status_code == 302
    assert ReportRun.objects.count() == 1


def test_the_chair_may_ask_for_a_report(client_of, dave, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(dave).post(URL, {"period": "last_financial_year"})
    assert response.status_code == 302
    assert ReportRun.objects.get().requested_by == dave


def test_a_member_without_the_role_may_not_ask(client_of, bob):
    response = client_of(bob).post(URL, {"period": "last_financial_year"})
    assert response.status_code == 403
    assert not ReportRun.objects.exists()


def test_a_member_sees_no_form(client_of, bob):
    response = client_of(bob).get(LIST)
    assert response.status_code == 200
    assert response.context["form"] is None
    assert "Build the report" not in response.content.decode()


def test_another_boards_secretariat_gets_a_404(client_of, charlie):
    assert client_of(charlie).post(URL, {"period": "last_financial_year"}).status_code == 404
    assert client_of(charlie).get(LIST).status_code == 404
    assert not ReportRun.objects.exists()


def test_an_executive_without_a_role_on_the_board_gets_a_404(client_of, erin):
    assert client_of(erin).post(URL, {"period": "last_financial_year"}).status_code == 404


def test_anonymous_goes_to_sign_in(client):
    response = client.post(URL, {"period": "last_financial_year"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not ReportRun.objects.exists()


def test_asking_is_a_post(client_of, alice):
    assert client_of(alice).get(URL).status_code == 405


def test_the_build_is_queued_only_after_commit(
    client_of, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_of(alice).post(URL, {"period": "last_financial_year"})
    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.QUEUED and run.progress == 0
    jobs = [callback for callback in callbacks if not caching.is_version_renewal(callback)]
    assert len(jobs) == 1
    jobs[0]()
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and run.progress == 100
    event = AuditEvent.objects.get(verb="report_requested")
    assert event.actor == alice
    assert "1 April 2025 to 31 March 2026" in event.summary
