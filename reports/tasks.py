"""Thin Celery tasks: they take ids, fetch afresh and return quietly when there is nothing to do."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.enqueue import enqueue
from notifications.tasks import sweep_time

from .collaboration import report_build
from .models import ReportRun

logger = logging.getLogger("bluelight.tasks")

SWEEP_BATCH = 100


@shared_task(acks_late=True)
def build_collaboration_report(run_id: int) -> None:
    """Build the PDF of a report run that is waiting to start."""
    report_build(run_id=run_id)


def running_stale() -> timedelta:
    """A run "being built" this long has lost its worker: longer than any task may run."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


@shared_task(acks_late=True)
def sweep_report_runs() -> int:
    """Queue again the runs left waiting (the broker was down when they were asked for) and
    start again those whose worker died while building; run by beat every minute. A run whose
    worker died ``ReportRun.MAX_ATTEMPTS`` times is marked failed, for a person to try again.
    Returns how many runs were queued."""
    now = timezone.now()
    Status = ReportRun.Status
    lost = ReportRun.objects.filter(status=Status.RUNNING, started_at__lt=now - running_stale())
    lost.filter(attempts__gte=ReportRun.MAX_ATTEMPTS).update(
        status=Status.FAILED,
        stage="Failed",
        error="The report could not be built: the worker building it stopped each time.",
        finished_at=now,
    )
    lost.update(
        status=Status.QUEUED, progress=0, stage="Waiting to start again", next_attempt_at=now
    )
    due = list(
        ReportRun.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    ReportRun.objects.filter(pk__in=due).update(next_attempt_at=sweep_time(now))
    for queued, pk in enumerate(due):
        if not enqueue(build_collaboration_report, pk, what=f"{len(due) - queued} report runs"):
            return queued
    return len(due)
