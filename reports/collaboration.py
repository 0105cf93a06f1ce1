"""The annual collaboration report: what the board's collaboration achieved over a period, as a
PDF built by a Celery task (``report_build``), never in a request.

It holds nothing confidential: no agenda items, papers or minutes, only meetings that were held
and who attended them, and the register's own figures.
"""

import logging
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.pdf import render_pdf
from meetings.models import HELD_STATES, Meeting, MeetingInvitation
from opportunities.models import Benefit, Recommendation, Referral, Review

from .figures import ZERO, Body, BodyRow, board_bodies, per_body
from .models import ReportRun

log = logging.getLogger(__name__)

FAILURE_MESSAGE = (
    "The report could not be built. Try again; if it fails again, tell the portal's "
    "administrator (the error has been logged)."
)
ATTENDED = (MeetingInvitation.Attendance.PRESENT, MeetingInvitation.Attendance.SUBSTITUTE)


def approved_in_period(board, start: date, end: date) -> list[Recommendation]:
    """Current recommendations every body approved, whose last decision fell in the period."""
    return list(
        Recommendation.objects.in_force()
        .approved_by_every_body()
        .filter(opportunity__board=board)
        .annotate(last_decision=Max("referrals__decided_at"))
        .filter(
            last_decision__date__gte=start,
            last_decision__date__lte=end,
        )
        .select_related("opportunity__lead_organisation")
        .only(
            "version",
            "agreed_on",
            "opportunity__title",
            "opportunity__theme",
            "opportunity__lead_organisation__short_name",
        )
        .order_by("last_decision", "pk")
    )


def decisions_by_body(board, bodies: list[Body], start: date, end: date) -> list[BodyRow]:
    """Per body: the decisions its executive recorded in the period, by answer."""
    statuses = {
        "approved": Referral.Status.APPROVED,
        "with_conditions": Referral.Status.APPROVED_WITH_CONDITIONS,
        "declined": Referral.Status.DECLINED,
        "deferred": Referral.Status.DEFERRED,
    }
    rows = (
        Referral.objects.filter(
            recommendation__opportunity__board=board,
            decided_at__date__gte=start,
            decided_at__date__lte=end,
            status__in=Referral.DECISIONS,
        )
        .order_by()
        .values("organisation_id", "organisation__short_name", "organisation__name")
        .annotate(
            total=Count("pk"),
            **{key: Count("pk", filter=Q(status=value)) for key, value in statuses.items()},
        )
    )
    return per_body(bodies, rows, {"total": 0, **dict.fromkeys(statuses, 0)})


def benefits_in_period(board, bodies: list[Body], start: date, end: date) -> list[BodyRow]:
    """Per body: cashable benefits (£) estimated and realised for periods ending in the period."""
    rows = (
        Benefit.objects.counted()
        .filter(opportunity__board=board, period_end__gte=start, period_end__lte=end)
        .order_by()
        .values("organisation_id", "organisation__short_name", "organisation__name")
        .annotate(
            estimated=Coalesce(Sum("cashable", filter=Q(kind=Benefit.Kind.ESTIMATED)), ZERO),
            realised=Coalesce(Sum("cashable", filter=Q(kind=Benefit.Kind.REALISED)), ZERO),
        )
    )
    return per_body(bodies, rows, {"estimated": ZERO, "realised": ZERO})


def reviews_held(board, start: date, end: date) -> list[Review]:
    return list(
        Review.objects.filter(opportunity__board=board, held_on__gte=start, held_on__lte=end)
        .select_related("opportunity")
        .only("held_on", "rag", "conclusion", "next_review_on", "opportunity__title")
        .order_by("held_on", "pk")
    )


def meetings_held(board, start: date, end: date) -> list[Meeting]:
    """Meetings held in the period, with how many invitees were present, sent a substitute,
    gave apologies or were absent."""
    counts = {
        name: Count("invitations", filter=Q(invitations__attendance=value))
        for name, value in (
            ("present", MeetingInvitation.Attendance.PRESENT),
            ("substitutes", MeetingInvitation.Attendance.SUBSTITUTE),
            ("apologies", MeetingInvitation.Attendance.APOLOGIES),
            ("absent", MeetingInvitation.Attendance.ABSENT),
        )
    }
    return list(
        Meeting.objects.filter(
            board=board,
            status__in=HELD_STATES,
            starts_at__date__gte=start,
            starts_at__date__lte=end,
        )
        .annotate(
            **counts,
            bodies_represented=Count(
                "invitations__organisation",
                filter=Q(invitations__attendance__in=ATTENDED, invitations__is_guest=False),
                distinct=True,
            ),
        )
        .only("title", "starts_at", "venue", "online_link", "status")
        .order_by("starts_at")
    )


def attendance_by_body(board, bodies: list[Body], start: date, end: date) -> list[BodyRow]:
    """Per body: at how many of the held meetings it was represented (someone present, or a
    substitute)."""
    rows = (
        MeetingInvitation.objects.filter(
            meeting__board=board,
            meeting__status__in=HELD_STATES,
            meeting__starts_at__date__gte=start,
            meeting__starts_at__date__lte=end,
            is_guest=False,
            organisation__isnull=False,
            attendance__in=ATTENDED,
        )
        .order_by()
        .values("organisation_id", "organisation__short_name", "organisation__name")
        .annotate(meetings=Count("meeting", distinct=True))
    )
    return per_body(bodies, rows, {"meetings": 0})


def report_build(*, run_id: int) -> None:
    """Build and store the run's PDF, recording progress at each stage; a failure is recorded
    with a human message (the detail goes to the log). Quietly does nothing unless the run is
    waiting to start, so a repeated task never builds twice."""
    claimed = ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.QUEUED).update(
        status=ReportRun.Status.RUNNING, progress=5, stage="Starting"
    )
    if claimed != 1:
        return
    run = ReportRun.objects.select_related("board").get(pk=run_id)
    try:
        content = collaboration_report_pdf(run, progress=_progress_of(run_id))
        name = run.file.storage.save(f"reports/{uuid.uuid4().hex}.pdf", ContentFile(content))
    except Exception:
        log.exception("The collaboration report of run %s could not be built", run_id)
        ReportRun.objects.filter(pk=run_id).update(
            status=ReportRun.Status.FAILED,
            error=FAILURE_MESSAGE,
            stage="Failed",
            finished_at=timezone.now(),
        )
        return
    ReportRun.objects.filter(pk=run_id).update(
        status=ReportRun.Status.DONE,
        progress=100,
        stage="Ready",
        file=name,
        error="",
        finished_at=timezone.now(),
    )


def _progress_of(run_id: int) -> Callable[[int, str], None]:
    def progress(percent: int, stage: str) -> None:
        ReportRun.objects.filter(pk=run_id).update(progress=percent, stage=stage)

    return progress


def collaboration_report_pdf(run: ReportRun, progress: Callable[[int, str], None]) -> bytes:
    board, start, end = run.board, run.period_start, run.period_end
    progress(10, "Gathering the opportunities approved")
    bodies = board_bodies(board)
    context: dict[str, Any] = {"run": run, "board": board, "start": start, "end": end}
    context["approved"] = approved_in_period(board, start, end)
    progress(25, "Counting the decisions of each body")
    context["decisions"] = decisions_by_body(board, bodies, start, end)
    progress(40, "Adding up the benefits")
    context["benefits"] = benefits_in_period(board, bodies, start, end)
    context["benefit_totals"] = {
        key: sum((getattr(row, key) for row in context["benefits"]), ZERO)
        for key in ("estimated", "realised")
    }
    progress(55, "Listing the reviews held")
    context["reviews"] = reviews_held(board, start, end)
    progress(70, "Listing the meetings held and their attendance")
    context["meetings"] = meetings_held(board, start, end)
    context["attendance"] = attendance_by_body(board, bodies, start, end)
    progress(85, "Drawing the PDF")
    return render_pdf("pdf/collaboration_report.html", {**context, "built_at": timezone.now()})
