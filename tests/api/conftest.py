"""The API's fixtures: a personal token for any of the cast, and the public pages' business
(from tests/publicsite) for the public endpoints."""

from datetime import timedelta

import pytest

from boards.services import api_token_create
from tests.forwardplan.conftest import (  # noqa: F401  (fixtures)
    council_forum,
    fire_forum,
    forum_of,
    meeting_of,
    plan,
    police_forum,
)
from tests.publicsite.conftest import (  # noqa: F401  (fixtures)
    approved_meeting,
    cancelled_meeting,
    decided,
    draft_meeting,
    drafted_meeting,
    other_board_business,
    public_board,
    published_meeting,
    register,
    scheduled_meeting,
)


@pytest.fixture
def token_of(db):
    """``token_of(person)``: the Authorization header of a new personal token of theirs."""

    def make(person, lasts=timedelta(days=30)) -> dict[str, str]:
        _, token = api_token_create(person=person, name="Case system", lasts=lasts)
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    return make
