"""Every opportunity in delivery or on hold has a next review date."""

from datetime import date

import pytest
import time_machine

from audit.models import AuditEvent
from opportunities import services
from opportunities.models import Opportunity, Status, add_months

pytestmark = pytest.mark.django_db


def put_in(opportunity, status, next_review_on=None):
    Opportunity.objects.filter(pk=opportunity.pk).update(
        status=status, next_review_on=next_review_on
    )
    opportunity.refresh_from_db()
    return opportunity


def move(opportunity, alice, to):
    services.opportunity_transition(opportunity=opportunity, actor=alice, to=to, reason="Agreed")
    opportunity.refresh_from_db()
    return opportunity


@time_machine.travel("2026-08-31 12:00 +0100")
def test_going_into_delivery_sets_a_review_six_months_ahead(opportunity, alice):
    put_in(opportunity, Status.APPROVED)
    assert move(opportunity, alice, Status.IN_DELIVERY).next_review_on == date(2027, 2, 28)
    event = AuditEvent.objects.for_subject(opportunity).get(verb="review_scheduled")
    assert event.after == {"next_review_on": "2027-02-28"}
    assert event.summary == "Next review set for 28 February 2027"


@time_machine.travel("2026-11-26 12:00 +0000")
def test_going_on_hold_sets_a_review_three_months_ahead(opportunity, alice):
    assert move(opportunity, alice, Status.ON_HOLD).next_review_on == date(2027, 2, 26)


def test_a_date_already_set_is_kept(opportunity, alice):
    put_in(opportunity, Status.APPROVED, next_review_on=date(2027, 1, 15))
    assert move(opportunity, alice, Status.IN_DELIVERY).next_review_on == date(2027, 1, 15)
    assert not AuditEvent.objects.for_subject(opportunity).filter(verb="review_scheduled")


def test_an_implemented_opportunity_keeps_its_date_for_a_last_review(opportunity, alice):
    put_in(opportunity, Status.IN_DELIVERY, next_review_on=date(2027, 1, 15))
    assert move(opportunity, alice, Status.IMPLEMENTED).next_review_on == date(2027, 1, 15)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (Status.IMPLEMENTED, Status.CLOSED),
        (Status.ON_HOLD, Status.WITHDRAWN),
        (Status.ON_HOLD, Status.UNDER_ASSESSMENT),
        (Status.ON_HOLD, Status.PROPOSED),
    ],
)
def test_leaving_review_clears_the_date(opportunity, alice, source, target):
    put_in(opportunity, source, next_review_on=date(2027, 1, 15))
    assert move(opportunity, alice, target).next_review_on is None
    event = AuditEvent.objects.for_subject(opportunity).get(verb="review_cleared")
    assert event.before == {"next_review_on": "2027-01-15"}


def test_a_date_set_by_hand_before_delivery_is_left_alone(opportunity, alice):
    put_in(opportunity, Status.PROPOSED, next_review_on=date(2027, 1, 15))
    assert move(opportunity, alice, Status.UNDER_ASSESSMENT).next_review_on == date(2027, 1, 15)


def test_add_months_keeps_to_the_end_of_short_months():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 12, 15), 3) == date(2028, 3, 15)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)


def test_a_date_set_meanwhile_by_an_edit_is_not_overwritten(opportunity, alice):
    put_in(opportunity, Status.APPROVED)
    Opportunity.objects.filter(pk=opportunity.pk).update(next_review_on=date(2027, 5, 1))
    services.opportunity_transition(opportunity=opportunity, actor=alice, to=Status.IN_DELIVERY)
    assert opportunity.next_review_on == date(2027, 5, 1)
    opportunity.refresh_from_db()
    assert opportunity.next_review_on == date(2027, 5, 1)
