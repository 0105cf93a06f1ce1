"""The meeting fixtures of tests/meetings, and a meeting's worth of searchable business."""

import pytest

from boards.models import BoardMembership
from tests.factories import MembershipFactory, UserFactory
from tests.meetings.conftest import (  # noqa: F401 - fixtures used by the search tests
    _media_in_a_temporary_folder,
    dave,
    held,
    meeting,
    published,
)


@pytest.fixture
def mo(board, fire):
    """A board member who is not invited to the meeting: sees its agenda, not its papers or its
    exempt business."""
    person = UserFactory(full_name="Mo Marsh", email="mo@fire.example", organisation=fire)
    MembershipFactory(person=person, board=board, role=BoardMembership.Role.MEMBER)
    return person
