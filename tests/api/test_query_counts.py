"""The API's lists cost the same number of queries whatever the number of rows."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opportunities import services
from tests.factories import AgendaItemFactory, MeetingFactory


def _queries(path: str, headers: dict[str, str]) -> int:
    # The token's last use is written once a minute: a first request writes it.
    Client().get(path, **headers)
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(path, **headers).status_code == 200
    return len(queries)


def _more_business(make_opportunity, record, alice, police, fire, board, count):
    for n in range(count):
        opportunity = make_opportunity(title=f"Opportunity {n}")
        services.opportunity_transition(opportunity=opportunity, actor=alice, to="under_assessment")
        recommendation = record(opportunity, [police, fire])
        services.recommendation_send(recommendation=recommendation, actor=alice)
        meeting = MeetingFactory(board=board, created_by=alice, status="scheduled")
        AgendaItemFactory(meeting=meeting)


@pytest.mark.parametrize(
    "path",
    ["/api/register", "/api/recommendations", "/api/referrals", "/api/meetings"],
)
def test_a_list_costs_the_same_queries_at_two_sizes(
    path, make_opportunity, record, alice, police, fire, board, erin, token_of
):
    headers = token_of(alice)
    _more_business(make_opportunity, record, alice, police, fire, board, 2)
    few = _queries(path, headers)
    _more_business(make_opportunity, record, alice, police, fire, board, 8)
    many = _queries(path, headers)
    assert many == few


def test_the_public_register_costs_the_same_queries_at_two_sizes(register, public_board):
    from opportunities.models import Opportunity, Status

    few = _queries("/api/public/warwickshire/register", {})
    approved = Opportunity.objects.filter(status=Status.APPROVED).first()
    for n in range(6):
        approved.pk = None
        approved.title = f"Copy {n}"
        approved.save()
    many = _queries("/api/public/warwickshire/register", {})
    assert many == few
