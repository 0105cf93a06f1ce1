"""A body's repeating meetings (RRULE, RDATE, EXDATE, and occurrences moved or cancelled by a
RECURRENCE-ID) read from its published calendar: each occurrence in the window (today to the end
of the eighteenth month) becomes a forum meeting of its own, keyed by UID and original start, so
the daily re-reading sees an occurrence moved or cancelled and never adds one twice. The files
under ``calendars/`` are as a body publishes them; the clock is set to 1 September 2026."""

import html
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forwardplan import calendars, rule_walks, services, tasks
from forwardplan.models import CalendarChange, ForumMeeting

from .test_calendar_import import server  # noqa: F401  (the body's calendar address, served)

FILES = Path(__file__).parent / "calendars"
LONDON = ZoneInfo("Europe/London")
TODAY = datetime(2026, 9, 1, 9, 0, tzinfo=LONDON)
WEEKLY = "cabinet-weekly@warwickshire.gov.uk"


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def imported(forum, name: str) -> list[CalendarChange]:
    return services.forum_calendar_import(forum=forum, content=read(name))


def dates(forum, status: str = ForumMeeting.Status.SCHEDULED) -> list[date]:
    return list(
        forum.meetings.filter(status=status).order_by("date").values_list("date", flat=True)
    )


def test_the_window_runs_from_today_to_the_end_of_the_eighteenth_month():
    assert calendars.recurrence_window(date(2026, 9, 1)) == (date(2026, 9, 1), date(2028, 2, 29))
    assert calendars.recurrence_window(date(2026, 12, 31)) == (
        date(2026, 12, 31),
        date(2028, 5, 31),
    )


def test_a_weekly_rule_with_a_count_is_each_of_its_meetings(frozen, council_forum):
    changes = imported(council_forum, "weekly_count.ics")
    assert [change.kind for change in changes] == ["added"] * 6
    assert dates(council_forum) == [date(2026, 9, 8) + timedelta(weeks=n) for n in range(6)]
    meetings = list(council_forum.meetings.order_by("date"))
    assert {meeting.time for meeting in meetings} == {time(10, 0)}
    assert {meeting.location for meeting in meetings} == {"Shire Hall, Warwick"}
    assert meetings[0].calendar_uid == f"{WEEKLY}/20260908T090000Z"
    assert all(meeting.source == ForumMeeting.Source.CALENDAR for meeting in meetings)


def test_reading_a_repeating_meeting_again_adds_nothing_twice(frozen, council_forum):
    imported(council_forum, "weekly_count.ics")
    assert imported(council_forum, "weekly_count.ics") == []
    assert council_forum.meetings.count() == 6
    assert CalendarChange.objects.count() == 6


def test_a_monthly_rule_until_a_date_stops_at_it(frozen, police_forum):
    imported(police_forum, "monthly_until.ics")
    assert dates(police_forum) == [
        date(2026, 9, 8),
        date(2026, 10, 13),
        date(2026, 11, 10),
        date(2026, 12, 8),
        date(2027, 1, 12),
        date(2027, 2, 9),
        date(2027, 3, 9),
    ]
    assert set(police_forum.meetings.values_list("time", flat=True)) == {time(14, 0)}


def test_an_exdate_added_later_cancels_that_meeting_only(frozen, council_forum):
    imported(council_forum, "weekly_count.ics")
    changes = imported(council_forum, "weekly_exdate.ics")
    assert [(change.kind, change.before) for change in changes] == [
        ("cancelled", date(2026, 9, 22))
    ]
    assert dates(council_forum, ForumMeeting.Status.CANCELLED) == [date(2026, 9, 22)]
    assert len(dates(council_forum)) == 5


def test_an_exdate_in_the_first_reading_never_adds_the_meeting(frozen, council_forum):
    imported(council_forum, "weekly_exdate.ics")
    assert date(2026, 9, 22) not in dates(council_forum)
    assert council_forum.meetings.count() == 5


def test_a_moved_occurrence_is_moved_not_added(frozen, council_forum, referred, council, plan):
    imported(council_forum, "weekly_count.ics")
    occurrence = council_forum.meetings.get(date=date(2026, 9, 29))
    referral = referred.referrals.get(organisation=council)
    plan(referral, occurrence)
    changes = imported(council_forum, "weekly_moved.ics")
    assert [(change.kind, change.before, change.after) for change in changes] == [
        ("moved", date(2026, 9, 29), date(2026, 10, 1))
    ]
    occurrence.refresh_from_db()
    referral.refresh_from_db()
    assert (occurrence.date, occurrence.time) == (date(2026, 10, 1), time(14, 0))
    assert occurrence.location == "Committee Room 2, Shire Hall, Warwick"
    assert occurrence.moved_from == date(2026, 9, 29)
    assert referral.due_on == date(2026, 10, 1)
    assert council_forum.meetings.count() == 6
    # Read again, the moved occurrence stays where it is.
    assert imported(council_forum, "weekly_moved.ics") == []


def test_a_cancelled_occurrence_is_cancelled(frozen, council_forum):
    imported(council_forum, "weekly_count.ics")
    changes = imported(council_forum, "weekly_cancelled.ics")
    assert [(change.kind, change.before) for change in changes] == [
        ("cancelled", date(2026, 10, 6))
    ]
    assert dates(council_forum, ForumMeeting.Status.CANCELLED) == [date(2026, 10, 6)]
    assert council_forum.meetings.count() == 6


def test_a_cancelled_occurrence_never_read_before_is_not_added(frozen, council_forum):
    imported(council_forum, "weekly_cancelled.ics")
    assert dates(council_forum) == [
        date(2026, 9, 8),
        date(2026, 9, 15),
        date(2026, 9, 22),
        date(2026, 9, 29),
        date(2026, 10, 13),
    ]
    assert not council_forum.meetings.filter(status=ForumMeeting.Status.CANCELLED).exists()


def test_a_meeting_keeps_its_local_time_across_the_october_clock_change(frozen, council_forum):
    imported(council_forum, "clock_change.ics")
    meetings = list(council_forum.meetings.order_by("date"))
    assert [(meeting.date, meeting.time) for meeting in meetings] == [
        (date(2026, 10, 15), time(18, 30)),
        (date(2026, 10, 22), time(18, 30)),
        (date(2026, 10, 29), time(18, 30)),  # after the clocks go back on 25 October
    ]
    # The keys hold the original starts in UTC: 17:30 in summer time, 18:30 after.
    assert [meeting.calendar_uid.rsplit("/", 1)[1] for meeting in meetings] == [
        "20261015T173000Z",
        "20261022T173000Z",
        "20261029T183000Z",
    ]
    assert meetings[2].starts_at == datetime(2026, 10, 29, 18, 30, tzinfo=LONDON)


def _thursdays(first: date, last: date) -> list[date]:
    found, day = [], first + timedelta(days=(3 - first.weekday()) % 7)
    while day <= last:
        found.append(day)
        day += timedelta(weeks=1)
    return found


def test_an_endless_rule_is_read_within_the_window_only(frozen, police_forum):
    imported(police_forum, "unbounded.ics")
    expected = _thursdays(date(2026, 9, 1), date(2028, 2, 29))
    assert dates(police_forum) == expected
    assert len(expected) == 78
    # The rule began in 2025: its past meetings are not added.
    assert min(dates(police_forum)) == date(2026, 9, 3)


def test_as_the_window_moves_on_the_next_meetings_are_added_and_past_ones_kept(police_forum):
    with time_machine.travel(TODAY, tick=False):
        imported(police_forum, "unbounded.ics")
    with time_machine.travel(TODAY + timedelta(days=30), tick=False):
        changes = imported(police_forum, "unbounded.ics")
    assert {change.kind for change in changes} == {"added"}
    assert [change.after for change in changes] == _thursdays(date(2028, 3, 1), date(2028, 3, 31))
    assert dates(police_forum)[0] == date(2026, 9, 3)  # past, kept as it was
    assert not police_forum.meetings.filter(status=ForumMeeting.Status.CANCELLED).exists()


MALFORMED = (
    "The portal cannot follow the RRULE line (RRULE:FREQ=FORTNIGHTLY;COUNT=4) of the repeating "
    "meeting “Cabinet briefing” (UID cabinet-broken@warwickshire.gov.uk)."
)


def test_a_malformed_rule_refuses_the_file_and_changes_nothing(frozen, council_forum):
    imported(council_forum, "weekly_count.ics")
    before = list(council_forum.meetings.order_by("pk").values("pk", "date", "time", "status"))
    with pytest.raises(calendars.CalendarUnreadable) as refused:
        imported(council_forum, "malformed_rrule.ics")
    assert MALFORMED in refused.value.message
    assert "no meeting date was added, moved or cancelled" in refused.value.message
    after = list(council_forum.meetings.order_by("pk").values("pk", "date", "time", "status"))
    assert after == before
    assert CalendarChange.objects.count() == 6


def test_the_upload_page_shows_why_a_malformed_rule_was_refused(
    frozen, client_of, alice, council_forum
):
    imported(council_forum, "weekly_count.ics")
    url = reverse("forum_import", args=["warwickshire", council_forum.pk])
    upload = SimpleUploadedFile(
        "cabinet.ics", read("malformed_rrule.ics"), content_type="text/calendar"
    )
    response = client_of(alice).post(url, {"source": "file", "calendar_file": upload}, follow=True)
    assert response.status_code == 200
    page = re.sub(r"\s+", " ", html.unescape(response.content.decode()))
    assert MALFORMED in page
    assert council_forum.meetings.filter(status=ForumMeeting.Status.SCHEDULED).count() == 6


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        # Read by icalendar, refused by the expansion: named all the same.
        (b"FREQ=WEEKLY;COUNT=-3", "its repeat rule or dates"),
        # An interval of 0 would never move on; hourly is no body's meeting.
        (b"FREQ=WEEKLY;INTERVAL=0", "its repeat rule (an INTERVAL of 0)"),
        (b"FREQ=HOURLY;COUNT=6", "its repeat rule (every hour)"),
        # Hours, minutes or seconds by the list make a rule repeat within each day.
        (b"FREQ=DAILY;BYHOUR=9,10,11;BYMINUTE=0,15", "its repeat rule (several times a day)"),
        (b"FREQ=WEEKLY;BYMINUTE=0,30", "its repeat rule (several times a day)"),
        (b"FREQ=DAILY;BYSECOND=0,1", "its repeat rule (several times a day)"),
    ],
)
def test_a_rule_that_cannot_be_followed_is_refused_with_a_sentence(
    frozen, council_forum, rule, said
):
    content = read("weekly_count.ics").replace(b"FREQ=WEEKLY;COUNT=6", rule)
    with pytest.raises(calendars.CalendarUnreadable) as refused:
        services.forum_calendar_import(forum=council_forum, content=content)
    assert refused.value.message.startswith(
        f"The portal cannot follow {said} of the repeating meeting “Cabinet” (UID {WEEKLY})."
    )
    assert not council_forum.meetings.exists()


def test_a_rule_for_every_minute_of_every_day_is_refused_at_once(frozen, council_forum):
    # A few bytes that would be hundreds of thousands of meetings, and minutes of work to list.
    every_minute = b"FREQ=DAILY;BYHOUR=%s;BYMINUTE=%s" % (
        b",".join(b"%d" % hour for hour in range(24)),
        b",".join(b"%d" % minute for minute in range(60)),
    )
    content = read("weekly_count.ics").replace(b"FREQ=WEEKLY;COUNT=6", every_minute)
    started = datetime.now()
    with pytest.raises(calendars.CalendarUnreadable) as refused:
        calendars.parse_calendar(content)
    assert (datetime.now() - started).total_seconds() < 5
    assert refused.value.message.startswith("The portal cannot follow ")
    assert f"of the repeating meeting “Cabinet” (UID {WEEKLY})" in refused.value.message
    assert not council_forum.meetings.exists()


def test_a_meeting_repeating_more_often_than_once_a_day_is_refused(frozen, council_forum):
    # Two daily rules (or a rule and a list of dates) may each look like a body's meetings and
    # together be more than one a day: no forum meets so, and the file is refused whole.
    content = read("weekly_count.ics").replace(
        b"RRULE:FREQ=WEEKLY;COUNT=6",
        b"RRULE:FREQ=DAILY;BYHOUR=10\nRRULE:FREQ=DAILY;BYHOUR=14",
    )
    with pytest.raises(calendars.CalendarUnreadable) as refused:
        services.forum_calendar_import(forum=council_forum, content=content)
    assert refused.value.message.startswith(
        "The portal cannot follow its dates (more than one meeting a day) of the repeating "
        f"meeting “Cabinet” (UID {WEEKLY})."
    )
    assert not council_forum.meetings.exists()
    # Once a day, every day of the window, is still read.
    daily = read("weekly_count.ics").replace(b"FREQ=WEEKLY;COUNT=6", b"FREQ=DAILY")
    services.forum_calendar_import(forum=council_forum, content=daily)
    assert len(dates(council_forum)) == (date(2028, 2, 29) - date(2026, 9, 8)).days + 1


def test_the_daily_reading_keeps_the_refusal_for_the_secretariat(frozen, council_forum, settings):
    imported(council_forum, "weekly_count.ics")
    council_forum.calendar_url = "https://democracy.example.gov.uk/cabinet.ics"
    council_forum.save()
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(calendars, "fetch_calendar", lambda url: read("malformed_rrule.ics"))
        with pytest.raises(calendars.CalendarUnreadable):
            services.forum_calendar_refresh(forum=council_forum)
    council_forum.refresh_from_db()
    assert MALFORMED in council_forum.calendar_error
    assert council_forum.meetings.filter(status=ForumMeeting.Status.SCHEDULED).count() == 6


def test_the_daily_task_reads_a_moved_occurrence_from_the_bodys_address(
    frozen,
    server,  # noqa: F811  (the fixture imported above)
    council_forum,
):
    address, served = server
    served["/cabinet.ics"] = (200, read("weekly_count.ics"))
    council_forum.calendar_url = f"{address}/cabinet.ics"
    council_forum.save()
    tasks.refresh_forum_calendars.delay()
    assert council_forum.meetings.count() == 6
    served["/cabinet.ics"] = (200, read("weekly_moved.ics"))
    tasks.refresh_forum_calendars.delay()
    moved = council_forum.meetings.get(moved_from=date(2026, 9, 29))
    assert (moved.date, moved.time) == (date(2026, 10, 1), time(14, 0))
    assert council_forum.meetings.count() == 6
    assert list(CalendarChange.objects.values_list("kind", flat=True).order_by("pk")) == [
        *["added"] * 6,
        "moved",
    ]


NEVER = b"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"


@pytest.mark.parametrize(
    "rule",
    [
        NEVER,
        NEVER + b";COUNT=4",
        NEVER + b";UNTIL=20270101T000000Z",
        b"FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2",  # one Monday a week: never a second
        b"FREQ=MONTHLY;BYDAY=6TH",  # no month has a sixth Thursday
    ],
)
def test_a_rule_whose_dates_never_come_is_refused_with_a_sentence(frozen, council_forum, rule):
    # Walked to its end, such a rule is seconds of work for each meeting (to the year 9999).
    content = read("weekly_count.ics").replace(b"FREQ=WEEKLY;COUNT=6", rule)
    with pytest.raises(calendars.CalendarUnreadable) as refused:
        services.forum_calendar_import(forum=council_forum, content=content)
    assert refused.value.message.startswith(
        "The portal cannot follow its repeat rule (it gives no date in the next 40 years) of the "
        f"repeating meeting “Cabinet” (UID {WEEKLY})."
    )
    assert not council_forum.meetings.exists()


def test_a_rule_that_never_gives_a_date_is_walked_a_bounded_number_of_months():
    start, after = datetime(2026, 9, 8, 10), datetime(2028, 2, 29, 23, 59)
    walked = rule_walks.walked_rule(NEVER.decode(), start, months=600)
    with pytest.raises(rule_walks.WalkedTooFar):
        walked.after(after)
    assert walked.walked == 601  # the month that went past the bound stops it
    assert rule_walks.first_date_after(NEVER.decode(), start, after, 600) is None
    # A rule that gives dates is walked to its first one past the day, and no further.
    weekly = rule_walks.walked_rule("FREQ=WEEKLY", start, months=600)
    assert weekly.after(after) == datetime(2028, 3, 7, 10)
    assert 0 < weekly.walked <= 20
    # A leap day every fourth year is found well within the bound.
    leap_day = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"
    assert rule_walks.first_date_after(leap_day, start, after, 600) == datetime(2032, 2, 29, 10)


@pytest.mark.parametrize(
    ("start", "rule"),
    [
        (b"00010101T100000", b"FREQ=DAILY"),
        (b"19991231T100000", b"FREQ=WEEKLY"),
        (b"00010101T100000", None),
    ],
)
def test_a_repeating_meeting_starting_before_2000_is_refused(frozen, council_forum, start, rule):
    content = read("weekly_count.ics").replace(b"20260908T100000", start)
    if rule is None:  # repeating by a list of dates
        content = content.replace(b"RRULE:FREQ=WEEKLY;COUNT=6", b"RDATE:20261006T100000Z")
    else:
        content = content.replace(b"FREQ=WEEKLY;COUNT=6", rule)
    with pytest.raises(calendars.CalendarUnreadable) as refused:
        services.forum_calendar_import(forum=council_forum, content=content)
    year = int(start[:4])
    assert refused.value.message.startswith(
        f"The portal cannot follow its start (in the year {year}, before 2000) of the repeating "
        f"meeting “Cabinet” (UID {WEEKLY})."
    )
    assert not council_forum.meetings.exists()


def test_a_file_of_many_runaway_rules_is_refused_naming_the_first(frozen, council_forum):
    # A dozen such meetings walked to their ends outran the reading's time limit, which then
    # failed with no word of why: the first is named, and nothing is read.
    template = read("weekly_count.ics").decode()
    head, rest = template.split("BEGIN:VEVENT", 1)
    event, tail = rest.split("END:VEVENT", 1)
    events = "".join(
        "BEGIN:VEVENT"
        + event.replace(WEEKLY, f"runaway-{n}@example.org")
        .replace("FREQ=WEEKLY;COUNT=6", NEVER.decode() if n % 2 else "FREQ=DAILY")
        .replace("20260908T100000", "20260908T100000" if n % 2 else "00010101T100000")
        .replace("SUMMARY:Cabinet", f"SUMMARY:Runaway {n}")
        + "END:VEVENT\n"
        for n in range(12)
    )
    content = (head + events + tail).encode()
    with pytest.raises(calendars.CalendarUnreadable) as refused:
        calendars.parse_calendar(content)
    assert "“Runaway 0” (UID runaway-0@example.org)" in refused.value.message
    assert "its start (in the year 1, before 2000)" in refused.value.message
    without_ancient = content.replace(b"00010101T100000", b"20260908T100000")
    with pytest.raises(calendars.CalendarUnreadable) as refused:
        calendars.parse_calendar(without_ancient)
    assert "“Runaway 1” (UID runaway-1@example.org)" in refused.value.message
    assert "it gives no date in the next 40 years" in refused.value.message
