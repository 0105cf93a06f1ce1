"""The annual report counts deferrals from the referrals' decision history (ReferralEvent), each
deferral an event: a body that deferred twice and then decided counts two deferrals, whatever
the audit trail holds."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType

from audit.models import AuditEvent
from opportunities.models import Referral, ReferralEvent, Status
from reports.collaboration import decisions_by_body, deferral_events
from reports.figures import board_bodies

from .conftest import at, opportunity, recommendation, referral

pytestmark = pytest.mark.django_db
START, END = date(2026, 4, 1), date(2026, 9, 30)


def deferral(referral_row, day: date, actor) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral_row,
        kind=ReferralEvent.Kind.DECISION,
        outcome=Referral.Status.DEFERRED,
        note="More information, please.",
        actor=actor,
        at=at(day),
    )


@pytest.fixture
def history(board, police, fire, erin, pat, elsewhere, outsider_org, charlie):
    depot = opportunity(board, police, title="Shared depot", status=Status.APPROVED)
    # A deferral on a superseded version (1) is history, not counted.
    old = recommendation(
        depot,
        agreed_on=date(2026, 1, 1),
        sent_at=at(date(2026, 1, 2)),
        superseded_at=at(date(2026, 3, 1)),
    )
    deferral(referral(old, police, status="superseded"), date(2026, 4, 20), pat)
    current = recommendation(
        depot, agreed_on=date(2026, 3, 1), sent_at=at(date(2026, 3, 2)), version=2
    )
    fire_referral = referral(current, fire, status="approved", decided_at=at(date(2026, 9, 1)))
    deferral(fire_referral, date(2026, 5, 1), erin)
    deferral(fire_referral, date(2026, 7, 1), erin)
    deferral(fire_referral, date(2026, 10, 5), erin)  # after the period
    police_referral = referral(current, police, status="approved", decided_at=at(date(2026, 6, 1)))
    ReferralEvent.objects.create(
        referral=police_referral,
        kind=ReferralEvent.Kind.QUESTION,
        note="A question is not a deferral.",
        actor=pat,
        at=at(date(2026, 5, 2)),
    )
    # An audit event that says "deferred" with no step of the record behind it is not counted.
    AuditEvent.objects.create(
        subject_type=ContentType.objects.get_for_model(depot),
        subject_id=depot.pk,
        at=at(date(2026, 6, 1)),
        verb="decision",
        summary="Police: Deferred",
        after={"referral": police_referral.pk, "status": "deferred"},
    )
    # Another board's deferral.
    merger = opportunity(elsewhere, outsider_org, title="Elsewhere merger")
    rec = recommendation(merger, agreed_on=date(2026, 4, 1), sent_at=at(date(2026, 4, 2)))
    elsewhere_referral = referral(
        rec, outsider_org, status="deferred", decided_at=at(date(2026, 5, 5))
    )
    deferral(elsewhere_referral, date(2026, 5, 5), charlie)
    return fire_referral


def test_each_deferral_in_the_history_counts_once(board, police, fire, history):
    assert deferral_events(board, START, END) == {fire.pk: 2}


def test_the_report_counts_the_deferrals_beside_the_final_decision(board, police, fire, history):
    rows = {row.body.pk: row for row in decisions_by_body(board, board_bodies(board), START, END)}
    assert rows[fire.pk].deferred == 2
    assert rows[fire.pk].approved == 1
    assert rows[fire.pk].total == 3
    assert rows[police.pk].deferred == 0
    assert rows[police.pk].total == 1


def test_the_count_is_one_query(board, history, django_assert_num_queries):
    with django_assert_num_queries(1):
        deferral_events(board, START, END)
