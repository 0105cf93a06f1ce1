"""PostgreSQL's counts of the sent referrals (``ReferralSum``, kept by migration 0024's
triggers) are always what the referrals themselves add up to, whatever writes them: each step
below changes referrals or their recommendations another way, and the counts are checked
against the rows, worked out here from first principles."""

from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.db import connection

from opportunities.models import Opportunity, Recommendation, Referral, ReferralSum
from reports import figures

from .conftest import TODAY, at, opportunity, recommendation, referral

pytestmark = pytest.mark.django_db


def expected() -> dict[tuple, tuple[int, timedelta]]:
    """(board, body, status, current, decided, due_on, paused) -> (rows, time taken)."""
    counts: dict[tuple, list] = defaultdict(lambda: [0, timedelta(0)])
    for row in Referral.objects.select_related("recommendation__opportunity").filter(
        sent_at__isnull=False
    ):
        awaiting = row.status in Referral.DECIDABLE
        key = (
            row.recommendation.opportunity.board_id,
            row.organisation_id,
            row.status,
            row.recommendation.superseded_at is None,
            row.decided_at is not None,
            row.due_on if awaiting else None,
            awaiting and row.paused_on is not None,
        )
        counts[key][0] += 1
        if row.decided_at is not None:
            counts[key][1] += row.decided_at - row.sent_at
    return {key: (rows, taken) for key, (rows, taken) in counts.items()}


def kept() -> dict[tuple, tuple[int, timedelta]]:
    return {
        (
            line.board_id,
            line.organisation_id,
            line.status,
            line.current,
            line.decided,
            line.due_on,
            line.paused,
        ): (line.rows, line.taken)
        for line in ReferralSum.objects.filter(rows__gt=0)
    }


def assert_counts_hold() -> None:
    assert kept() == expected()
    assert not ReferralSum.objects.filter(rows=0).exclude(taken=timedelta(0)).exists()


def test_the_counts_hold_through_every_kind_of_write(board, police, fire, elsewhere):
    hub = opportunity(board, police, title="Shared hub")
    first = recommendation(hub, agreed_on=date(2026, 9, 1), sent_at=at(date(2026, 9, 2)))
    to_police = referral(first, police)
    to_fire = referral(first, fire, due_on=date(2026, 10, 1))
    assert_counts_hold()

    # Decided through the model; deferred and paused in bulk.
    to_police.status = Referral.Status.APPROVED
    to_police.decided_at = at(date(2026, 9, 20))
    to_police.save()
    assert_counts_hold()
    Referral.objects.filter(pk=to_fire.pk).update(
        status=Referral.Status.DEFERRED, decided_at=at(date(2026, 9, 10))
    )
    Referral.objects.filter(pk=to_fire.pk).update(paused_on=date(2026, 9, 25))
    assert_counts_hold()

    # A recommendation not yet sent counts nothing until it is.
    depot = opportunity(board, fire, title="Joint depot")
    draft = recommendation(depot, agreed_on=date(2026, 10, 1))
    unsent = referral(draft, police, sent_at=None)
    assert_counts_hold()
    Referral.objects.filter(pk=unsent.pk).update(sent_at=at(date(2026, 10, 2)))
    assert_counts_hold()

    # A revised recommendation supersedes the first: its referrals are no longer current.
    Recommendation.objects.filter(pk=first.pk).update(superseded_at=at(date(2026, 11, 1)))
    second = recommendation(
        hub, agreed_on=date(2026, 11, 1), sent_at=at(date(2026, 11, 2)), version=2
    )
    referral(second, police)
    referral(second, fire, status=Referral.Status.DECLINED, decided_at=at(date(2026, 11, 10)))
    assert_counts_hold()
    current = ReferralSum.objects.filter(board=board, current=False, rows__gt=0)
    assert sum(line.rows for line in current) == 2

    # Bulk-created, then the opportunity moved to another board with its referrals.
    Referral.objects.bulk_create(
        [
            Referral(
                recommendation=draft,
                organisation=fire,
                status=Referral.Status.PENDING,
                sent_at=at(date(2026, 10, 2)),
                due_on=date(2026, 10, 30),
            )
        ]
    )
    assert_counts_hold()
    Opportunity.objects.filter(pk=depot.pk).update(board=elsewhere)
    assert_counts_hold()
    assert ReferralSum.objects.filter(board=elsewhere, rows__gt=0).exists()

    # A row removed (the portal refuses it; the database's owner may).
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM opportunities_referral WHERE id = %s", [to_police.pk])
    assert_counts_hold()


def test_the_dashboard_counts_the_same_from_the_kept_counts_as_from_the_referrals(
    board, police, fire
):
    hub = opportunity(board, police, title="Shared hub")
    rec = recommendation(hub, agreed_on=date(2026, 9, 1), sent_at=at(date(2026, 9, 2)))
    referral(rec, police, due_on=TODAY - timedelta(days=1))  # late
    referral(rec, fire, due_on=TODAY + timedelta(days=5))
    old = recommendation(
        hub,
        agreed_on=date(2026, 6, 1),
        sent_at=at(date(2026, 6, 2)),
        version=0,
        superseded_at=at(date(2026, 9, 1)),
    )
    referral(old, police, status=Referral.Status.APPROVED, decided_at=at(date(2026, 6, 12)))

    def lateness_where_it_counts(rows):
        """Whether a referral is late matters (and is kept) only while it awaits a decision,
        the time taken only where a decision is recorded."""
        return sorted(
            (
                body,
                status,
                current,
                late if status in Referral.DECIDABLE else None,
                decided,
                count,
                taken if decided else None,
            )
            for body, status, current, late, decided, count, taken in rows
        )

    assert lateness_where_it_counts(
        figures.referral_count_rows(board, TODAY)
    ) == lateness_where_it_counts(figures._referral_rows(board, TODAY))
    bodies, names = figures.bodies_and_others(board)
    (police_line,) = [
        line
        for line in figures.decisions_by_body(board, bodies, TODAY, names)
        if line.body.pk == police.pk
    ]
    assert (police_line.pending, police_line.overdue, police_line.decided) == (1, 1, 1)
    assert police_line.days == 10.0
