"""The board dashboard's figures: a few aggregate queries (five on PostgreSQL), so the page costs
the same number of queries however large the register grows, each answered as far as it can be
from an index that holds what it adds up, and the benefits and the referrals from the sums and
counts PostgreSQL keeps as they are written (``BenefitSum``, ``ReferralSum``).

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
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncQuarter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from boards.models import Board, Organisation
from core import caching
from opportunities.models import (
    REVIEWABLE,
    REVIEWS_DUE_WITHIN_DAYS,
    Benefit,
    BenefitSum,
    Opportunity,
    Referral,
    ReferralSum,
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
ZERO_TIME = timedelta(0)


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


def bodies_and_others(board: Board) -> tuple[list[Body], dict[int, Body]]:
    """The board's member bodies, by name, and every body by id (a body that left the board
    still has its history), in one query: there are a few dozen bodies at most."""
    member = Board.organisations.through.objects.filter(
        board_id=board.pk, organisation_id=OuterRef("pk")
    )
    rows = (
        Organisation.objects.annotate(member=Exists(member))
        .order_by("name", "pk")
        .values_list("pk", "short_name", "name", "member")
    )
    every = {pk: (Body(pk, short_name, name), member) for pk, short_name, name, member in rows}
    return [body for body, member in every.values() if member], {
        pk: body for pk, (body, _member) in every.items()
    }


def per_body(
    bodies: list[Body], rows, keys: dict, names: Mapping[int, Body] | None = None
) -> list[BodyRow]:
    """One row per body of the board, plus any other body the figures name (a body that left
    still has its history), with ``keys``' defaults where a body has no figures. The other
    bodies' names come from ``names`` when given, else from each row's ``organisation__``
    fields."""
    found = {row["organisation_id"]: row for row in rows}
    known = {body.pk for body in bodies}
    extra = [
        names[row["organisation_id"]]
        if names is not None
        else Body(
            row["organisation_id"], row["organisation__short_name"], row["organisation__name"]
        )
        for row in found.values()
        if row["organisation_id"] not in known
    ]
    result = []
    for body in bodies + sorted(extra, key=lambda b: b.name):
        row = found.get(body.pk, {})
        result.append(BodyRow(body, {key: row.get(key, default) for key, default in keys.items()}))
    return result


# The review buckets ``opportunity_counts`` sorts opportunities into by their next review.
OVERDUE, DUE_SOON = 1, 2


@dataclass
class OpportunityCounts:
    by_status: list[tuple[str, int]]
    by_theme: list[tuple[str, int]]
    # Under review (in delivery, on hold, implemented): the next review past, or within the
    # coming REVIEWS_DUE_WITHIN_DAYS days.
    overdue: int
    due_soon: int


def opportunity_counts(board: Board, today: date) -> OpportunityCounts:
    """(label, count) for every status, in the order of the workflow, and for every theme, and
    the reviews overdue and due soon: one query grouping by status, theme and when the next
    review falls (an index on those columns answers it without reading the table)."""
    by_status: Counter = Counter()
    by_theme: Counter = Counter()
    reviews: Counter = Counter()
    for status, theme, review, count in opportunity_count_rows(board, today):
        by_status[status] += count
        by_theme[theme] += count
        if status in REVIEWABLE and review is not None:
            reviews[review] += count
    return OpportunityCounts(
        by_status=[(status.label, by_status[status.value]) for status in Status],
        by_theme=[(theme.label, by_theme[theme.value]) for theme in Theme],
        overdue=reviews[OVERDUE],
        due_soon=reviews[DUE_SOON],
    )


def opportunity_count_rows(board: Board, today: date) -> QuerySet:
    """(status, theme, review bucket, count) of the board's opportunities."""
    horizon = today + timedelta(days=REVIEWS_DUE_WITHIN_DAYS)
    return (
        Opportunity.objects.filter(board=board)
        .order_by()
        .annotate(
            review=Case(
                When(next_review_on__lt=today, then=Value(OVERDUE)),
                When(next_review_on__lte=horizon, then=Value(DUE_SOON)),
                default=None,
                output_field=IntegerField(),
            )
        )
        .values_list("status", "theme", "review")
        .annotate(n=Count("*"))
    )


def decisions_by_body(
    board: Board, bodies: list[Body], today: date, names: Mapping[int, Body] | None = None
) -> list[BodyRow]:
    """Per body, in one query over the board's sent referrals (on PostgreSQL, over the counts
    it keeps of them, ``ReferralSum``): those of current recommendations awaiting its decision
    (``pending``), how many of them are past their due date (``overdue``), and the average
    number of ``days`` from the referral being sent to the body's final decision (approved,
    with conditions or declined) over the ``decided`` ones.

    The referrals are counted in groups (body, status, whether the recommendation is current,
    whether the referral is late, whether it has a decision) and the groups added up here; on
    PostgreSQL the groups are read from the kept counts, late or not as of ``today``. A body
    no longer on the board is named from ``names`` (every body by id), or read
    when not given."""
    rows = (
        referral_count_rows(board, today)
        if connection.vendor == "postgresql"
        else _referral_rows(board, today)
    )
    figures: dict[int, dict[str, Any]] = {}
    for body, status, current, late, has_decision, n, spent in rows:
        row = figures.setdefault(
            body,
            {"organisation_id": body, "pending": 0, "overdue": 0, "decided": 0, "taken": ZERO_TIME},
        )
        if status in Referral.DECIDABLE and current:
            row["pending"] += n
            row["overdue"] += n if late else 0
        if status in FINAL_DECISIONS and has_decision:
            row["decided"] += n
            row["taken"] += spent
    if names is None:
        names = _names_of(set(figures) - {body.pk for body in bodies})
    result = per_body(
        bodies,
        figures.values(),
        {"pending": 0, "overdue": 0, "decided": 0, "taken": ZERO_TIME},
        names,
    )
    for line in result:
        decided, taken_in_all = line.values["decided"], line.values.pop("taken")
        line.values["days"] = (
            round(taken_in_all.total_seconds() / decided / 86400, 1) if decided else None
        )
    return result


def referral_count_rows(board: Board, today: date) -> QuerySet:
    """(body, status, current, late, has a decision, count, time taken) of the board's sent
    referrals, from the counts PostgreSQL keeps (``ReferralSum``: a few hundred lines, late or
    not as of ``today``)."""
    return (
        ReferralSum.objects.filter(board=board, rows__gt=0)
        .order_by()
        .annotate(late=_flag(Q(due_on__lt=today, paused=False)))
        .values_list("organisation_id", "status", "current", "late", "decided")
        .annotate(n=Sum("rows"), spent=Sum("taken"))
    )


def _referral_rows(board: Board, today: date) -> QuerySet:
    """The same groups, counted from the referrals themselves (where no counts are kept)."""
    taken = ExpressionWrapper(F("decided_at") - F("sent_at"), output_field=DurationField())
    return (
        Referral.objects.filter(recommendation__opportunity__board=board, sent_at__isnull=False)
        .order_by()
        .annotate(
            is_current=_flag(Q(recommendation__superseded_at__isnull=True)),
            late=_flag(Q(due_on__lt=today, paused_on__isnull=True)),
            has_decision=_flag(Q(decided_at__isnull=False)),
        )
        .values_list("organisation_id", "status", "is_current", "late", "has_decision")
        .annotate(n=Count("*"), taken=Sum(taken))
    )


def _names_of(pks: set[int]) -> dict[int, Body]:
    """The bodies of these ids (none asked: no query)."""
    if not pks:
        return {}
    return {
        pk: Body(pk, short_name, name)
        for pk, short_name, name in Organisation.objects.filter(pk__in=pks).values_list(
            "pk", "short_name", "name"
        )
    }


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


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


def benefit_figures(
    board: Board, names: Mapping[int, Body]
) -> tuple[list[Mapping[str, Any]], list[tuple[int, int, date, Decimal]]]:
    """(sums, estimate history) in the shapes ``benefits_by_body`` and ``benefits_by_quarter``
    take: ``benefit_sums``' rows, and for the history one row per body and quarter (a row
    number standing for the opportunity) carrying how much the estimates made then moved the
    total expected. On PostgreSQL from the sums its triggers keep (``BenefitSum``: a few dozen
    rows, one query); elsewhere (SQLite) from every estimate, added up in Python."""
    if connection.vendor != "postgresql":
        estimates = estimates_of(board)
        return benefit_sums(board, estimates), estimate_history(estimates)
    rows = (
        BenefitSum.objects.filter(board=board, rows__gt=0)
        .order_by()
        .values_list("part", "organisation_id", "quarter", "amount")
    )
    sums: dict[tuple[int, date], dict[str, Any]] = {}
    moves: list[tuple[date, int, Decimal]] = []
    for part, body, quarter, amount in rows:
        if part == BenefitSum.Part.MOVED:
            moves.append((quarter, body, amount))
            continue
        named = names[body]
        line = sums.setdefault(
            (body, quarter),
            {
                "organisation_id": body,
                "organisation__short_name": named.short_name,
                "organisation__name": named.name,
                "quarter": quarter,
                "estimated": ZERO,
                "realised": ZERO,
            },
        )
        line["estimated" if part == BenefitSum.Part.LATEST else "realised"] += amount
    history = [
        (index, body, made, moved) for index, (made, body, moved) in enumerate(sorted(moves))
    ]
    return list(sums.values()), history


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


def reviews_due(board: Board, today: date, counts: OpportunityCounts | None = None) -> dict:
    """Opportunities under review (in delivery, on hold, implemented) whose next review is
    overdue or due in the next 30 days, as the board's reviews list and the register's review
    filter count them (``counts``, counted here when not given), with the first few listed,
    soonest first."""
    horizon = today + timedelta(days=REVIEWS_DUE_WITHIN_DAYS)
    if counts is None:
        counts = opportunity_counts(board, today)
    listed = list(
        Opportunity.objects.filter(board=board)
        .under_review()
        .filter(next_review_on__lte=horizon)
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
    return {
        "overdue": counts.overdue,
        "due_soon": counts.due_soon,
        "listed": listed,
        "horizon": horizon,
    }


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
    """Every figure of the dashboard, in a fixed number of queries (five on PostgreSQL)."""
    bodies, names = bodies_and_others(board)
    counts = opportunity_counts(board, today)
    decisions = decisions_by_body(board, bodies, today, names)
    sums, history = benefit_figures(board, names)
    return {
        "total": sum(count for _, count in counts.by_status),
        "by_status": counts.by_status,
        "by_theme": counts.by_theme,
        "pending": decisions,
        "decision_days": decisions,
        "benefits": benefits_by_body(bodies, sums),
        "benefits_over_time": benefits_by_quarter(sums, history, today),
        "reviews": reviews_due(board, today, counts),
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
