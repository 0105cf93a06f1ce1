"""The "Read the calendar address now" button: the request only queues a reading (a row, then
its task after commit) and never waits on the body's server; the task reads it; the forum's
page says a reading waits, then what the last one found. A reading the broker did not take, or
whose worker died, is queued again by the sweep."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from forwardplan import readings, services, tasks
from forwardplan.models import CalendarReading

from .helpers import ics, vevent
from .test_calendar_import import _Calendar, server  # noqa: F401  (the body's address, served)

SLUG = "warwickshire"
Status = CalendarReading.Status


def _day(days):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def published(server, council_forum):  # noqa: F811  (the fixture imported above)
    """The council's Cabinet publishes one meeting at its calendar address."""
    address, served = server
    served["/cabinet.ics"] = (200, ics(vevent("cab@wcc", _day(30))))
    council_forum.calendar_url = f"{address}/cabinet.ics"
    council_forum.save()
    return council_forum


def _read_now(client, forum, **kwargs):
    return client.post(
        reverse("forum_import", args=[SLUG, forum.pk]), {"source": "address"}, **kwargs
    )


def _page(client, forum) -> str:
    return client.get(reverse("forum_detail", args=[SLUG, forum.pk])).content.decode()


def test_read_now_queues_a_reading_and_fetches_nothing_in_the_request(
    published, client_of, alice, django_capture_on_commit_callbacks
):
    client = client_of(alice)
    with django_capture_on_commit_callbacks() as queued:
        response = _read_now(client, published, follow=True)
    assert response.status_code == 200
    assert "The calendar will be read shortly" in response.content.decode()
    assert _Calendar.requested == []  # the body's server was not asked during the request
    assert not published.meetings.exists()
    reading = CalendarReading.objects.get()
    assert (reading.forum, reading.requested_by, reading.status) == (
        published,
        alice,
        Status.QUEUED,
    )
    assert AuditEvent.objects.filter(verb="forum.calendar_read_requested").count() == 1
    assert len(queued) == 1
    page = _page(client, published)
    assert "a reading was asked for" in page and alice.full_name in page

    queued[0]()  # the task, after commit
    assert _Calendar.requested == ["/cabinet.ics"]
    reading.refresh_from_db()
    assert (reading.status, reading.outcome) == (Status.DONE, "1 added, 0 moved, 0 cancelled.")
    assert published.meetings.get().date == _day(30)
    page = _page(client, published)
    assert "will be read shortly" not in page
    assert "1 added, 0 moved, 0 cancelled." in page
    assert "Last read " in page


def test_asking_again_while_a_reading_waits_queues_nothing_more(
    published, client_of, alice, django_capture_on_commit_callbacks
):
    client = client_of(alice)
    with django_capture_on_commit_callbacks() as queued:
        _read_now(client, published)
        response = _read_now(client, published, follow=True)
    assert "already waiting to be read" in response.content.decode()
    assert CalendarReading.objects.count() == 1
    assert len(queued) == 1


def test_the_page_shows_why_the_last_reading_failed(
    server,  # noqa: F811
    council_forum,
    client_of,
    alice,
    django_capture_on_commit_callbacks,
):
    address, _served = server
    council_forum.calendar_url = f"{address}/gone.ics"
    council_forum.save()
    client = client_of(alice)
    with django_capture_on_commit_callbacks(execute=True):
        _read_now(client, council_forum)
    reading = CalendarReading.objects.get()
    assert reading.status == Status.FAILED
    assert "answered with an error (HTTP 404)" in reading.outcome
    page = _page(client, council_forum)
    assert "The calendar could not be read:" in page
    assert "answered with an error (HTTP 404)" in page


def test_read_now_for_a_forum_without_an_address_says_so(council_forum, client_of, alice):
    response = _read_now(client_of(alice), council_forum, follow=True)
    assert response.status_code == 200
    assert "This forum has no calendar address to read." in response.content.decode()
    assert not CalendarReading.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("bob", 403), ("erin", 403), ("charlie", 404)])
def test_only_the_secretariat_asks_for_a_reading(published, client_of, request, who, status):
    response = _read_now(client_of(request.getfixturevalue(who)), published)
    assert response.status_code == status
    assert not CalendarReading.objects.exists()


def test_anonymous_visitors_ask_for_nothing(published, client):
    response = _read_now(client, published)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not CalendarReading.objects.exists()


def test_a_duplicate_task_reads_once(published, alice):
    reading, _ = readings.calendar_reading_request(forum=published, actor=alice)
    tasks.read_forum_calendar(reading.pk)
    tasks.read_forum_calendar(reading.pk)
    assert _Calendar.requested == ["/cabinet.ics"]
    assert published.meetings.count() == 1


def test_a_reading_the_broker_did_not_take_is_queued_by_the_sweep(
    published, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():  # its task is lost: never run
        readings.calendar_reading_request(forum=published, actor=alice)
    assert tasks.sweep_calendar_readings() == 0  # not due yet: its task may still be coming
    later = timezone.now() + timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS + 5)
    with time_machine.travel(later):
        assert tasks.sweep_calendar_readings() == 1
    assert CalendarReading.objects.get().status == Status.DONE
    assert published.meetings.count() == 1


@pytest.mark.parametrize(("attempts", "ends"), [(1, Status.DONE), (3, Status.FAILED)])
def test_a_reading_whose_worker_died_is_started_again_up_to_three_times(published, attempts, ends):
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    reading = CalendarReading.objects.create(
        forum=published, status=Status.READING, started_at=long_ago, attempts=attempts
    )
    tasks.sweep_calendar_readings()
    reading.refresh_from_db()
    assert reading.status == ends
    if ends == Status.FAILED:
        assert "stopped before it finished" in reading.outcome
        assert _Calendar.requested == []


def test_the_daily_run_queues_one_reading_per_forum_and_none_while_one_waits(
    published, police_forum, alice, django_capture_on_commit_callbacks
):
    police_forum.calendar_url = published.calendar_url
    police_forum.save()
    with django_capture_on_commit_callbacks():
        readings.calendar_reading_request(forum=published, actor=alice)
    assert services.calendar_readings_daily() != []
    assert CalendarReading.objects.filter(forum=published).count() == 1
    assert CalendarReading.objects.filter(forum=police_forum).count() == 1


def test_the_sweep_is_in_the_beat_schedule():
    schedule = settings.CELERY_BEAT_SCHEDULE["sweep-calendar-readings"]
    assert schedule["task"] == "forwardplan.tasks.sweep_calendar_readings"
