"""Meeting fixtures: the board's chair (dave, Police), a meeting at each point of its life, and
uploaded files stored in a temporary folder."""

from datetime import timedelta

import pytest
from django.utils import timezone

from boards.models import BoardMembership
from meetings.models import Meeting, MeetingInvitation
from tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    MeetingInvitationFactory,
    MembershipFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dave(board, police):
    """The board's chair, representing the Police."""
    person = UserFactory(full_name="Dave Dunn", email="dave@police.example", organisation=police)
    MembershipFactory(person=person, board=board, role=BoardMembership.Role.CHAIR)
    return person


@pytest.fixture
def meeting(board, alice, bob, dave):
    """A draft meeting in a fortnight, with one agenda item."""
    meeting = MeetingFactory(board=board, created_by=alice, title="Winter meeting")
    AgendaItemFactory(meeting=meeting, title="Shared estates", position=1)
    return meeting


def invite_board(meeting, *people, guests=()):
    for person in people:
        MeetingInvitationFactory(
            meeting=meeting,
            person=person,
            counts_for_quorum=person.memberships.exclude(role="secretariat").exists(),
        )
    for person in guests:
        MeetingInvitationFactory(
            meeting=meeting,
            person=person,
            is_guest=True,
            organisation=None,
            counts_for_quorum=False,
        )


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


def reply(meeting, person, answer):
    MeetingInvitation.objects.filter(meeting=meeting, person=person).update(reply=answer)
