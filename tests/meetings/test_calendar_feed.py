"""Each person's private calendar feed (a secret token they can reset) and each meeting's .ics."""

import pytest
from django.urls import reverse
from icalendar import Calendar

from meetings import services as meeting_services
from meetings.models import Meeting
from tests.factories import MeetingFactory

from .helpers import invite_board

pytestmark = pytest.mark.django_db


def feed_url(person):
    return reverse(
        "calendar_feed", kwargs={"token": meeting_services.calendar_feed_of(person=person).token}
    )


def events(response):
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_the_feed_lists_only_the_persons_meetings(client, published, board, alice, bob, charlie):
    other = MeetingFactory(board=board, created_by=alice, status=Meeting.Status.SCHEDULED)
    invite_board(other, alice)
    MeetingFactory(board=board, created_by=alice, status=Meeting.Status.DRAFT)
    response = client.get(feed_url(bob))
    assert response.status_code == 200
    assert [str(e["UID"]) for e in events(response)] == [f"meeting-{published.uid}@bluelight"]
    assert len(events(client.get(feed_url(alice)))) == 2
    assert events(client.get(feed_url(charlie))) == []


def test_a_cancelled_meeting_stays_in_the_feed_marked_cancelled(client, published, bob):
    published.status = Meeting.Status.CANCELLED
    published.save()
    (event,) = events(client.get(feed_url(bob)))
    assert str(event["STATUS"]) == "CANCELLED"


def test_a_wrong_token_is_not_found(client, published, bob):
    feed_url(bob)
    response = client.get(reverse("calendar_feed", kwargs={"token": "not-the-token"}))
    assert response.status_code == 404


def test_resetting_the_address_retires_the_old_one(client_of, client, published, bob):
    old = feed_url(bob)
    response = client_of(bob).post(reverse("calendar_reset"), follow=True)
    assert "Your calendar has a new address" in response.content.decode()
    new = feed_url(bob)
    assert new != old
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_the_calendar_page_shows_the_private_address(client_of, bob):
    body = client_of(bob).get(reverse("calendar_settings")).content.decode()
    feed = meeting_services.calendar_feed_of(person=bob)
    assert f"https://portal.example.org/calendar/{feed.token}.ics" in body


def test_the_calendar_pages_ask_anonymous_visitors_to_sign_in(client):
    for url in (reverse("calendar_settings"), reverse("calendar_reset")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_calendar_reset_is_post_only(client_of, bob):
    assert client_of(bob).get(reverse("calendar_reset")).status_code == 405


def test_each_meeting_offers_an_ics_download(client_of, published, bob):
    response = client_of(bob).get(reverse("meeting_ics", kwargs={"pk": published.pk}))
    assert response["Content-Disposition"].startswith("attachment;")
    (event,) = events(response)
    assert str(event["UID"]) == f"meeting-{published.uid}@bluelight"
    assert str(event["LOCATION"]) == "Shire Hall, Warwick"


def test_an_unchanged_feed_is_answered_not_modified(client, published, bob):
    url = feed_url(bob)
    first = client.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "private, no-cache"
    etag = first["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Renamed board meeting"},
        {"venue": "Leek Wootton"},
        {"status": Meeting.Status.CANCELLED, "cancelled_reason": "No business"},
    ],
)
def test_a_changed_meeting_changes_the_feed_at_once(client, published, bob, change):
    url = feed_url(bob)
    first = client.get(url)
    Meeting.objects.filter(pk=published.pk).update(**change)
    second = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    (event,) = events(second)
    shown = event.to_ical().decode().replace("\r\n ", "")
    for value in change.values():
        assert str(value).upper() in shown.upper()


def test_the_feed_is_not_shared_between_people_with_the_same_meetings(
    client, published, alice, bob
):
    mine = client.get(feed_url(bob))
    theirs = client.get(feed_url(alice))
    assert mine["ETag"] != theirs["ETag"]
    assert bob.full_name.encode() in mine.content
    assert bob.full_name.encode() not in theirs.content


def test_a_kept_feed_is_given_back_until_anything_changes_and_only_at_its_own_address(
    settings, client, client_of, published, board, alice, bob, django_assert_max_num_queries
):
    """With pages kept (core/page_cache.py), the feed asked again costs the data version's
    query alone; a change to a meeting, a reset address or another person's token is never
    answered with what was kept."""
    settings.PAGE_CACHE_SECONDS = 60
    bobs = feed_url(bob)
    first = client.get(bobs)
    with django_assert_max_num_queries(1):
        again = client.get(bobs)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    # Another person's token: their own feed, not the one kept for bob.
    alices = client.get(feed_url(alice))
    assert alices["ETag"] != first["ETag"]
    # A wrong token stays not found, however often asked.
    wrong = reverse("calendar_feed", kwargs={"token": "not-the-token"})
    assert client.get(wrong).status_code == client.get(wrong).status_code == 404
    # A change to the meeting is in the very next answer.
    published.title = "Renamed meeting"
    published.save()
    changed = client.get(bobs)
    assert changed["ETag"] != first["ETag"]
    assert "Renamed meeting" in changed.content.decode()
    # A reset address no longer answers, though its feed was kept.
    client_of(bob).post(reverse("calendar_reset"))
    client.logout()
    assert client.get(bobs).status_code == 404
