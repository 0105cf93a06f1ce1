"""A report run's page, its JSON status, its download and "try again": who may use each, and the
list of reports' cost in queries."""

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from reports.collaboration import FAILURE_MESSAGE
from reports.models import ReportRun
from tests.factories import pdf_bytes

pytestmark = pytest.mark.django_db


def make_run(board, person, status=ReportRun.Status.DONE, **fields) -> ReportRun:
    run = ReportRun.objects.create(
        board=board,
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
        requested_by=person,
        status=status,
        progress=100 if status == ReportRun.Status.DONE else fields.pop("progress", 40),
        **fields,
    )
    if status == ReportRun.Status.DONE:
        run.file.save("ignored.pdf", ContentFile(pdf_bytes()), save=True)
    return run


def url(name: str, run: ReportRun, slug: str = "warwickshire") -> str:
    return reverse(name, kwargs={"slug": slug, "pk": run.pk})


@pytest.fixture
def done(board, alice):
    return make_run(board, alice)


@pytest.fixture
def running(board, alice):
    return make_run(board, alice, ReportRun.Status.RUNNING, stage="Adding up the benefits")


@pytest.fixture
def failed(board, alice):
    return make_run(board, alice, ReportRun.Status.FAILED, error=FAILURE_MESSAGE)


# --- The run's page -----------------------------------------------------------------------------


def test_the_requester_follows_progress_with_a_progress_element(client_of, alice, running):
    response = client_of(alice).get(url("report_run", running))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<progress id="report-progress"' in html and 'value="40"' in html
    assert '<label for="report-progress"' in html
    assert "Being built: Adding up the benefits" in html
    assert "/static/js/report_progress.js" in html
    assert url("report_status", running) in html
    assert " style=" not in html


def test_a_finished_report_offers_the_download_and_no_polling(client_of, alice, done):
    html = client_of(alice).get(url("report_run", done)).content.decode()
    assert "Download the report (PDF)" in html
    assert "report_progress.js" not in html


def test_a_failed_run_shows_the_message_and_offers_to_try_again(client_of, alice, failed):
    html = client_of(alice).get(url("report_run", failed)).content.decode()
    assert escape(FAILURE_MESSAGE) in html
    assert "data-report-retry>" in html and url("report_retry", failed) in html


def test_a_member_sees_a_finished_report(client_of, bob, done):
    assert client_of(bob).get(url("report_run", done)).status_code == 200


@pytest.mark.parametrize("fixture", ["running", "failed"])
def test_a_member_does_not_see_unfinished_or_failed_runs(client_of, bob, fixture, request):
    run = request.getfixturevalue(fixture)
    assert client_of(bob).get(url("report_run", run)).status_code == 404
    assert client_of(bob).get(url("report_status", run)).status_code == 404


def test_another_board_sees_nothing(client_of, charlie, done):
    for name in ("report_run", "report_status", "report_download"):
        assert client_of(charlie).get(url(name, done)).status_code == 404
        assert client_of(charlie).get(url(name, done, slug="elsewhere")).status_code == 404


def test_an_executive_without_a_role_sees_nothing(client_of, erin, done):
    for name in ("report_run", "report_status", "report_download"):
        assert client_of(erin).get(url(name, done)).status_code == 404


def test_anonymous_goes_to_sign_in(client, done):
    for name in ("report_run", "report_status", "report_download"):
        response = client.get(url(name, done))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


# --- The status endpoint ------------------------------------------------------------------------


def test_the_status_of_a_run_being_built(client_of, alice, running):
    response = client_of(alice).get(url("report_status", running))
    assert response.status_code == 200
    assert response.json() == {
        "status": "running",
        "label": "Being built",
        "progress": 40,
        "stage": "Adding up the benefits",
        "error": "",
        "finished": False,
        "download": None,
    }
    assert "no-cache" in response["Cache-Control"]


def test_the_status_of_a_finished_run_links_the_download(client_of, bob, done):
    answer = client_of(bob).get(url("report_status", done)).json()
    assert answer["status"] == "done" and answer["progress"] == 100 and answer["finished"]
    assert answer["download"] == url("report_download", done)


def test_the_status_of_a_failed_run_says_why(client_of, alice, failed):
    answer = client_of(alice).get(url("report_status", failed)).json()
    assert answer["status"] == "failed" and answer["error"] == FAILURE_MESSAGE
    assert answer["finished"] and answer["download"] is None


# --- The download -------------------------------------------------------------------------------


def test_a_member_downloads_a_finished_report_under_a_safe_name(client_of, bob, done):
    response = client_of(bob).get(url("report_download", done))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="collaboration-report-warwickshire-2025-04-01-to-2026-03-31.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_report_not_ready_is_not_downloaded(client_of, alice, running):
    response = client_of(alice).get(url("report_download", running))
    assert response.status_code == 404
    assert "not ready yet" in response.content.decode()


def test_a_missing_file_is_a_404_with_a_sentence(client_of, alice, done):
    done.file.storage.delete(done.file.name)
    response = client_of(alice).get(url("report_download", done))
    assert response.status_code == 404
    assert "missing" in response.content.decode()


# --- Try again ----------------------------------------------------------------------------------


def test_the_secretariat_tries_a_failed_run_again(
    client_of, alice, failed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(alice).post(url("report_retry", failed))
    again = ReportRun.objects.exclude(pk=failed.pk).get()
    assert response.url == url("report_run", again)
    assert (again.period_start, again.period_end) == (failed.period_start, failed.period_end)
    assert again.status == ReportRun.Status.DONE
    failed.refresh_from_db()
    assert failed.status == ReportRun.Status.FAILED  # the history stays true


def test_a_run_lost_for_a_quarter_of_an_hour_may_be_tried_again(
    client_of, alice, board, django_capture_on_commit_callbacks
):
    lost = make_run(
        board,
        alice,
        ReportRun.Status.QUEUED,
        requested_at=timezone.now() - timedelta(minutes=16),
    )
    assert "seems to have stopped" in client_of(alice).get(url("report_run", lost)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client_of(alice).post(url("report_retry", lost))
    assert ReportRun.objects.count() == 2


def test_a_run_in_progress_is_not_asked_for_twice(client_of, alice, running):
    response = client_of(alice).post(url("report_retry", running))
    assert response.status_code == 302
    assert ReportRun.objects.count() == 1


def test_a_member_may_not_try_again(client_of, bob, done):
    assert client_of(bob).post(url("report_retry", done)).status_code == 403
    assert ReportRun.objects.count() == 1


def test_another_board_may_not_try_again(client_of, charlie, failed):
    assert client_of(charlie).post(url("report_retry", failed)).status_code == 404


# --- The list of reports ------------------------------------------------------------------------


def test_members_see_only_finished_reports_in_the_list(client_of, bob, done, running, failed):
    runs = list(
        client_of(bob).get(reverse("report_list", kwargs={"slug": "warwickshire"})).context["runs"]
    )
    assert runs == [done]


def test_the_list_costs_the_same_queries_for_few_and_many_runs(
    client_of, alice, board, django_assert_max_num_queries
):
    list_url = reverse("report_list", kwargs={"slug": "warwickshire"})
    client = client_of(alice)
    client.get(list_url)
    for _ in range(2):
        make_run(board, alice, ReportRun.Status.FAILED)
    with django_assert_max_num_queries(15) as small:
        client.get(list_url)
    ReportRun.objects.bulk_create(
        ReportRun(
            board=board,
            period_start=date(2025, 4, 1),
            period_end=date(2026, 3, 31),
            requested_by=alice,
            status=ReportRun.Status.FAILED,
        )
        for _ in range(40)
    )
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(list_url)
    assert len(response.context["runs"]) == 20
    assert len(large.captured_queries) == len(small.captured_queries)
