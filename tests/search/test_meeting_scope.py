"""Search reaches meetings' business through queries that restate the meeting pages' rules.
Here they are held equal to those rules, meeting by meeting, for every role and every state of
a meeting, so the two can never drift apart."""

from datetime import date

import pytest

from boards.models import BoardMembership
from meetings.models import Meeting
from meetings.permissions import can_view_meeting, can_view_papers, may_see_confidential
from search.permissions import meeting_scope
from tests.factories import (
    BoardFactory,
    MeetingFactory,
    MeetingInvitationFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Role = BoardMembership.Role


def expected(person, meetings):
    """What the meeting pages' own rules allow, meeting by meeting."""
    visible = [m for m in meetings if can_view_meeting(person, m)]
    return {
        "agenda": {m.pk for m in visible},
        "minutes": {m.pk for m in visible if m.has_been_held},
        "papers": {m.pk for m in visible if can_view_papers(person, m)},
        "confidential": {m.pk for m in visible if may_see_confidential(person, m)},
    }


def found(person):
    scope = meeting_scope(person)
    return {
        name: set(getattr(scope, name)) for name in ("agenda", "minutes", "papers", "confidential")
    }


def test_the_search_scope_matches_the_meeting_pages_rules_for_every_role_and_state(
    board, alice, bob, charlie
):
    other = BoardFactory(name="Another board", slug="another")
    chair = UserFactory(full_name="Chris Chair")
    MembershipFactory(person=chair, board=board, role=Role.CHAIR)
    observer = UserFactory(full_name="Olive Observer")
    MembershipFactory(person=observer, board=board, role=Role.OBSERVER)
    former = UserFactory(full_name="Fred Former")
    MembershipFactory(person=former, board=board, ends_on=date(2020, 1, 1))
    guest = UserFactory(full_name="Gail Guest")
    outsider_secretary = UserFactory(full_name="Otto Other")
    MembershipFactory(person=outsider_secretary, board=other, role=Role.SECRETARIAT)
    people = [alice, bob, charlie, chair, observer, former, guest, outsider_secretary]

    meetings = []
    for each_board in (board, other):
        for status in Meeting.Status.values:
            meeting = MeetingFactory(board=each_board, status=status, created_by=alice)
            meetings.append(meeting)
            # Some invited as members, some as guests, some not at all.
            if status in ("scheduled", "held", "minutes_approved", "draft"):
                MeetingInvitationFactory(meeting=meeting, person=bob)
                MeetingInvitationFactory(meeting=meeting, person=former)
                MeetingInvitationFactory(
                    meeting=meeting, person=guest, is_guest=True, organisation=None
                )
                MeetingInvitationFactory(
                    meeting=meeting, person=charlie, is_guest=True, organisation=None
                )
            if status in ("papers_published", "minutes_drafted"):
                MeetingInvitationFactory(meeting=meeting, person=observer)

    for person in people:
        assert found(person) == expected(person, meetings), person.full_name
    # The comparison is not empty on either side: people see different things.
    assert found(alice)["confidential"] != found(guest)["confidential"]
    assert found(guest)["papers"] and not found(guest)["confidential"]


def test_anonymous_reaches_no_meeting(client, board, alice):
    from django.contrib.auth.models import AnonymousUser

    MeetingFactory(board=board, status="minutes_approved", created_by=alice)
    assert found(AnonymousUser()) == {
        "agenda": set(),
        "minutes": set(),
        "papers": set(),
        "confidential": set(),
    }
