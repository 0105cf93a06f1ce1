"""The bodies' decision forums and a recommendation referred to Police, Fire and the council
(``referred`` from tests/opportunities/fixtures.py), ready to be planned."""

from datetime import timedelta

import pytest
from django.utils import timezone

from forwardplan import services
from forwardplan.models import DecisionForum, ForumMeeting


@pytest.fixture
def forum_of():
    def make(organisation, name="Executive board", **fields) -> DecisionForum:
        values = {"decision_maker": "The executive", "notice_days": 28}
        values.update(fields)
        return DecisionForum.objects.create(organisation=organisation, name=name, **values)

    return make


@pytest.fixture
def meeting_of():
    def make(forum, days_ahead: int = 40) -> ForumMeeting:
        return services.forum_meeting_add(
            forum=forum, actor=None, on=timezone.localdate() + timedelta(days=days_ahead)
        )

    return make


@pytest.fixture
def police_forum(forum_of, police):
    return forum_of(police, "Chief Constable's management board", decision_maker="Chief Constable")


@pytest.fixture
def fire_forum(forum_of, fire):
    return forum_of(fire, "Service leadership board", decision_maker="Chief Fire Officer")


@pytest.fixture
def council_forum(forum_of, council):
    return forum_of(council, "Cabinet", decision_maker="The Leader and Cabinet")


@pytest.fixture
def plan(alice):
    """``plan(referral, meeting, key=..., private=..., paragraph=...)`` by the secretariat."""

    def make(referral, meeting, *, key=False, private=False, paragraph=None):
        return services.plan_entry_save(
            referral=referral,
            actor=alice,
            forum_meeting=meeting,
            key_decision=key,
            private=private,
            exempt_paragraph=paragraph,
        )

    return make
