"""Builders for the dashboard's and the report's data, written straight to the tables so each
test states the exact dates and amounts it counts. The clock stands at noon on 26 November 2026.

The people are the shared cast of tests/conftest.py: dave is the board's chair (Police);
charlie's board ("elsewhere") has data of its own that must never be counted.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from boards.models import Board
from opportunities.models import Benefit, Opportunity, Recommendation, Referral, Review, Theme
from tests.factories import UserFactory

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def elsewhere(charlie) -> Board:
    return Board.objects.get(slug="elsewhere")


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def opportunity(board, lead, *, title, status="proposed", theme=Theme.ESTATES, review=None):
    proposer = UserFactory(organisation=lead)
    return Opportunity.objects.create(
        board=board,
        title=title,
        summary="A summary.",
        theme=theme,
        lead_organisation=lead,
        proposed_by=proposer,
        status=status,
        next_review_on=review,
    )


def recommendation(opp, *, agreed_on, sent_at=None, version=1, superseded_at=None):
    return Recommendation.objects.create(
        opportunity=opp,
        version=version,
        wording="Do it.",
        agreed_on=agreed_on,
        decision_due_on=agreed_on + timedelta(days=28),
        recorded_by=opp.proposed_by,
        sent_at=sent_at,
        superseded_at=superseded_at,
    )


def referral(rec, organisation, *, status="pending", due_on=None, decided_at=None, sent_at=None):
    return Referral.objects.create(
        recommendation=rec,
        organisation=organisation,
        status=status,
        sent_at=sent_at if sent_at is not None else rec.sent_at,
        due_on=due_on or rec.decision_due_on,
        decided_at=decided_at,
    )


def benefit(opp, organisation, kind, amount: str, period_end: date):
    return Benefit.objects.create(
        opportunity=opp,
        organisation=organisation,
        kind=kind,
        cashable=Decimal(amount),
        period_end=period_end,
        recorded_by=opp.proposed_by,
    )


def review(opp, held_on: date, conclusion: str, rag="green", next_review_on=None):
    return Review.objects.create(
        opportunity=opp,
        held_on=held_on,
        conclusion=conclusion,
        rag=rag,
        next_review_on=next_review_on,
        recorded_by=opp.proposed_by,
    )
