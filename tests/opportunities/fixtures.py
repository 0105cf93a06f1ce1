"""Fixtures for the register: a third body (the council) and an executive for each body.

erin decides for Fire (from the shared conftest), pat for Police, cara for the council.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from boards.models import Organisation
from opportunities import services
from opportunities.models import Opportunity, Status, Theme
from tests.factories import AuthorityFactory, OrganisationFactory, UserFactory


@pytest.fixture
def council(board):
    body = OrganisationFactory(
        name="Warwickshire County Council",
        short_name="WCC",
        kind=Organisation.Kind.COUNTY_COUNCIL,
        executive_body="Cabinet",
    )
    board.organisations.add(body)
    return body


@pytest.fixture
def pat(police):
    person = UserFactory(full_name="Pat Price", email="pat@police.example", organisation=police)
    AuthorityFactory(person=person, organisation=police)
    return person


@pytest.fixture
def cara(council):
    person = UserFactory(full_name="Cara Cole", email="cara@council.example", organisation=council)
    AuthorityFactory(person=person, organisation=council)
    return person


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
def owen(board, police):
    """A board member (Police) who owns the opportunity under review."""
    from boards.models import BoardMembership
    from tests.factories import MembershipFactory

    person = UserFactory(full_name="Owen Oakes", email="owen@police.example", organisation=police)
    MembershipFactory(person=person, board=board, role=BoardMembership.Role.MEMBER)
    return person


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
