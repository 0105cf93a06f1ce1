"""The annual collaboration report: what the board's collaboration achieved over a period, as a
PDF built by a Celery task (``report_build``), never in a request.

It holds nothing confidential: no agenda items, papers or minutes, only meetings that were held
and who attended them, and the register's own figures.
"""

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F, Max, Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import document_issued_record
from boards.selectors import role_label_on
from core.govuk import govuk_date
from core.markings import strictest
from core.pdf import render_pdf_in_parts
from core.signing import sign_pdf
from meetings.models import HELD_STATES, Meeting, MeetingInvitation
from opportunities.models import (
    Benefit,
    Opportunity,
    Recommendation,
    Referral,
    ReferralEvent,
    Review,
    Status,
)

from .charts import report_charts
from .figures import ZERO, Body, BodyRow, board_bodies, dashboard_figures, per_body
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
            "opportunity__lead_organisation__name",
        )
        .order_by("last_decision", "pk")
    )


def decisions_by_body(board, bodies: list[Body], start: date, end: date) -> list[BodyRow]:
    """Per body, on the current version of each recommendation only (a superseded version's
    decisions are history): the final decisions recorded in the period by answer, the
    deferrals asked for in the period counted as events (a body that deferred and later
    decided counts both), and the referrals still awaiting its decision."""
    finals = {
        "approved": Referral.Status.APPROVED,
        "with_conditions": Referral.Status.APPROVED_WITH_CONDITIONS,
        "declined": Referral.Status.DECLINED,
    }
    current = Referral.objects.filter(
        recommendation__opportunity__board=board,
        recommendation__superseded_at__isnull=True,
        sent_at__isnull=False,
    )
    in_period = Q(decided_at__date__gte=start, decided_at__date__lte=end)
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in current.order_by()
        .values("organisation_id", "organisation__short_name", "organisation__name")
        .annotate(
            **{
                key: Count("pk", filter=Q(status=value) & in_period)
                for key, value in finals.items()
            },
            awaiting=Count("pk", filter=Q(status__in=Referral.DECIDABLE)),
        )
    ]
    deferrals = deferral_events(board, start, end)
    for row in rows:
        row["deferred"] = deferrals.pop(row["organisation_id"], 0)
        row["total"] = sum(row[key] for key in finals) + row["deferred"]
    keys = {"total": 0, **dict.fromkeys(finals, 0), "deferred": 0, "awaiting": 0}
    return per_body(bodies, rows, keys)


def deferral_events(board, start: date, end: date) -> Counter[int]:
    """How many times each body deferred a decision (asked for more information) in the period,
    on current versions, read from the referrals' decision history (``ReferralEvent``): each
    deferral is a step of the record, so one later answered or decided still counts. By body
    id; one query."""
    rows = (
        ReferralEvent.objects.filter(
            kind=ReferralEvent.Kind.DECISION,
            outcome=Referral.Status.DEFERRED,
            at__date__gte=start,
            at__date__lte=end,
            referral__recommendation__opportunity__board=board,
            referral__recommendation__superseded_at__isnull=True,
        )
        .order_by()
        .values_list("referral__organisation_id")
        .annotate(times=Count("pk"))
    )
    return Counter(dict(rows))


def benefits_in_period(board, bodies: list[Body], start: date, end: date) -> list[BodyRow]:
    """Per body, from the one source (``Benefit``, as the dashboard and the register read it):
    the cashable benefit estimated (each body's current estimate for each opportunity, whatever
    date the savings are expected by), realised for periods ending in the period, and realised
    to the period's end."""
    rows = (
        Benefit.objects.counted()
        .filter(opportunity__board=board)
        .order_by()
        .values("organisation_id", "organisation__short_name", "organisation__name")
        .annotate(
            estimated=Coalesce(Sum("cashable", filter=Q(kind=Benefit.Kind.ESTIMATED)), ZERO),
            realised=Coalesce(
                Sum(
                    "cashable",
                    filter=Q(
                        kind=Benefit.Kind.REALISED, period_end__gte=start, period_end__lte=end
                    ),
                ),
                ZERO,
            ),
            realised_to_date=Coalesce(
                Sum("cashable", filter=Q(kind=Benefit.Kind.REALISED, period_end__lte=end)), ZERO
            ),
        )
    )
    return per_body(bodies, rows, {"estimated": ZERO, "realised": ZERO, "realised_to_date": ZERO})


# --- the chair's summary ------------------------------------------------------------------------

NOT_PURSUED = (Status.WITHDRAWN, Status.CLOSED, Status.NOT_APPROVED)


def recommended_in_period(board, start: date, end: date) -> list[Recommendation]:
    """Recommendations sent to the bodies in the period and still current, each with the bodies
    it went to (prefetched)."""
    return list(
        Recommendation.objects.filter(
            opportunity__board=board,
            superseded_at__isnull=True,
            sent_at__date__gte=start,
            sent_at__date__lte=end,
        )
        .select_related("opportunity")
        .only("version", "sent_at", "marking", "marking_descriptors", "opportunity__title")
        .prefetch_related(
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("organisation")
                .only(
                    "recommendation_id", "status", "organisation__short_name", "organisation__name"
                )
                .order_by("organisation__name"),
            )
        )
        .order_by("sent_at", "pk")
    )


def in_delivery(board) -> list[Opportunity]:
    return list(
        Opportunity.objects.filter(board=board, status=Status.IN_DELIVERY)
        .only("title")
        .order_by("title")
    )


@dataclass
class NotPursued:
    opportunity: Opportunity
    status: str
    on: date
    reason: str


def not_pursued_in_period(board, start: date, end: date) -> list[NotPursued]:
    """Opportunities withdrawn, closed without being implemented, or not approved in the
    period, with the reason: the one given when it was withdrawn or closed, or the bodies that
    declined it and why (three queries)."""
    events = list(
        AuditEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(Opportunity),
            subject_id__in=Opportunity.objects.filter(board=board).values("pk"),
            verb="status",
            after__status__in=list(NOT_PURSUED),
            at__date__gte=start,
            at__date__lte=end,
        )
        .exclude(before__status=Status.IMPLEMENTED)
        .order_by("at", "pk")
    )
    opportunities = Opportunity.objects.only("title").in_bulk(
        {event.subject_id for event in events}
    )
    declined: dict[int, list[str]] = {}
    for referral in (
        Referral.objects.filter(
            recommendation__opportunity_id__in=opportunities,
            recommendation__superseded_at__isnull=True,
            status=Referral.Status.DECLINED,
        )
        .select_related("organisation", "recommendation")
        .order_by("organisation__name")
    ):
        # A report goes to every reader of the board: an OFFICIAL-SENSITIVE decision's reasons
        # and notes never go in it (opportunities.permissions.decision_notes_q).
        why = "" if referral.is_sensitive else referral.reasons or referral.notes
        declined.setdefault(referral.recommendation.opportunity_id, []).append(
            f"{referral.organisation.name}" + (f" ({why})" if why else "")
        )
    found = []
    for event in events:
        if event.subject_id is None:  # never for a status change; the trail allows it
            continue
        status = event.after["status"]
        if status == Status.NOT_APPROVED:
            reason = "Declined by " + "; ".join(declined.get(event.subject_id, ["a body"]))
        else:
            _, _, given = event.summary.partition(": ")
            reason = given or "No reason was recorded."
        found.append(
            NotPursued(
                opportunity=opportunities[event.subject_id],
                status=Status(status).label,
                on=timezone.localdate(event.at),
                reason=reason,
            )
        )
    return found


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
        status=ReportRun.Status.RUNNING,
        progress=5,
        stage="Starting",
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        next_attempt_at=None,
    )
    if claimed != 1:
        return
    run = ReportRun.objects.select_related("board", "requested_by").get(pk=run_id)
    try:
        content = collaboration_report_pdf(run, progress=_progress_of(run_id))
        # Signed last, once every page is drawn: a change to the bytes after this breaks it.
        _progress_of(run_id)(95, "Signing the PDF")
        reason = report_signature_reason(run)
        issued = sign_pdf(content, reason=reason)
        name = run.file.storage.save(f"reports/{uuid.uuid4().hex}.pdf", ContentFile(issued.content))
    except Exception:
        log.exception("The collaboration report of run %s could not be built", run_id)
        ReportRun.objects.filter(pk=run_id).update(
            status=ReportRun.Status.FAILED,
            error=FAILURE_MESSAGE,
            stage="Failed",
            finished_at=timezone.now(),
        )
        return
    with transaction.atomic():
        ReportRun.objects.filter(pk=run_id).update(
            status=ReportRun.Status.DONE,
            progress=100,
            stage="Ready",
            file=name,
            error="",
            finished_at=timezone.now(),
        )
        document_issued_record(
            subject=run,
            actor=None,
            kind=REPORT_KIND,
            title=f"the collaboration report of {run.board.name}, {run.period_label}",
            sha256=issued.sha256,
            signed=issued.signed,
            reason=reason,
        )


REPORT_KIND = "collaboration_report"


def report_signature_reason(run: ReportRun) -> str:
    """ "Issued by Priya Shah, Secretariat, 2 December 2026": who asked for the report, in
    which role on the board, and when it was produced."""
    today = timezone.localdate()
    person = run.requested_by
    role = role_label_on(person, run.board, today)
    names = ", ".join(part for part in (person.full_name, role) if part)
    return f"Issued by {names}, {govuk_date(today)}"


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
    context["recommended"] = recommended_in_period(board, start, end)
    progress(25, "Counting the decisions of each body")
    context["decisions"] = decisions_by_body(board, bodies, start, end)
    context["decision_totals"] = {
        key: sum(getattr(row, key) for row in context["decisions"])
        for key in ("approved", "with_conditions", "declined", "deferred", "awaiting")
    }
    progress(40, "Adding up the benefits")
    context["benefits"] = benefits_in_period(board, bodies, start, end)
    context["benefit_totals"] = {
        key: sum((getattr(row, key) for row in context["benefits"]), ZERO)
        for key in ("estimated", "realised", "realised_to_date")
    }
    context["in_delivery"] = in_delivery(board)
    context["not_pursued"] = not_pursued_in_period(board, start, end)
    progress(55, "Listing the reviews held")
    context["reviews"] = reviews_held(board, start, end)
    progress(70, "Listing the meetings held and their attendance")
    context["meetings"] = meetings_held(board, start, end)
    context["attendance"] = attendance_by_body(board, bodies, start, end)
    progress(78, "Drawing the dashboard's charts")
    charts_as_of = min(end, timezone.localdate())
    context["charts"] = report_charts(dashboard_figures(board, charts_as_of))
    context["charts_as_of"] = charts_as_of
    progress(85, "Drawing the PDF")
    # The report names the recommendations of the period: it is marked the strictest of them.
    marking = strictest(r.handling for r in context["recommended"])
    context["built_at"] = timezone.now()
    for name in LISTED_LATER_WHEN_LONG:
        context[f"{name}_listed_later"] = len(context[name]) > SUMMARY_LIST_LIMIT
    return render_pdf_in_parts(
        "pdf/collaboration_report.html",
        ({**context, "sections": sections} for sections in report_parts(context)),
        marking=marking,
    )


# A part of the PDF is laid out on its own (core.pdf.render_pdf_in_parts): about this many rows
# of tables and lists, so a board with tens of thousands of opportunities is drawn in bounded
# memory and time.
PART_ROWS = 250
# The chair's summary names up to this many recommendations, opportunities in delivery or
# opportunities not pursued; a longer list is given in full at the end of the report instead.
SUMMARY_LIST_LIMIT = 30
LISTED_LATER_WHEN_LONG = ("recommended", "in_delivery", "not_pursued")
# What a section without rows weighs: the front (with the charts) and the per-body tables.
FIXED_SECTION_ROWS = 60


@dataclass
class Section:
    """A section of the report, or a slice of a long list (headed on its first slice)."""

    name: str
    rows: Sequence[Any] = ()
    first: bool = True
    last: bool = True

    @property
    def weight(self) -> int:
        return len(self.rows) or FIXED_SECTION_ROWS


def _sliced(name: str, rows: Sequence[Any]) -> Iterator[Section]:
    if not rows:
        yield Section(name)
        return
    for start in range(0, len(rows), PART_ROWS):
        yield Section(
            name,
            rows[start : start + PART_ROWS],
            first=start == 0,
            last=start + PART_ROWS >= len(rows),
        )


def report_parts(context: dict[str, Any]) -> Iterator[list[Section]]:
    """The report's sections in order, grouped into parts of about ``PART_ROWS`` rows: a
    small report is one part, laid out as one document."""
    sections: list[Section] = [
        Section("front"),
        *_sliced("approved", context["approved"]),
        Section("bodies"),
        *_sliced("reviews", context["reviews"]),
        *_sliced("meetings", context["meetings"]),
    ]
    for name in LISTED_LATER_WHEN_LONG:
        if context[f"{name}_listed_later"]:
            sections.extend(_sliced(name, context[name]))
    part: list[Section] = []
    weight = 0
    for section in sections:
        if part and weight + section.weight > PART_ROWS:
            yield part
            part, weight = [], 0
        part.append(section)
        weight += section.weight
    if part:
        yield part
