"""Operations on the board's reports: each writes rows, appends an audit event and queues work."""

from datetime import date
from functools import partial

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from boards.models import Board, User
from core.enqueue import enqueue
from notifications.tasks import sweep_time

from .models import ReportRun


@transaction.atomic
def report_run_request(*, board: Board, requested_by: User, start: date, end: date) -> ReportRun:
    """Ask for the board's collaboration report over a period.

    Writes a queued ``ReportRun``, appends a "report requested" event to the board's audit trail
    and queues the task that builds the PDF once the transaction commits (if the broker cannot
    take it, the run waits, queued, for the sweep).
    """
    from .tasks import build_collaboration_report

    run = ReportRun.objects.create(
        board=board,
        period_start=start,
        period_end=end,
        requested_by=requested_by,
        next_attempt_at=sweep_time(timezone.now()),
    )
    audit_record(
        subject=board,
        actor=requested_by,
        verb="report_requested",
        summary=f"Collaboration report asked for, {run.period_label}",
        after={"run": run.pk, "from": start.isoformat(), "to": end.isoformat()},
    )
    transaction.on_commit(
        lambda: enqueue(build_collaboration_report, run.pk, what="the report run")
    )
    return run


def report_runs_rebuild(*, board: Board, since: date) -> int:
    """Build again the board's finished reports whose period reaches ``since`` (they may hold
    something whose marking changed on that day or after it): each waits, queued, and is
    built and stamped afresh by its task after commit; its earlier PDF is no longer offered
    meanwhile. Returns how many."""
    from .tasks import build_collaboration_report

    runs = list(
        ReportRun.objects.filter(
            board=board, period_end__gte=since, status__in=ReportRun.FINISHED
        ).values_list("pk", flat=True)
    )
    ReportRun.objects.filter(pk__in=runs).update(
        status=ReportRun.Status.QUEUED,
        progress=0,
        stage="Waiting to be built again: a marking changed",
        error="",
        attempts=0,
        finished_at=None,
        next_attempt_at=sweep_time(timezone.now()),
    )
    for pk in runs:
        transaction.on_commit(
            partial(enqueue, build_collaboration_report, pk, what="the report run")
        )
    return len(runs)
