"""A new meeting's first item confirms the minutes of the board's previous meeting, linked to
it, and its page shows whether (and when, and by whom) those minutes were approved."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import Meeting
from meetings.services import PREVIOUS_MINUTES_TITLE
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def create(board, alice, days: int) -> Meeting:
    start = timezone.now() + timedelta(days=days)
    meeting = Meeting(
        board=board,
        title="Next meeting",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        venue="Shire Hall, Warwick",
    )
    return meeting_services.meeting_create(meeting=meeting, actor=alice)


def earlier(board, alice, days: int, status, **extra) -> Meeting:
    start = timezone.now() + timedelta(days=days)
    return MeetingFactory(
        board=board,
        created_by=alice,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        status=status,
        **extra,
    )


def test_the_new_meeting_confirms_the_previous_meetings_minutes(client_of, board, alice, dave):
    previous = earlier(
        board,
        alice,
        -30,
        Meeting.Status.MINUTES_APPROVED,
        title="Autumn meeting",
        minutes_approved_at=timezone.now() - timedelta(days=3),
        minutes_approved_by=dave,
    )
    meeting = create(board, alice, 30)
    (item,) = meeting.items.all()
    assert item.title == PREVIOUS_MINUTES_TITLE and item.position == 1
    assert item.confirms_minutes_of == previous
    body = client_of(alice).get(meeting.get_absolute_url()).content.decode()
    assert previous.get_absolute_url() in body
    assert f"approved by {dave.full_name}" in body


def test_minutes_not_yet_approved_say_so(client_of, board, alice):
    earlier(board, alice, -2, Meeting.Status.MINUTES_DRAFTED, title="Autumn meeting")
    meeting = create(board, alice, 30)
    body = client_of(alice).get(meeting.get_absolute_url()).content.decode()
    assert "not yet approved (minutes drafted)" in body


def test_the_latest_earlier_meeting_held_or_scheduled_is_the_previous_one(board, alice):
    held = earlier(board, alice, -60, Meeting.Status.MINUTES_APPROVED)
    earlier(board, alice, -20, Meeting.Status.CANCELLED)
    earlier(board, alice, -10, Meeting.Status.DRAFT)
    earlier(board, alice, 90, Meeting.Status.SCHEDULED)  # later than the new one
    meeting = create(board, alice, 30)
    assert meeting.items.get().confirms_minutes_of == held


def test_a_boards_first_meeting_has_no_such_item(board, alice):
    assert not create(board, alice, 30).items.exists()


def test_another_boards_meetings_are_not_the_previous_one(board, alice, charlie):
    from boards.models import Board

    other = Board.objects.get(slug="elsewhere")
    earlier(other, charlie, -30, Meeting.Status.MINUTES_APPROVED)
    assert not create(board, alice, 30).items.exists()
