"""PostgreSQL's sums of the benefits (``BenefitSum``, kept by migration 0023's triggers) are
always what the benefits themselves add up to, whatever writes them and in whatever order: each
step below changes the benefits another way and the sums are checked against the rows, worked
out here from first principles (realised amounts; each body's latest estimate for an
opportunity; each estimate's move of the expected total, in the quarter it was made in, in the
portal's time zone)."""

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection

from opportunities.models import Benefit, BenefitSum, Opportunity
from reports import figures

from .conftest import at, benefit, opportunity

pytestmark = pytest.mark.django_db
ESTIMATED, REALISED = Benefit.Kind.ESTIMATED, Benefit.Kind.REALISED


def quarter(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def expected() -> dict[tuple, tuple[Decimal, int]]:
    """(board, part, body, quarter) -> (amount, rows), from the benefits alone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    sums: dict[tuple, list] = defaultdict(lambda: [Decimal("0"), 0])

    def add(key: tuple, amount: Decimal) -> None:
        sums[key][0] += amount
        sums[key][1] += 1

    chains: dict[tuple[int, int], list[Benefit]] = defaultdict(list)
    for row in Benefit.objects.select_related("opportunity").order_by("recorded_at", "pk"):
        board = row.opportunity.board_id
        if row.kind == REALISED:
            add((board, "realised", row.organisation_id, quarter(row.period_end)), row.cashable)
        else:
            chains[(row.opportunity_id, row.organisation_id)].append(row)
    for chain in chains.values():
        previous = Decimal("0")
        for row in chain:
            made = quarter(row.recorded_at.astimezone(zone).date())
            add(
                (row.opportunity.board_id, "moved", row.organisation_id, made),
                row.cashable - previous,
            )
            previous = row.cashable
        last = chain[-1]
        add(
            (last.opportunity.board_id, "latest", last.organisation_id, quarter(last.period_end)),
            last.cashable,
        )
    return {key: (amount, rows) for key, (amount, rows) in sums.items()}


def kept() -> dict[tuple, tuple[Decimal, int]]:
    return {
        (line.board_id, line.part, line.organisation_id, line.quarter): (line.amount, line.rows)
        for line in BenefitSum.objects.filter(rows__gt=0)
    }


def assert_sums_hold() -> None:
    assert kept() == expected()
    # No line is left with an amount and no benefit behind it.
    assert not BenefitSum.objects.filter(rows=0).exclude(amount=0).exists()


def estimate(opp, body, amount: str, recorded_at: datetime, period_end=date(2027, 3, 31)):
    row = benefit(opp, body, ESTIMATED, amount, period_end)
    Benefit.objects.filter(pk=row.pk).update(recorded_at=recorded_at)
    row.refresh_from_db()
    return row


def test_the_sums_hold_through_every_kind_of_write(board, police, fire, elsewhere):
    hub = opportunity(board, police, title="Shared hub")
    depot = opportunity(board, fire, title="Joint depot")
    assert_sums_hold()

    # Estimates made in order, then one made earlier recorded late (the middle of its chain).
    first = estimate(hub, police, "1000", at(date(2026, 1, 10)))
    estimate(hub, police, "1500", at(date(2026, 5, 10)))
    estimate(hub, police, "1200", at(date(2026, 3, 1)))
    estimate(hub, fire, "700", at(date(2026, 2, 1)), period_end=date(2026, 12, 31))
    estimate(depot, fire, "300", at(date(2026, 8, 1)))
    assert_sums_hold()
    latest = BenefitSum.objects.filter(part="latest", board=board, organisation=police)
    assert [line.amount for line in latest if line.rows] == [Decimal("1500.00")]

    # Realised amounts, one of them created in bulk.
    benefit(hub, police, REALISED, "400", date(2026, 6, 30))
    Benefit.objects.bulk_create(
        [
            Benefit(
                opportunity=depot,
                organisation=fire,
                kind=REALISED,
                cashable=Decimal("250"),
                period_end=date(2026, 9, 30),
                recorded_by=depot.proposed_by,
            ),
            Benefit(
                opportunity=depot,
                organisation=fire,
                kind=ESTIMATED,
                cashable=Decimal("350"),
                period_end=date(2027, 3, 31),
                recorded_by=depot.proposed_by,
            ),
        ]
    )
    assert_sums_hold()

    # An amount changed through the model, and a save of a row loaded before its chain grew
    # (its "latest" in memory is out of date and is written back).
    stale = Benefit.objects.get(pk=first.pk)
    estimate(hub, police, "1800", at(date(2026, 10, 1)))
    stale.non_cashable = "Fewer call-outs."
    stale.save()
    assert_sums_hold()
    stale.cashable = Decimal("900")
    stale.save()
    assert_sums_hold()

    # Updates in bulk: an estimate moved to the end of its chain, to another body, to realised.
    Benefit.objects.filter(pk=first.pk).update(recorded_at=at(date(2026, 11, 20)))
    assert_sums_hold()
    Benefit.objects.filter(opportunity=depot, kind=ESTIMATED, cashable=300).update(
        organisation=police
    )
    assert_sums_hold()
    Benefit.objects.filter(opportunity=hub, organisation=fire).update(kind=REALISED)
    assert_sums_hold()

    # The opportunity moved to another board takes its benefits' sums with it.
    Opportunity.objects.filter(pk=depot.pk).update(board=elsewhere)
    assert_sums_hold()
    assert BenefitSum.objects.filter(board=elsewhere, rows__gt=0).exists()

    # A row removed (the portal refuses it; the database's owner may).
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM opportunities_benefit WHERE id = %s", [first.pk])
    assert_sums_hold()


def test_an_estimate_counts_in_the_quarter_it_was_made_in_the_portals_time_zone(board, police):
    hub = opportunity(board, police, title="Shared hub")
    # 23:30 on 31 March in UTC is 00:30 on 1 April in London (summer time).
    estimate(hub, police, "1000", datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    (line,) = BenefitSum.objects.filter(part="moved", rows__gt=0)
    assert line.quarter == date(2026, 4, 1)
    assert_sums_hold()


def test_the_sums_are_kept_in_the_portals_own_time_zone():
    """The moves' quarters are worked out in the time zone written into the trigger's function
    when the migration ran: the portal's."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'opportunities_benefit_sum_add'")
        (source,) = cursor.fetchone()
    assert f"AT TIME ZONE '{settings.TIME_ZONE}'" in source


def test_the_dashboard_reads_the_benefits_from_the_sums(board, police, fire, elsewhere):
    hub = opportunity(board, police, title="Shared hub")
    away = opportunity(elsewhere, police, title="Elsewhere's hub")
    benefit(away, police, REALISED, "999", date(2026, 6, 30))
    estimate(hub, police, "1000", at(date(2026, 1, 10)))
    estimate(hub, police, "1500", at(date(2026, 5, 10)))
    benefit(hub, fire, REALISED, "400", date(2026, 6, 30))
    _bodies, names = figures.bodies_and_others(board)
    sums, history = figures.benefit_figures(board, names)
    # The same as adding up the estimates themselves (the way without kept sums).
    estimates = figures.estimates_of(board)
    assert sorted(sums, key=repr) == sorted(figures.benefit_sums(board, estimates), key=repr)
    today = date(2026, 11, 26)
    assert figures.benefits_by_quarter(sums, history, today) == figures.benefits_by_quarter(
        figures.benefit_sums(board, estimates), figures.estimate_history(estimates), today
    )
    # Another board's benefits are not in it.
    assert sum(row["realised"] for row in sums) == Decimal("400.00")
