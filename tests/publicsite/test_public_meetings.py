"""The public list of meetings: dates and places of every meeting past its draft."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def list_url(board) -> str:
    return reverse("public_meeting_list", args=[board.slug])


def test_upcoming_and_past_meetings_are_listed_with_their_public_status(
    client, public_board, everything
):
    response = client.get(list_url(public_board))
    assert response.status_code == 200
    upcoming = [m.title for m in response.context["upcoming"]]
    past = [m.title for m in response.context["past"]]
    assert upcoming == ["Extraordinary meeting", "Spring meeting", "Winter meeting"]
    assert past == ["Summer meeting", "Autumn meeting"]
    body = response.content.decode()
    assert "Cancelled" in body and "Minutes approved" in body and "Agenda published" in body
    assert "Ocelot" not in body  # the draft meeting
    assert "Wombat" not in body  # another board's meeting


def test_each_listed_meeting_links_to_its_public_page(client, public_board, approved_meeting):
    body = client.get(list_url(public_board)).content.decode()
    assert reverse("public_meeting", args=[public_board.slug, approved_meeting.pk]) in body
    assert f'href="{approved_meeting.get_absolute_url()}"' not in body  # not the members' page


def test_the_online_link_of_a_meeting_is_not_published(client, public_board, approved_meeting):
    body = client.get(list_url(public_board)).content.decode()
    assert "Shire Hall, Warwick and online" in body
    assert approved_meeting.online_link not in body


def test_past_meetings_are_paginated(client, public_board, alice):
    for n in range(27):
        starts = timezone.now() - timedelta(days=10 + n)
        MeetingFactory(
            board=public_board,
            created_by=alice,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            status=Meeting.Status.HELD,
        )
    first = client.get(list_url(public_board))
    second = client.get(list_url(public_board), {"page": 2})
    assert len(first.context["past"]) == 25 and len(second.context["past"]) == 2
    assert client.get(list_url(public_board), {"page": "x"}).status_code == 200


def test_the_meetings_list_does_not_grow_in_queries_with_meetings(
    client, public_board, alice, django_assert_max_num_queries
):
    def add(count):
        for n in range(count):
            MeetingFactory(board=public_board, created_by=alice, status=Meeting.Status.SCHEDULED)
            starts = timezone.now() - timedelta(days=5 + n)
            MeetingFactory(
                board=public_board,
                created_by=alice,
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                status=Meeting.Status.MINUTES_APPROVED,
            )

    def count() -> int:
        with django_assert_max_num_queries(20) as captured:
            assert client.get(list_url(public_board)).status_code == 200
        return len(captured.captured_queries)

    add(2)
    small = count()
    add(20)
    assert count() == small


def test_a_meeting_page_does_not_grow_in_queries_with_items(
    client, public_board, approved_meeting, django_assert_max_num_queries
):
    from tests.factories import AgendaItemFactory

    url = reverse("public_meeting", args=[public_board.slug, approved_meeting.pk])

    def count() -> int:
        with django_assert_max_num_queries(20) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    small = count()
    for n in range(12):
        AgendaItemFactory(meeting=approved_meeting, confidential=n % 2 == 0, minutes="Noted.")
    assert count() == small
