"""The audit trail's search page: administrators and the secretariat only; filters; no query
per row."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record
from meetings.models import Meeting
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("audit_search")


@pytest.fixture
def trail(meeting, alice, bob, board):
    audit_record(subject=meeting, actor=alice, verb="meeting.scheduled", summary="Scheduled")
    audit_record(subject=bob, actor=alice, verb="person.role_added", summary="Bob made member")
    audit_record(subject=board, actor=bob, verb="download.paper", summary="Downloaded estates")


def test_the_secretariat_searches_the_trail(client_of, alice, trail):
    response = client_of(alice).get(URL)
    assert response.status_code == 200
    assert "Scheduled" in response.text and "Bob made member" in response.text


def test_each_event_shows_when_it_happened_the_govuk_way_to_the_second(client_of, alice, bob):
    # Recorded in UTC; shown in UK time (British Summer Time here): "3:30:05pm", no "15:30:05".
    summer = datetime(2026, 7, 2, 14, 30, 5, tzinfo=UTC)
    winter = datetime(2026, 12, 2, 9, 4, 0, tzinfo=UTC)
    audit_record(subject=bob, actor=alice, verb="person.role_added", summary="A", at=summer)
    audit_record(subject=bob, actor=alice, verb="person.role_added", summary="B", at=winter)
    page = client_of(alice).get(URL).text
    assert '<time datetime="2026-07-02T15:30:05+01:00">2 July 2026, 3:30:05pm</time>' in page
    assert '<time datetime="2026-12-02T09:04:00+00:00">2 December 2026, 9:04:00am</time>' in page
    assert "2 Jul 2026, 15:30:05" not in page


def test_an_administrator_searches_the_trail(client_of, trail, police):
    admin = UserFactory(is_staff=True, organisation=police)
    assert client_of(admin).get(URL).status_code == 200


@pytest.mark.parametrize("person", ["bob", "dave", "erin"])
def test_members_chairs_and_executives_are_refused(client_of, trail, person, request):
    response = client_of(request.getfixturevalue(person)).get(URL)
    assert response.status_code == 403
    assert "Scheduled" not in response.text


def test_another_boards_secretariat_sees_the_trail_as_a_secretariat(client_of, charlie, trail):
    # The trail is the portal's, not a board's: any secretariat officer reads it.
    assert client_of(charlie).get(URL).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, trail):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_filters_by_who_what_and_object(client_of, alice, trail, meeting):
    client = client_of(alice)
    by_bob = client.get(URL, {"who": "bob@fire"}).text
    assert "Downloaded estates" in by_bob and "Scheduled" not in by_bob
    people = client.get(URL, {"kind": "person"}).text
    assert "Bob made member" in people and "Scheduled" not in people
    meeting_type = ContentType.objects.get_for_model(Meeting)
    about = client.get(URL, {"subject_type": meeting_type.pk, "subject_id": meeting.pk}).text
    assert "Scheduled" in about and "Bob made member" not in about


def boxes(name, day):
    """A date as typed in the day, month and year boxes."""
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def test_the_from_and_to_dates_are_day_month_year_boxes(client_of, alice):
    html = client_of(alice).get(URL).text
    assert 'type="date"' not in html
    for name in ("since", "until"):
        for part in ("day", "month", "year"):
            assert f'name="{name}_{part}"' in html
    assert "<legend" in html and ">From</legend>" in html and ">To</legend>" in html


def test_filters_by_day(client_of, alice, trail):
    client = client_of(alice)
    today = timezone.localdate()
    assert "Scheduled" in client.get(URL, {**boxes("since", today), **boxes("until", today)}).text
    tomorrow = today + timedelta(days=1)
    assert "Scheduled" not in client.get(URL, boxes("since", tomorrow)).text
    # An ISO date under the field's name (a search bookmarked before the boxes) still works.
    assert "Scheduled" in client.get(URL, {"since": today, "until": today}).text


def test_bad_dates_give_form_errors(client_of, alice, trail):
    client = client_of(alice)
    response = client.get(URL, {"since": "not a date"})
    assert response.status_code == 200
    assert "Enter a valid date" in response.text
    response = client.get(URL, {"since_day": "31", "since_month": "2", "since_year": "2026"})
    assert response.status_code == 200
    assert "From must be a real date" in response.text
    response = client.get(URL, {"since_day": "3", "since_month": "", "since_year": "2026"})
    assert "From must include a month" in response.text
    assert 'name="since_day" value="3"' in response.text
    today = timezone.localdate()
    response = client.get(
        URL, {**boxes("since", today), **boxes("until", today - timedelta(days=3))}
    )
    assert "must be the same as or after" in response.text


def test_the_page_queries_do_not_grow_with_events(
    client_of, alice, meeting, django_assert_max_num_queries
):
    client = client_of(alice)
    for n in range(3):
        audit_record(subject=meeting, actor=alice, verb="meeting.changed", summary=f"Change {n}")
    client.get(URL)  # the session's first renewal is not part of the page
    with django_assert_max_num_queries(15) as small:
        client.get(URL)
    for n in range(40):
        person = UserFactory()
        audit_record(subject=meeting, actor=person, verb="meeting.changed", summary=f"More {n}")
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(URL)
    assert "More 39" in response.text
    assert len(large.captured_queries) == len(small.captured_queries)
