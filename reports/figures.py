"""The board dashboard's figures, each an aggregate query (or two), so the page costs the same
number of queries however large the register grows.

Every function takes the board and returns plain values: the template draws the tables from
them and ``chart_data`` turns them into the JSON the charts read.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, DateField, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncQuarter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from boards.models import Board, Organisation
from core import caching
from opportunities.models import (
    REVIEWS_DUE_WITHIN_DAYS,
    Benefit,
    Opportunity,
    Referral,
    Status,
    Theme,
)
from opportunities.versions import cache_key, register_version

REVIEWS_LISTED = 20
# A referral is decided, for the time to decision, once its body has given a final answer;
# "deferred" asks for more information, so the clock runs on.
FINAL_DECISIONS = (
    Referral.Status.APPROVED,
    Referral.Status.APPROVED_WITH_CONDITIONS,
    Referral.Status.DECLINED,
)
ZERO = Decimal("0.00")


@dataclass
class Body:
    pk: int
    short_name: str
    name: str


@dataclass
class BodyRow:
    body: Body
    values: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None


def board_bodies(board: Board) -> list[Body]:
    """The board's member bodies, by name (one query)."""
    return [
        Body(pk, short_name, name)
        for pk, short_name, name in board.organisations.order_by("name").values_list(
            "pk", "short_name", "name"
        )
    ]


def per_body(bodies: list[Body], rows, keys: dict) -> list[BodyRow]:
    """One row per body of the board, plus any other body the figures name (a body that left
    still has its history), with ``keys``' defaults where a body has no figures."""
    found = {row["organisation_id"]: row for row in rows}
    known = {body.pk for body in bodies}
    extra = [
        Body(row["organisation_id"], row["organisation__short_name"], row["organisation__name"])
        for row in found.values()
        if row["organisation_id"] not in known
    ]
    result = []
    for body in bodies + sorted(extra, key=lambda b: b.name):
        row = found.get(body.pk, {})
        result.append(BodyRow(body, {key: row.get(key, default) for key, default in keys.items()}))
    return result


def opportunity_counts(board: Board) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(label, count) for every status, in the order of the workflow, and for every theme: one
    query grouping by both."""
    by_status: Counter = Counter()
    by_theme: Counter = Counter()
    rows = (
        Opportunity.objects.filter(board=board)
        .order_by()
        .values_list("status", "theme")
        .annotate(n=Count("pk"))
    )
    for status, theme, count in rows:
        by_status[status] += count
        by_theme[theme] += count
    return (
        [(status.label, by_status[status.value]) for status in Status],
        [(theme.label, by_theme[theme.value]) for theme in Theme],
    )


def decisions_by_body(board: Board, bodies: list[Body], today: date) -> list[BodyRow]:
    """Per body, in one query over the board's sent referrals: those of current recommendations
    awaiting its decision (``pending``), how many of them are past their due date
    (``overdue``), and the average number of ``days`` from the referral being sent to the
    body's final decision (approved, with conditions or declined) over the ``decided`` ones."""
    awaiting = Q(status__in=Referral.DECIDABLE, recommendation__superseded_at__isnull=True)
    final = Q(status__in=FINAL_DECISIONS, decided_at__isnull=False)
    taken = ExpressionWrapper(F("decided_at") - F("sent_at"), output_field=DurationField())
    rows = (
        Referral.objects.filter(recommendation__opportunity__board=board, sent_at__isnull=False)
        .order_by()
        .values("organisation_id", "organisation__short_name", "organisation__name")
        .annotate(
            pending=Count("pk", filter=awaiting),
            overdue=Count("pk", filter=awaiting & Q(due_on__lt=today, paused_on__isnull=True)),
            average=Avg(taken, filter=final),
            decided=Count("pk", filter=final),
        )
    )
    result = per_body(bodies, rows, {"pending": 0, "overdue": 0, "average": None, "decided": 0})
    for row in result:
        average = row.values["average"]
        row.values["days"] = None if average is None else round(average.total_seconds() / 86400, 1)
    return result


@dataclass(frozen=True)
class Estimate:
    """One cashable estimate: of which opportunity and body, the quarter it was made in and the
    quarter of the period it is for."""

    opportunity: int
    body: int
    made: date
    period: date
    amount: Decimal


def estimates_of(board: Board) -> list[Estimate]:
    """Every cashable estimate of the board's opportunities, oldest first (one query; the
    quarters are worked out by PostgreSQL, in the portal's time zone)."""
    rows = (
        Benefit.objects.filter(opportunity__board=board, kind=Benefit.Kind.ESTIMATED)
        .order_by("recorded_at", "pk")
        .annotate(
            made=TruncQuarter("recorded_at", output_field=DateField()),
            period=TruncQuarter("period_end"),
        )
        .values_list("opportunity_id", "organisation_id", "made", "period", "cashable")
    )
    return [Estimate(*row) for row in rows]


# Each body's latest estimate for each opportunity, added up per body and quarter of the period
# it is for; and, per quarter an estimate was made in, how much it moved the total expected
# (its amount less the same body's previous estimate for the opportunity). PostgreSQL adds them
# up, so the dashboard reads a few dozen rows however many estimates there are.
LATEST_ESTIMATES_SQL = """
SELECT latest.organisation_id, date_trunc('quarter', latest.period_end)::date, SUM(latest.cashable)
FROM (
    SELECT benefit.organisation_id, benefit.period_end, benefit.cashable,
           ROW_NUMBER() OVER (
               PARTITION BY benefit.opportunity_id, benefit.organisation_id
               ORDER BY benefit.recorded_at DESC, benefit.id DESC
           ) AS newest
    FROM opportunities_benefit benefit
    JOIN opportunities_opportunity opportunity ON opportunity.id = benefit.opportunity_id
    WHERE opportunity.board_id = %(board)s AND benefit.kind = %(estimated)s
) latest
WHERE latest.newest = 1
GROUP BY 1, 2
"""
ESTIMATE_MOVES_SQL = """
SELECT moves.made, SUM(moves.moved)
FROM (
    SELECT date_trunc('quarter', benefit.recorded_at AT TIME ZONE %(zone)s)::date AS made,
           benefit.cashable - COALESCE(LAG(benefit.cashable) OVER (
               PARTITION BY benefit.opportunity_id, benefit.organisation_id
               ORDER BY benefit.recorded_at, benefit.id
           ), 0) AS moved
    FROM opportunities_benefit benefit
    JOIN opportunities_opportunity opportunity ON opportunity.id = benefit.opportunity_id
    WHERE opportunity.board_id = %(board)s AND benefit.kind = %(estimated)s
) moves
GROUP BY 1
ORDER BY 1
"""


def _estimates_added_up(
    board: Board,
) -> tuple[list[Estimate], list[tuple[int, int, date, Decimal]]]:
    """(latest estimates, estimate history) in the shapes ``benefit_sums`` and
    ``benefits_by_quarter`` take, added up by PostgreSQL: one row per body and quarter for the
    first; for the second, one row per quarter (a row number standing for the opportunity, body
    0) carrying how much that quarter's estimates moved the total expected. Elsewhere (SQLite),
    every estimate, added up in Python."""
    if connection.vendor != "postgresql":
        estimates = estimates_of(board)
        return estimates, estimate_history(estimates)
    values: dict[str, int | str] = {
        "board": board.pk,
        "estimated": Benefit.Kind.ESTIMATED,
        "zone": timezone.get_current_timezone_name(),
    }
    with connection.cursor() as cursor:
        cursor.execute(LATEST_ESTIMATES_SQL, values)
        latest = [
            Estimate(opportunity=index, body=body, made=quarter, period=quarter, amount=total)
            for index, (body, quarter, total) in enumerate(cursor.fetchall())
        ]
        cursor.execute(ESTIMATE_MOVES_SQL, values)
        moves = [(index, 0, made, moved) for index, (made, moved) in enumerate(cursor.fetchall())]
    return latest, moves


def benefit_sums(board: Board, estimates: list[Estimate] | None = None) -> list[Mapping[str, Any]]:
    """Cashable benefits (£) estimated and realised, per body and quarter (by the end of the
    period each is recorded for): what both the per-body and the quarter-by-quarter figures add
    up. Realised amounts are added up by PostgreSQL; of the estimates (``estimates_of``, read
    here when not given) only each body's latest for an opportunity counts, as
    ``Benefit.objects.counted()`` has it, picked here from the rows the chart reads anyway."""
    estimates = estimates_of(board) if estimates is None else estimates
    latest: dict[tuple[int, int], Estimate] = {}
    for estimate in estimates:  # oldest first: the latest is the one left
        latest[(estimate.opportunity, estimate.body)] = estimate
    sums: dict[tuple[int, date], dict] = {}

    def line(body: int, quarter: date) -> dict:
        return sums.setdefault(
            (body, quarter),
            {"organisation_id": body, "quarter": quarter, "estimated": ZERO, "realised": ZERO},
        )

    for estimate in latest.values():
        line(estimate.body, estimate.period)["estimated"] += estimate.amount
    realised = (
        Benefit.objects.filter(opportunity__board=board, kind=Benefit.Kind.REALISED)
        .order_by()
        .annotate(quarter=TruncQuarter("period_end"))
        .values_list("organisation_id", "quarter")
        .annotate(total=Sum("cashable"))
    )
    for body, quarter, total in realised:
        line(body, quarter)["realised"] += total
    names = dict(
        (pk, (short_name, name))
        for pk, short_name, name in Organisation.objects.filter(
            pk__in={body for body, _quarter in sums}
        ).values_list("pk", "short_name", "name")
    )
    for (body, _quarter), row in sums.items():
        row["organisation__short_name"], row["organisation__name"] = names[body]
    return list(sums.values())


def benefits_by_body(bodies: list[Body], sums: list[Mapping[str, Any]]) -> list[BodyRow]:
    """Per body: cashable benefits estimated and realised (£), over all periods recorded."""
    totals: dict[int, dict] = {}
    for row in sums:
        total = totals.setdefault(
            row["organisation_id"],
            {**row, "estimated": ZERO, "realised": ZERO},
        )
        total["estimated"] += row["estimated"]
        total["realised"] += row["realised"]
    return per_body(bodies, totals.values(), {"estimated": ZERO, "realised": ZERO})


def quarter_label(start: date) -> str:
    """ "Apr to Jun 2026" for the quarter starting on 1 April 2026 (quarters start Jan, Apr, Jul
    and Oct, so they are the financial year's quarters too)."""
    end = start.replace(month=start.month + 2)
    return f"{start:%b} to {end:%b} {start.year}"


def _next_quarter(start: date) -> date:
    month = start.month + 3
    return date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def estimate_history(estimates: list[Estimate]) -> list[tuple[int, int, date, Decimal]]:
    """Every cashable estimate (opportunity, body, quarter it was made in, amount), oldest
    first, for the chart of what was expected when."""
    return [
        (estimate.opportunity, estimate.body, estimate.made, estimate.amount)
        for estimate in estimates
    ]


def _quarter_of(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def benefits_by_quarter(
    sums: list[Mapping[str, Any]],
    estimates: list[tuple[int, int, date, Decimal]],
    today: date,
) -> list[dict]:
    """Quarter by quarter, up to the current one: the cashable benefits realised to date (added
    up by the end of the period each is recorded for) and the benefits then expected (each
    body's latest estimate for each opportunity, as known at the quarter's end, placed where the
    estimate was made, not where its savings fall). The line stops at today's quarter: nothing
    is realised in the future."""
    current = _quarter_of(today)
    realised: dict[date, Decimal] = {}
    for row in sums:
        realised[row["quarter"]] = realised.get(row["quarter"], ZERO) + row["realised"]
    made: dict[date, list[tuple[int, int, Decimal]]] = {}
    for opportunity, body, day, amount in estimates:
        made.setdefault(_quarter_of(day), []).append((opportunity, body, amount))
    quarters = [q for q in (*realised, *made) if q <= current]
    if not quarters:
        return []
    quarter = min(quarters)
    latest: dict[tuple[int, int], Decimal] = {}
    estimated_total = ZERO  # the sum of ``latest``, kept as it changes
    realised_total = sum((v for q, v in realised.items() if q < quarter), ZERO)
    result = []
    while quarter <= current:
        for opportunity, body, amount in made.get(quarter, []):
            estimated_total += amount - latest.get((opportunity, body), ZERO)
            latest[(opportunity, body)] = amount
        realised_total += realised.get(quarter, ZERO)
        result.append(
            {
                "quarter": quarter,
                "label": quarter_label(quarter),
                "estimated": estimated_total,
                "realised": realised_total,
            }
        )
        quarter = _next_quarter(quarter)
    return result


def reviews_due(board: Board, today: date) -> dict:
    """Opportunities under review (in delivery, on hold, implemented) whose next review is
    overdue or due in the next 30 days, as the board's reviews list and the register's review
    filter count them, with the first few listed, soonest first."""
    horizon = today + timedelta(days=REVIEWS_DUE_WITHIN_DAYS)
    opportunities = Opportunity.objects.filter(board=board).under_review()
    counts = opportunities.aggregate(
        overdue=Count("pk", filter=Q(next_review_on__lt=today)),
        due_soon=Count("pk", filter=Q(next_review_on__gte=today, next_review_on__lte=horizon)),
    )
    listed = list(
        opportunities.filter(next_review_on__lte=horizon)
        .select_related("lead_organisation")
        .only(
            "pk",
            "title",
            "status",
            "next_review_on",
            "lead_organisation__short_name",
            "lead_organisation__name",
        )
        .order_by("next_review_on", "pk")[:REVIEWS_LISTED]
    )
    return {**counts, "listed": listed, "horizon": horizon}


def dashboard_cached(board: Board, today: date) -> tuple[dict, datetime, SafeString]:
    """The dashboard's figures, when they were worked out, and their part of the page (tables
    and chart data, the same for every member of the board), kept while the register's data is
    unchanged (``opportunities.versions``: any write to what they are drawn from starts a new
    entry), for at most ``DASHBOARD_CACHE_SECONDS`` (0 works them out on every request)."""
    seconds = settings.DASHBOARD_CACHE_SECONDS

    def build() -> tuple[dict, datetime, SafeString]:
        numbers = dashboard_figures(board, today)
        html = render_to_string(
            "reports/_dashboard_figures.html",
            {"board": board, "today": today, "figures": numbers, "chart_data": chart_data(numbers)},
        )
        return numbers, timezone.now(), mark_safe(html)  # noqa: S308 - a rendered template

    version = register_version() if seconds > 0 else None
    if version is None:
        return build()
    key = cache_key("dashboard:v2", version, board.pk, today.isoformat())
    return caching.cached(key, seconds, build)


def dashboard_figures(board: Board, today: date) -> dict:
    """Every figure of the dashboard, in a fixed number of queries."""
    bodies = board_bodies(board)
    by_status, by_theme = opportunity_counts(board)
    decisions = decisions_by_body(board, bodies, today)
    latest, history = _estimates_added_up(board)
    sums = benefit_sums(board, latest)
    return {
        "total": sum(count for _, count in by_status),
        "by_status": by_status,
        "by_theme": by_theme,
        "pending": decisions,
        "decision_days": decisions,
        "benefits": benefits_by_body(bodies, sums),
        "benefits_over_time": benefits_by_quarter(sums, history, today),
        "reviews": reviews_due(board, today),
    }


def _pounds(value: Decimal) -> float:
    return float(value)


def chart_data(figures: dict) -> dict:
    """The figures the charts draw, as JSON-ready numbers (the tables show the same)."""
    return {
        "status": {
            "labels": [label for label, _ in figures["by_status"]],
            "values": [count for _, count in figures["by_status"]],
        },
        "theme": {
            "labels": [label for label, _ in figures["by_theme"]],
            "values": [count for _, count in figures["by_theme"]],
        },
        "pending": {
            "labels": [row.body.short_name for row in figures["pending"]],
            "pending": [row.pending for row in figures["pending"]],
            "overdue": [row.overdue for row in figures["pending"]],
        },
        "decision_days": {
            "labels": [row.body.short_name for row in figures["decision_days"]],
            "values": [row.days for row in figures["decision_days"]],
        },
        "benefits": {
            "labels": [row.body.short_name for row in figures["benefits"]],
            "estimated": [_pounds(row.estimated) for row in figures["benefits"]],
            "realised": [_pounds(row.realised) for row in figures["benefits"]],
        },
        "benefits_over_time": {
            "labels": [row["label"] for row in figures["benefits_over_time"]],
            "estimated": [_pounds(row["estimated"]) for row in figures["benefits_over_time"]],
            "realised": [_pounds(row["realised"]) for row in figures["benefits_over_time"]],
        },
    }
