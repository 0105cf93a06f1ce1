"""A report run is a row before it is a task: a run whose task was lost (the broker was down
when it was asked for) is queued by the sweep, and a run whose worker died is started again."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from reports import collaboration
from reports.models import ReportRun
from reports.services import report_run_request
from reports.tasks import running_stale, sweep_report_runs

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def quick_pdf(monkeypatch):
    """The builds below are about when they run, not what they draw."""
    built = []

    def pdf(run, progress):
        built.append(run.pk)
        return b"%PDF-1.7 the report"

    monkeypatch.setattr(collaboration, "collaboration_report_pdf", pdf)
    return built


def lost_request(board, alice, capture) -> ReportRun:
    with capture(execute=False):  # as with the broker down when it was asked for
        return report_run_request(
            board=board, requested_by=alice, start=date(2025, 4, 1), end=date(2026, 3, 31)
        )


def test_a_run_asked_for_while_the_broker_was_down_is_built_by_the_sweep(
    board, alice, quick_pdf, django_capture_on_commit_callbacks
):
    run = lost_request(board, alice, django_capture_on_commit_callbacks)
    assert sweep_report_runs() == 0  # its own task may still be on the way
    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        assert sweep_report_runs() == 1
        assert sweep_report_runs() == 0
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 1)
    assert quick_pdf == [run.pk]


def test_a_run_whose_worker_died_is_started_again(
    board, alice, quick_pdf, django_capture_on_commit_callbacks
):
    run = lost_request(board, alice, django_capture_on_commit_callbacks)
    ReportRun.objects.filter(pk=run.pk).update(
        status="running", attempts=1, started_at=timezone.now(), next_attempt_at=None
    )
    assert sweep_report_runs() == 0  # it may still be building
    with time_machine.travel(NOW + running_stale() + timedelta(seconds=1), tick=False):
        assert sweep_report_runs() == 1
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 2)


def test_a_run_whose_worker_died_every_time_is_failed_for_a_person_to_try_again(
    board, alice, quick_pdf, client_of, django_capture_on_commit_callbacks
):
    run = lost_request(board, alice, django_capture_on_commit_callbacks)
    ReportRun.objects.filter(pk=run.pk).update(
        status="running", attempts=ReportRun.MAX_ATTEMPTS, started_at=timezone.now()
    )
    with time_machine.travel(NOW + running_stale() + timedelta(seconds=1), tick=False):
        assert sweep_report_runs() == 0
    run.refresh_from_db()
    assert run.status == "failed" and "stopped each time" in run.error
    assert quick_pdf == []
    page = client_of(alice).get(run.get_absolute_url())
    assert "stopped each time" in page.content.decode()


def test_the_report_sweep_runs_every_minute(settings):
    from bluelight.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE["sweep-report-runs"]
    assert schedule["task"] in app.tasks and schedule["schedule"] == 60
