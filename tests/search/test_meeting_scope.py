"""Search reaches meetings' business through queries that state the meeting pages' rules as
conditions on each row. Here they are held equal to those rules, item by item and paper by
paper, for every role, every state of a meeting and an admission to one exempt item, so the
two can never drift apart."""

from datetime import date

import pytest

from boards.models import BoardMembership
from meetings.models import ExemptItemAdmission, Meeting
from meetings.permissions import can_view_meeting, can_view_paper, may_see_item
from search.queries import sources_for
from tests.factories import (
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    MeetingInvitationFactory,
    MembershipFactory,
    PaperFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Role = BoardMembership.Role


def expected(person, meetings) -> dict[str, set[int]]:
    """What the meeting pages' own rules show the person, item by item and paper by paper."""
    items = [
        item
        for meeting in meetings
        if can_view_meeting(person, meeting)
        for item in meeting.items.all()
        if may_see_item(person, item)
    ]
    return {
        "agenda_item": {item.pk for item in items},
        "minutes": {item.pk for item in items if item.meeting.has_been_held and item.minutes},
        "paper": {
            paper.pk
            for meeting in meetings
            for paper in meeting.papers.all()
            if can_view_paper(person, paper) and paper.current_version_id is not None
        },
    }


def found(person) -> dict[str, set[int]]:
    """What the search may reach for the person, kind by kind."""
    return {
        source.kind: set(source.rows.values_list("pk", flat=True))
        for source in sources_for(person)
        if source.kind in ("agenda_item", "minutes", "paper")
    }


def test_the_search_reaches_what_the_meeting_pages_show_for_every_role_and_state(
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
            open_item = AgendaItemFactory(meeting=meeting, minutes="Agreed.")
            exempt = AgendaItemFactory(meeting=meeting, confidential=True, minutes="Agreed.")
            AgendaItemFactory(meeting=meeting)  # no minutes
            PaperFactory(meeting=meeting, agenda_item=open_item)
            PaperFactory(meeting=meeting, agenda_item=exempt)
            PaperFactory(meeting=meeting)  # of no item
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
                # The observer is admitted to this one exempt item, and no other.
                ExemptItemAdmission.objects.create(
                    agenda_item=exempt, person=observer, admitted_by=alice
                )

    for person in people:
        assert found(person) == expected(person, meetings), person.full_name
    # The comparison is not empty on either side: people see different things.
    assert found(alice)["agenda_item"] != found(guest)["agenda_item"]
    assert found(guest)["paper"] and found(guest)["minutes"]
    assert found(observer)["agenda_item"] - found(guest)["agenda_item"]


def test_anonymous_reaches_no_meeting(board, alice):
    from django.contrib.auth.models import AnonymousUser

    meeting = MeetingFactory(board=board, status="minutes_approved", created_by=alice)
    PaperFactory(meeting=meeting, agenda_item=AgendaItemFactory(meeting=meeting, minutes="Agreed."))
    assert found(AnonymousUser()) == {"agenda_item": set(), "minutes": set(), "paper": set()}
