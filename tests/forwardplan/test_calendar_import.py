"""A body's calendar read into its forum's dates: from an uploaded .ics file or from the address
the body publishes (a real HTTP server started by the test), daily by the beat task. Moves,
additions and cancellations are kept for the secretariat, the referrals follow, and a plan
already published is flagged. Bad files and bad addresses give a sentence, never a 500."""

import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from forwardplan import calendars, services, tasks
from forwardplan.models import CalendarChange, ForumMeeting

from .helpers import ics, vevent

SLUG = "warwickshire"


def _day(days):
    return timezone.localdate() + timedelta(days=days)


def test_an_upload_adds_the_bodys_meetings(council_forum):
    changes = services.forum_calendar_import(
        forum=council_forum,
        content=ics(vevent("cab-1@wcc", _day(30)), vevent("cab-2@wcc", _day(60), hour=None)),
    )
    assert [change.kind for change in changes] == ["added", "added"]
    meetings = list(council_forum.meetings.order_by("date"))
    assert [meeting.date for meeting in meetings] == [_day(30), _day(60)]
    assert meetings[1].time is None
    assert all(meeting.source == ForumMeeting.Source.CALENDAR for meeting in meetings)


def test_a_moved_meeting_moves_the_referral_and_flags_the_published_plan(
    referred, council, council_forum, plan, board, alice
):
    services.forum_calendar_import(forum=council_forum, content=ics(vevent("cab-1@wcc", _day(40))))
    meeting = council_forum.meetings.get()
    referral = referred.referrals.get(organisation=council)
    entry = plan(referral, meeting, key=True)
    services.plan_publish(board=board, actor=alice)

    changes = services.forum_calendar_import(
        forum=council_forum, content=ics(vevent("cab-1@wcc", _day(47)))
    )

    assert [(change.kind, change.before, change.after) for change in changes] == [
        ("moved", _day(40), _day(47))
    ]
    meeting.refresh_from_db()
    referral.refresh_from_db()
    entry.refresh_from_db()
    assert meeting.date == _day(47) and meeting.moved_from == _day(40)
    assert referral.due_on == _day(47)
    assert any("after the plan was published" in warning for warning in entry.warnings())


def test_a_cancelled_or_vanished_meeting_is_cancelled_and_entered_dates_are_kept(
    council_forum, alice
):
    services.forum_calendar_import(
        forum=council_forum,
        content=ics(vevent("a@wcc", _day(10)), vevent("b@wcc", _day(20))),
    )
    by_hand = services.forum_meeting_add(forum=council_forum, actor=alice, on=_day(25))
    changes = services.forum_calendar_import(
        forum=council_forum, content=ics(vevent("a@wcc", _day(10), status="CANCELLED"))
    )
    assert sorted(change.kind for change in changes) == ["cancelled", "cancelled"]
    assert set(council_forum.meetings.values_list("status", flat=True)) == {
        "cancelled",
        "scheduled",
    }
    by_hand.refresh_from_db()
    assert by_hand.status == ForumMeeting.Status.SCHEDULED


def test_reading_the_same_calendar_twice_changes_nothing(council_forum):
    content = ics(vevent("a@wcc", _day(10)))
    services.forum_calendar_import(forum=council_forum, content=content)
    assert services.forum_calendar_import(forum=council_forum, content=content) == []
    assert CalendarChange.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Just some text", "not an iCalendar (.ics) file"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "holds no meeting dates"),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:notadate\r\nEND:VEVENT\r\n",
            "could not be read",
        ),
        (b"BEGIN:VCALENDAR" + b"X" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
    ],
)
def test_a_bad_file_is_refused_with_a_sentence(council_forum, content, message):
    with pytest.raises(calendars.CalendarUnreadable, match=re.escape(message)):
        services.forum_calendar_import(forum=council_forum, content=content)
    assert not council_forum.meetings.exists()


@pytest.mark.parametrize(
    "events",
    [
        # A period, a duration or a bare time is not a meeting date.
        ["UID:a@wcc\r\nDTSTART;VALUE=PERIOD:20270101T180000Z/20270102T070000Z"],
        ["UID:a@wcc\r\nDTSTART:P1D"],
        ["UID:a@wcc\r\nDTSTART;VALUE=TIME:100000"],
        # Nor is a date in year 1 or 9999.
        ["UID:a@wcc\r\nDTSTART;VALUE=DATE:00010101"],
        ["UID:a@wcc\r\nDTSTART:99991231T100000Z"],
    ],
)
def test_an_event_without_a_date_is_left_out(council_forum, events):
    content = ics(*events, vevent("b@wcc", _day(20)))
    changes = services.forum_calendar_import(forum=council_forum, content=content)
    assert [change.kind for change in changes] == ["added"]
    assert list(council_forum.meetings.values_list("calendar_uid", flat=True)) == ["b@wcc"]


def test_nul_characters_are_dropped_from_what_is_kept(council_forum):
    event = vevent("a\x00b@wcc", _day(20)) + "\r\nLOCATION:Committee\x00 Room 2"
    services.forum_calendar_import(forum=council_forum, content=ics(event))
    meeting = council_forum.meetings.get()
    assert (meeting.calendar_uid, meeting.location) == ("ab@wcc", "Committee Room 2")


def test_a_repeated_uid_is_one_meeting_and_a_recurrence_its_own(council_forum):
    """A file may hold an event twice; a recurring series' changed occurrences share its UID
    and differ by RECURRENCE-ID."""
    day = _day(20)
    occurrence = f"{vevent('series@wcc', _day(27))}\r\nRECURRENCE-ID;VALUE=DATE:{day:%Y%m%d}"
    content = ics(
        vevent("a@wcc", day), vevent("a@wcc", _day(22)), vevent("series@wcc", day), occurrence
    )
    changes = services.forum_calendar_import(forum=council_forum, content=content)
    assert [change.after for change in changes] == [day, day, _day(27)]
    assert services.forum_calendar_import(forum=council_forum, content=content) == []


def test_the_upload_page_gives_no_error_page_for_an_odd_file(client_of, alice, council_forum):
    url = reverse("forum_import", args=[SLUG, council_forum.pk])
    content = ics(
        "UID:a\x00@wcc\r\nDTSTART:P1D", vevent("b@wcc", _day(12)), vevent("b@wcc", _day(13))
    )
    upload = SimpleUploadedFile("cabinet.ics", content, content_type="text/calendar")
    response = client_of(alice).post(url, {"source": "file", "calendar_file": upload}, follow=True)
    assert response.status_code == 200
    assert "1 added, 0 moved, 0 cancelled" in response.content.decode()


def test_the_upload_page_reads_a_file_and_says_what_changed(client_of, alice, council_forum):
    url = reverse("forum_import", args=[SLUG, council_forum.pk])
    upload = SimpleUploadedFile(
        "cabinet.ics", ics(vevent("a@wcc", _day(12))), content_type="text/calendar"
    )
    response = client_of(alice).post(url, {"source": "file", "calendar_file": upload}, follow=True)
    assert response.status_code == 200
    assert "1 added, 0 moved, 0 cancelled" in response.content.decode()
    assert council_forum.meetings.count() == 1


def test_the_upload_page_refuses_a_bad_file_in_the_page(client_of, alice, council_forum):
    url = reverse("forum_import", args=[SLUG, council_forum.pk])
    upload = SimpleUploadedFile("cabinet.ics", b"%PDF-1.4 not a calendar")
    response = client_of(alice).post(url, {"source": "file", "calendar_file": upload}, follow=True)
    assert response.status_code == 200
    assert "not an iCalendar (.ics) file" in response.content.decode()


def test_the_upload_page_without_a_file_says_so(client_of, alice, council_forum):
    url = reverse("forum_import", args=[SLUG, council_forum.pk])
    response = client_of(alice).post(url, {"source": "file"})
    assert response.status_code == 400
    assert "iCalendar file (.ics)" in response.content.decode()


# --- from the body's address ---------------------------------------------------------------------


class _Calendar(BaseHTTPRequestHandler):
    served: dict[str, tuple[int, bytes]] = {}
    # Every path asked for, in order: whether anything was fetched, and when.
    requested: list[str] = []

    def do_GET(self):
        self.requested.append(self.path)
        status, body = self.served.get(self.path, (404, b"Not found"))
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", body.decode())
            body = b""
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Calendar)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Calendar.served = {}
    _Calendar.requested = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Calendar.served
    httpd.shutdown()
    httpd.server_close()


def test_the_daily_task_reads_each_address_and_moves_meetings(server, council_forum):
    address, served = server
    served["/cabinet.ics"] = (200, ics(vevent("cab@wcc", _day(30))))
    council_forum.calendar_url = f"{address}/cabinet.ics"
    council_forum.save()
    assert tasks.refresh_forum_calendars.delay().get() == 1
    assert council_forum.meetings.get().date == _day(30)

    served["/cabinet.ics"] = (200, ics(vevent("cab@wcc", _day(33))))
    tasks.refresh_forum_calendars.delay()
    meeting = council_forum.meetings.get()
    assert (meeting.moved_from, meeting.date) == (_day(30), _day(33))
    assert CalendarChange.objects.filter(kind="moved").count() == 1
    council_forum.refresh_from_db()
    assert council_forum.calendar_read_at is not None and council_forum.calendar_error == ""


def test_the_daily_run_is_in_the_beat_schedule():
    jobs = {job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "forwardplan.tasks.refresh_forum_calendars" in jobs


def test_a_redirect_is_followed(server, council_forum):
    address, served = server
    served["/old.ics"] = (302, f"{address}/new.ics".encode())
    served["/new.ics"] = (200, ics(vevent("cab@wcc", _day(5))))
    council_forum.calendar_url = f"{address}/old.ics"
    services.forum_calendar_refresh(forum=council_forum)
    assert council_forum.meetings.count() == 1


@pytest.mark.parametrize(
    "target", ["http://10.0.0.8/cabinet.ics", "http://169.254.169.254/latest/meta-data/"]
)
def test_a_redirect_into_the_private_network_is_refused(server, council_forum, target):
    address, served = server
    served["/old.ics"] = (302, target.encode())
    council_forum.calendar_url = f"{address}/old.ics"
    with pytest.raises(calendars.CalendarUnreadable, match="private network"):
        services.forum_calendar_refresh(forum=council_forum)
    assert not council_forum.meetings.exists()


def test_a_name_resolving_inside_the_network_is_refused(council_forum, resolver):
    resolver.answer("calendar.example.gov.uk", ["172.16.4.4"])
    council_forum.calendar_url = "https://calendar.example.gov.uk/cabinet.ics"
    with pytest.raises(calendars.CalendarUnreadable, match="private network"):
        services.forum_calendar_refresh(forum=council_forum)


def test_a_name_that_does_not_resolve_says_so(council_forum):
    council_forum.calendar_url = "https://no-such-council.invalid/cabinet.ics"
    with pytest.raises(calendars.CalendarUnreadable, match="No server answers at no-such"):
        services.forum_calendar_refresh(forum=council_forum)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing.ics", "answered with an error (HTTP 404)"),
        ("/page.html", "not an iCalendar (.ics) file"),
        ("/huge.ics", "larger than 2 MB"),
    ],
)
def test_a_bad_address_is_kept_on_the_forum_with_a_sentence(server, council_forum, path, message):
    address, served = server
    served["/page.html"] = (200, b"<html>Our meetings</html>")
    served["/huge.ics"] = (200, b"BEGIN:VCALENDAR" + b"X" * (3 * 1024 * 1024))
    council_forum.calendar_url = address + path
    council_forum.save()
    with pytest.raises(calendars.CalendarUnreadable, match=re.escape(message)):
        services.forum_calendar_refresh(forum=council_forum)
    council_forum.refresh_from_db()
    assert message in council_forum.calendar_error


def test_an_unreachable_address_says_so(settings, council_forum):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    council_forum.calendar_url = "http://127.0.0.1:9/closed.ics"  # the discard port: refused
    with pytest.raises(calendars.CalendarUnreadable, match="could not be reached"):
        services.forum_calendar_refresh(forum=council_forum)


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/cal.ics", "file:///etc/passwd", "javascript:alert(1)", "http://"],
)
def test_only_http_and_https_addresses_are_read(council_forum, url):
    council_forum.calendar_url = url
    with pytest.raises(calendars.CalendarUnreadable, match="must start with http"):
        services.forum_calendar_refresh(forum=council_forum)


def test_an_address_inside_the_private_network_is_refused(council_forum):
    council_forum.calendar_url = "http://127.0.0.1:8000/calendar.ics"
    with pytest.raises(calendars.CalendarUnreadable, match="private network"):
        services.forum_calendar_refresh(forum=council_forum)


def test_the_read_now_button_shows_the_error_in_the_page(
    client_of, alice, council_forum, django_capture_on_commit_callbacks
):
    council_forum.calendar_url = "http://127.0.0.1:8000/calendar.ics"
    council_forum.save()
    url = reverse("forum_import", args=[SLUG, council_forum.pk])
    client = client_of(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"source": "address"})
    page = client.get(reverse("forum_detail", args=[SLUG, council_forum.pk])).content.decode()
    assert "private network" in page
    assert "The calendar could not be read" in page
