"""Fixtures for the register: opportunities at each step, a recommendation referred to each body
and an opportunity in delivery. The bodies and the people (the council, erin, pat, cara, owen)
come from tests/conftest.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from opportunities import services
from opportunities.models import Opportunity, Status, Theme


@pytest.fixture
def make_opportunity(board, police, fire, bob):
    def make(**fields) -> Opportunity:
        participating = fields.pop("participating", [police, fire])
        values = {
            "title": "Shared fire and police station",
            "summary": "Co-locate the two stations in one building.",
            "theme": Theme.ESTATES,
            "lead_organisation": police,
        }
        values.update(fields)
        return services.opportunity_propose(
            board=board, proposed_by=bob, participating=participating, **values
        )

    return make


@pytest.fixture
def opportunity(make_opportunity):
    return make_opportunity()


@pytest.fixture
def assessed(opportunity, alice):
    services.opportunity_transition(
        opportunity=opportunity, actor=alice, to=Status.UNDER_ASSESSMENT
    )
    return opportunity


@pytest.fixture
def record(alice):
    def record_recommendation(opportunity, bodies, *, due_in_days=28, wording="Do it."):
        today = timezone.localdate()
        return services.recommendation_record(
            opportunity=opportunity,
            actor=alice,
            wording=wording,
            agreed_on=today - timedelta(days=1),
            decision_due_on=today + timedelta(days=due_in_days),
            organisations=bodies,
        )

    return record_recommendation


@pytest.fixture
def referred(assessed, record, alice, police, fire, council, erin, pat, cara):
    """An opportunity whose recommendation has gone to Police, Fire and the council."""
    recommendation = record(assessed, [police, fire, council])
    services.recommendation_send(recommendation=recommendation, actor=alice)
    assessed.refresh_from_db()
    return recommendation


# --- reviews ------------------------------------------------------------------------------------


@pytest.fixture
def deliver(alice):
    """``deliver(opportunity)``: an approved opportunity moved into delivery by the secretariat
    (which sets its first review date)."""

    def move(opportunity, owner=None):
        Opportunity.objects.filter(pk=opportunity.pk).update(status=Status.APPROVED, owner=owner)
        opportunity.refresh_from_db()
        services.opportunity_transition(opportunity=opportunity, actor=alice, to=Status.IN_DELIVERY)
        opportunity.refresh_from_db()
        return opportunity

    return move


@pytest.fixture
def in_delivery(make_opportunity, deliver, owen, council, police, fire):
    """In delivery, owned by owen, with Police (lead), Fire and the council taking part."""
    return deliver(make_opportunity(participating=[police, fire, council]), owner=owen)
