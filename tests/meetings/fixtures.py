"""Meeting fixtures, shared by every folder: a meeting of the board at each point of its life.

Its people (alice the secretariat, bob a member, dave the chair, erin a guest) come from
tests/conftest.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import ExemptParagraph, Meeting
from tests.factories import AgendaItemFactory, MeetingFactory

from .helpers import invite_board


@pytest.fixture
def meeting(board, alice, bob, dave):
    """A draft meeting in a fortnight, with one agenda item."""
    meeting = MeetingFactory(board=board, created_by=alice, title="Winter meeting")
    AgendaItemFactory(meeting=meeting, title="Shared estates", position=1)
    return meeting


@pytest.fixture
def published(meeting, alice, bob, dave, erin):
    """The meeting with papers published: alice, bob and dave invited, erin as a guest."""
    invite_board(meeting, alice, bob, dave, guests=[erin])
    meeting.status = Meeting.Status.PAPERS_PUBLISHED
    meeting.agenda_signed_off_at = timezone.now()
    meeting.agenda_signed_off_by = dave
    meeting.save()
    return meeting


@pytest.fixture
def held(published):
    published.starts_at = timezone.now() - timedelta(hours=3)
    published.ends_at = published.starts_at + timedelta(hours=2)
    published.status = Meeting.Status.HELD
    published.save()
    return published


@pytest.fixture
def exempt(published):
    """An exempt item (paragraph 3, financial) on the published meeting's agenda."""
    return AgendaItemFactory(
        meeting=published,
        position=2,
        title="Depot valuation",
        confidential=True,
        exempt_paragraph=ExemptParagraph.FINANCIAL,
    )
