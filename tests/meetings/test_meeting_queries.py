"""List pages, the meeting page and the calendar feed: the number of queries does not grow with
the number of rows."""

import pytest
from django.urls import reverse

from meetings import services as meeting_services
from meetings.models import Meeting
from tests.factories import (
    ActionFactory,
    AgendaItemFactory,
    MeetingFactory,
    MeetingInvitationFactory,
    PaperFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def count_queries(client, url, assert_max, limit=None):
    with assert_max(limit or 50) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def test_the_meetings_list_does_not_grow_with_meetings(
    client_of, board, alice, bob, django_assert_max_num_queries
):
    client = client_of(bob)
    url = reverse("meeting_list", kwargs={"slug": board.slug})
    client.get(url)  # renews the session, which later requests need not do

    def add(count):
        for n in range(count):
            MeetingFactory(board=board, created_by=alice, status=Meeting.Status.SCHEDULED)

    add(2)
    # A few upcoming meetings are all shown, and need no counting.
    few, response = count_queries(client, url, django_assert_max_num_queries)
    assert response.content.decode().count("status-badge status-scheduled") == 2
    add(20)
    small, _ = count_queries(client, url, django_assert_max_num_queries)
    assert small == few + 1  # the count of upcoming meetings, now there are more than shown
    add(20)
    large, response = count_queries(client, url, django_assert_max_num_queries, small)
    assert large == small
    body = response.content.decode()
    assert body.count("status-badge status-scheduled") == 20  # the next twenty
    assert "The next 20 of 42 upcoming meetings are shown." in body


def test_the_meeting_page_does_not_grow_with_items_papers_invitees_and_actions(
    client_of, published, alice, fire, django_assert_max_num_queries
):
    client = client_of(alice)
    url = published.get_absolute_url()
    client.get(url)

    def add(count):
        for n in range(count):
            item = AgendaItemFactory(meeting=published, confidential=n % 2 == 0)
            PaperFactory(meeting=published, agenda_item=item)
            MeetingInvitationFactory(meeting=published, person=UserFactory(organisation=fire))
            ActionFactory(meeting=published, agenda_item=item, owner=alice)

    add(2)
    small, _ = count_queries(client, url, django_assert_max_num_queries)
    add(12)
    large, response = count_queries(client, url, django_assert_max_num_queries, small)
    assert large == small
    assert response.content.decode().count('class="paper"') == 14


def test_the_calendar_feed_does_not_grow_with_meetings(
    client, board, alice, bob, django_assert_max_num_queries
):
    url = reverse(
        "calendar_feed", kwargs={"token": meeting_services.calendar_feed_of(person=bob).token}
    )

    def add(count):
        for n in range(count):
            meeting = MeetingFactory(board=board, created_by=alice, status=Meeting.Status.SCHEDULED)
            MeetingInvitationFactory(meeting=meeting, person=bob)

    add(1)
    client.get(url)  # reads the person's roles into the cache
    add(1)  # a changed feed is built afresh, not answered from the kept copy
    small, _ = count_queries(client, url, django_assert_max_num_queries)
    add(20)
    large, response = count_queries(client, url, django_assert_max_num_queries, small)
    assert large == small
    assert response.content.decode().count("BEGIN:VEVENT") == 22


def test_past_meetings_come_a_page_at_a_time(client_of, board, alice, bob):
    from datetime import timedelta

    from django.utils import timezone

    for n in range(30):
        start = timezone.now() - timedelta(days=7 * (n + 1))
        MeetingFactory(
            board=board,
            created_by=alice,
            status=Meeting.Status.MINUTES_APPROVED,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
    client = client_of(bob)
    url = reverse("meeting_list", kwargs={"slug": board.slug})
    first = client.get(url).content.decode()
    assert first.count("status-badge status-minutes_approved") == 25
    assert "Page 1 of 2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count("status-badge status-minutes_approved") == 5


def test_the_feed_leaves_out_meetings_more_than_a_year_old(client, board, alice, bob):
    from datetime import timedelta

    from django.utils import timezone

    from meetings.models import CalendarFeed, MeetingInvitation

    for days_ago in (30, 400):
        start = timezone.now() - timedelta(days=days_ago)
        meeting = MeetingFactory(
            board=board,
            created_by=alice,
            status=Meeting.Status.MINUTES_APPROVED,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            title=f"{days_ago} days ago",
        )
        MeetingInvitation.objects.create(meeting=meeting, person=bob, organisation=bob.organisation)
    feed = CalendarFeed.objects.create(person=bob, token="t" * 40)
    body = client.get(reverse("calendar_feed", kwargs={"token": feed.token})).content.decode()
    assert "30 days ago" in body
    assert "400 days ago" not in body


def test_an_unchanged_calendar_feed_costs_the_same_few_queries_at_any_size(
    client, board, alice, bob, django_assert_max_num_queries
):
    """The feed found and the person's boards read, then one digest of their meetings: no
    meeting is read as a row when the calendar program already has the feed."""
    url = reverse(
        "calendar_feed", kwargs={"token": meeting_services.calendar_feed_of(person=bob).token}
    )

    def add(count):
        for n in range(count):
            meeting = MeetingFactory(board=board, created_by=alice, status=Meeting.Status.SCHEDULED)
            MeetingInvitationFactory(meeting=meeting, person=bob)

    counts = []
    for size in (2, 30):
        add(size)
        etag = client.get(url)["ETag"]
        with django_assert_max_num_queries(3) as captured:
            response = client.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 304
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
