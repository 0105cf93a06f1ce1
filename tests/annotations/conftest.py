"""A published meeting with an open paper and an exempt item's paper, and the people around it:
bob (member, the notes' author), owen (another member), dave (chair), alice (secretariat),
olive (an observer), erin (a guest), charlie (a member of another board)."""

import pytest

from boards.models import BoardMembership
from meetings.annotations.models import PaperNote
from meetings.models import AgendaItem
from tests.factories import (
    AgendaItemFactory,
    MeetingInvitationFactory,
    MembershipFactory,
    PaperFactory,
    UserFactory,
)


@pytest.fixture
def olive(board, police):
    """An observer on the board."""
    person = UserFactory(full_name="Olive Orton", organisation=police)
    MembershipFactory(person=person, board=board, role=BoardMembership.Role.OBSERVER)
    return person


@pytest.fixture
def reading(published, owen, olive):
    """The published meeting, with owen and olive invited too."""
    for person in (owen, olive):
        MeetingInvitationFactory(meeting=published, person=person, counts_for_quorum=False)
    return published


@pytest.fixture
def open_paper(reading):
    item = AgendaItem.objects.get(meeting=reading)
    return PaperFactory(meeting=reading, agenda_item=item, title="Shared estates options", pages=2)


@pytest.fixture
def exempt_paper(reading):
    item = AgendaItemFactory(
        meeting=reading,
        title="Sale of the Leamington station",
        confidential=True,
        exempt_paragraph=3,
    )
    return PaperFactory(meeting=reading, agenda_item=item, title="Valuation report")


def note_on(paper, author, *, shared=False, page=1, body="Check the figures"):
    return PaperNote.objects.create(
        paper=paper,
        version=paper.current_version,
        author=author,
        page=page,
        quote="the estimated saving",
        start_offset=10,
        end_offset=30,
        body=body,
        shared=shared,
    )
