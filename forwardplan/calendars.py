"""Reading a body's published calendar (an iCalendar address or an uploaded .ics file), and the
forward plan as an iCalendar feed.

Fetching an address is done with care, as the address is typed by a person: http and https
only, a few seconds to connect and to read, a cap on the size, at most a few redirects (each
checked like the first), and no address inside the portal's own network (``core.outbound``:
each connection goes only to an address checked as public). Every failure is a
``CalendarUnreadable`` with a sentence for the secretariat, never an error page.

A repeating meeting (RRULE or RDATE, less its EXDATEs, with each instance the body moved or
cancelled by a RECURRENCE-ID override) is expanded by ``recurring-ical-events`` into one
meeting per occurrence, from today to the end of the eighteenth calendar month
(``RECURRENCE_MONTHS``, this month included): far enough for any forward plan (four months)
and a council's published year of meetings, near enough that an endless rule stays a few dozen
dates. Each occurrence is keyed by its UID and its original start (``uid/20261006T090000Z``),
which does not change when the body moves or cancels that one occurrence, so the daily reading
sees it as moved or cancelled, and never adds it twice. As the window moves on, the next
occurrences are added; one already past is left as it was. A repeat rule that cannot be read
refuses the whole file with a sentence naming the meeting: no date is changed.

The expansion (dateutil's) walks a rule from its start, day by day for a daily rule, until it
passes the window's end: a rule starting in the year 1, or one whose dates never come (30
February), walks to the year 9999, seconds of work for each such meeting. So a repeating meeting
starting before 2000 is refused, as is a rule that gives no date in the ``HORIZON_YEARS`` after
the window: before the expansion, each rule is walked on its own for at most that long
(``rule_walks``), and only a rule found to give a date then is expanded.

icalendar and recurring-ical-events are imported where a calendar is read or written, not with
this module: the web workers import it for the forward plan's pages, most of which never touch
a calendar.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import urllib3
from django.utils import timezone

from core.dates import EARLIEST_YEAR, LATEST_YEAR
from core.exceptions import Refused
from core.outbound import AddressNotPublic, public_pool_manager

from .models import PlanEntry, months_ahead

if TYPE_CHECKING:
    from icalendar import Calendar, Component

PRODID = "-//Warwickshire Blue Light Collaboration//Forward plan//EN"
MAX_CALENDAR_BYTES = 2 * 1024 * 1024
CONNECT_SECONDS = 5.0
READ_SECONDS = 10.0
MAX_REDIRECTS = 3
# A repeating meeting's occurrences are read from today to the end of this many calendar
# months (this one included).
RECURRENCE_MONTHS = 18
# The properties that make an event repeat, and those that change a repeating event's dates.
REPEATS = ("RRULE", "RDATE")
REPEAT_DATES = ("RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")
# The parts of a repeat rule that, listing more than one value, repeat it within a day.
WITHIN_A_DAY = ("BYHOUR", "BYMINUTE", "BYSECOND")
# A repeating meeting has at most as many occurrences in the window as the window has days:
# more (several rules, or a rule and a list of dates, together) is no body's forum, and the
# file is refused.
MAX_OCCURRENCES = RECURRENCE_MONTHS * 31
# A repeat rule must give a date within this many years after the window's end, or it is refused:
# no body's forum goes longer without a meeting, and the walk to find it stays short.
HORIZON_YEARS = 40
# How long a UID may be in an occurrence's key, leaving room for "/" and its original start.
UID_IN_KEY = 255 - 17
NOTHING_READ = "Nothing was read from this file, so no meeting date was added, moved or cancelled."


class CalendarUnreadable(Refused):
    """The calendar could not be fetched or read; the message says why."""


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    date: date
    time: time | None
    location: str
    cancelled: bool


# --- fetching ----------------------------------------------------------------------------------


def _check_address(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CalendarUnreadable(
            "The calendar address must start with http:// or https://, for example "
            "https://democracy.warwickshire.gov.uk/calendar.ics."
        )


def fetch_calendar(url: str) -> bytes:
    """The calendar's bytes, or ``CalendarUnreadable`` saying what went wrong."""
    pool = public_pool_manager(
        timeout=urllib3.Timeout(connect=CONNECT_SECONDS, read=READ_SECONDS),
        retries=False,
        headers={"User-Agent": "BlueLightPortal/1.0 (calendar reader)", "Accept": "text/calendar"},
    )
    for _hop in range(MAX_REDIRECTS + 1):
        _check_address(url)
        try:
            response = pool.request("GET", url, preload_content=False, redirect=False)
        except AddressNotPublic as error:
            raise CalendarUnreadable(
                "The calendar address points inside a private network: the portal reads only "
                "calendars published on the internet."
            ) from error
        except urllib3.exceptions.NameResolutionError as error:
            raise CalendarUnreadable(
                f"No server answers at {urlsplit(url).hostname}: check the calendar address."
            ) from error
        except urllib3.exceptions.HTTPError as error:
            raise CalendarUnreadable(
                "The calendar address could not be reached (no answer in time, or the "
                "connection failed). Check the address, or try again later."
            ) from error
        try:
            if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            if response.status != 200:
                raise CalendarUnreadable(
                    f"The calendar address answered with an error (HTTP {response.status}). "
                    "Check the address."
                )
            return _read_capped(response)
        finally:
            response.release_conn()
    raise CalendarUnreadable("The calendar address redirects too many times.")


def _read_capped(response: urllib3.BaseHTTPResponse) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > MAX_CALENDAR_BYTES:
        raise _too_large()
    content = bytearray()
    try:
        for chunk in response.stream(64 * 1024):
            content.extend(chunk)
            if len(content) > MAX_CALENDAR_BYTES:
                raise _too_large()
    except urllib3.exceptions.HTTPError as error:
        raise CalendarUnreadable(
            "The calendar stopped arriving part way (the connection failed or was too slow). "
            "Try again later."
        ) from error
    return bytes(content)


def _too_large() -> CalendarUnreadable:
    return CalendarUnreadable(
        f"The calendar is larger than {MAX_CALENDAR_BYTES // (1024 * 1024)} MB: this is not "
        "one forum's meeting dates. Check the address."
    )


# --- reading -----------------------------------------------------------------------------------


def recurrence_window(today: date) -> tuple[date, date]:
    """The days a repeating meeting's occurrences are read for: today to the end of the
    ``RECURRENCE_MONTHS``-th month."""
    return today, months_ahead(today, RECURRENCE_MONTHS)


def parse_calendar(content: bytes) -> list[CalendarEvent]:
    """The dated events of an iCalendar file, a repeating meeting as its occurrences in the
    window (``recurrence_window``); ``CalendarUnreadable`` if it is not one."""
    from icalendar import Calendar

    if len(content) > MAX_CALENDAR_BYTES:
        raise _too_large()
    if b"BEGIN:VCALENDAR" not in content[:4096].upper():
        raise CalendarUnreadable(
            "This is not an iCalendar (.ics) file: it does not begin with BEGIN:VCALENDAR."
        )
    try:
        calendar = Calendar.from_ical(content)
        components = calendar.walk("VEVENT")
        repeating = _repeating(components)
        events = [
            _event(component)
            for component in components
            if str(component.get("UID", "")).strip() not in repeating
        ]
        if repeating:
            events += _occurrences(calendar, repeating)
    except CalendarUnreadable:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        raise CalendarUnreadable(
            "The iCalendar file could not be read: it is damaged or not in the iCalendar format."
        ) from error
    # A file may hold an event twice: the first is read, as a calendar program would.
    found = list({event.uid: event for event in reversed(events) if event is not None}.values())
    found.reverse()
    if not found:
        # An empty calendar is refused rather than read as "every meeting cancelled".
        raise CalendarUnreadable(
            "The iCalendar file holds no meeting dates (events with a start date and a UID)."
        )
    return found


def _repeating(components: list["Component"]) -> dict[str, list["Component"]]:
    """The repeating meetings' components by UID (the rule, and the occurrences it changes);
    ``CalendarUnreadable`` naming the first whose repeat rule or dates cannot be read, or
    that would repeat more often than a body meets."""
    from icalendar.prop import vBroken

    found: dict[str, list[Component]] = {}
    for component in components:
        uid = str(component.get("UID", "")).strip()
        if not uid:
            continue
        for name in REPEAT_DATES:
            values = component.get(name)
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, vBroken):
                    written = value.to_ical().decode(errors="replace")
                    written = written.replace("\\;", ";").replace("\\,", ",")
                    raise _unfollowable(component, f"the {name} line ({name}:{written})")
        rules = component.get("RRULE")
        for rule in rules if isinstance(rules, list) else [rules]:
            if rule is not None:
                _check_rule(component, rule)
        if any(component.get(name) is not None for name in REPEATS):
            _check_start(component)
        if any(component.get(name) is not None for name in (*REPEATS, "RECURRENCE-ID")):
            found[uid] = []
    for component in components:
        uid = str(component.get("UID", "")).strip()
        if uid in found:
            found[uid].append(component)
    return found


def _check_rule(component: "Component", rule: dict[str, list[Any]]) -> None:
    """A rule the expansion could not finish (an interval of 0 never moves on) or that repeats
    by the hour or faster, or several times a day by listing hours, minutes or seconds (no
    body's forum meets so; a year of it is thousands of dates, each minute of a day half a
    million, and minutes of work to list)."""
    frequency = str((rule.get("FREQ") or [""])[0]).upper()
    if frequency in ("SECONDLY", "MINUTELY", "HOURLY"):
        raise _unfollowable(component, f"its repeat rule (every {frequency.lower()[:-2]})")
    if any(len(rule.get(part) or []) > 1 for part in WITHIN_A_DAY):
        raise _unfollowable(component, "its repeat rule (several times a day)")
    for interval in rule.get("INTERVAL") or []:
        if not isinstance(interval, int) or interval < 1:
            raise _unfollowable(component, f"its repeat rule (an INTERVAL of {interval})")


def _start(component: "Component") -> datetime | None:
    """A repeating meeting's start as the rule walks from it (its local time, without a zone)."""
    start = getattr(component.get("DTSTART"), "dt", None)
    if isinstance(start, datetime):
        return start.replace(tzinfo=None)
    if isinstance(start, date):
        return datetime.combine(start, time())
    return None


def _check_start(component: "Component") -> None:
    """A repeating meeting starting before 2000: its rule would be walked from then, each day
    since the year 1 for a daily rule, and no body's forum met then."""
    start = _start(component)
    if start is not None and start.year < EARLIEST_YEAR:
        raise _unfollowable(
            component, f"its start (in the year {start.year}, before {EARLIEST_YEAR})"
        )


def _check_dates_come(component: "Component", last: date) -> None:
    """Each of the meeting's repeat rules gives a date within ``HORIZON_YEARS`` after the
    window's ``last`` day, so the expansion, walking to the first date past the window, stops
    soon. Its COUNT and UNTIL are left out: they end a rule, the walk to the end is the rule's."""
    from icalendar.prop import vRecur

    from .rule_walks import first_date_after

    start = _start(component)
    rules = component.get("RRULE")
    if start is None or rules is None:
        return
    after = datetime.combine(last, time.max)
    months = 12 * (max(last.year - start.year, 0) + HORIZON_YEARS + 1)
    for rule in rules if isinstance(rules, list) else [rules]:
        pattern = vRecur(
            {key: value for key, value in rule.items() if key not in ("COUNT", "UNTIL")}
        )
        try:
            found = first_date_after(pattern.to_ical().decode(), start, after, months)
        except (ValueError, TypeError) as error:
            raise _unfollowable(component, "its repeat rule or dates") from error
        if found is None:
            raise _unfollowable(
                component, f"its repeat rule (it gives no date in the next {HORIZON_YEARS} years)"
            )


def _unfollowable(component: "Component", what: str) -> CalendarUnreadable:
    summary = str(component.get("SUMMARY", "")).strip()
    uid = str(component.get("UID", "")).strip()
    called = f"“{summary}”" if summary else "without a title"
    return CalendarUnreadable(
        f"The portal cannot follow {what} of the repeating meeting {called} (UID {uid}). Ask "
        f"the body to correct it in its calendar. {NOTHING_READ}"
    )


def _occurrences(
    calendar: "Calendar", repeating: dict[str, list["Component"]]
) -> list[CalendarEvent | None]:
    """Each occurrence of the repeating meetings in the window, keyed by UID and original
    start. Each meeting is expanded on its own, so a rule the expansion refuses is named."""
    import recurring_ical_events  # type: ignore[import-untyped]
    from icalendar import Calendar

    first, last = recurrence_window(timezone.localdate())
    zones = calendar.walk("VTIMEZONE")
    events = []
    for uid, components in repeating.items():
        for component in components:
            _check_dates_come(component, last)
        alone = Calendar()
        for component in [*zones, *components]:
            alone.add_component(component)
        try:
            # ``between`` takes the end as exclusive: the window's last day is read whole.
            found = recurring_ical_events.of(alone).between(first, last + timedelta(days=1))
        except ValueError as error:  # recurring_ical_events.InvalidCalendar is one
            raise _unfollowable(components[0], "its repeat rule or dates") from error
        if len({_stamp(_original_start(occurrence)) for occurrence in found}) > MAX_OCCURRENCES:
            raise _unfollowable(components[0], "its dates (more than one meeting a day)")
        for occurrence in found:
            stamp = _stamp(_original_start(occurrence))
            events.append(_event(occurrence, uid=f"{uid[:UID_IN_KEY]}/{stamp}"))
    return events


def _original_start(occurrence: "Component") -> date | datetime:
    """When an occurrence was first due: its RECURRENCE-ID where the body moved it."""
    original = occurrence.get("RECURRENCE-ID") or occurrence.get("DTSTART")
    return original.dt


def _stamp(value: date | datetime) -> str:
    """An occurrence's original start as its key's second half: UTC for a time with a zone."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        return value.strftime("%Y%m%dT%H%M%S")
    return value.strftime("%Y%m%d")


def _text(value: object) -> str:
    """A property as text the database keeps (PostgreSQL refuses NUL characters)."""
    return str(value).replace("\x00", "").strip()


def _event(component: "Component", uid: str = "") -> CalendarEvent | None:
    """One dated event, or None; ``uid`` is an occurrence's key where a rule repeats it."""
    start = component.get("DTSTART")
    uid = uid or _text(component.get("UID", ""))
    if start is None or not uid:
        return None
    value = start.dt
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        day, at = local.date(), local.time().replace(second=0, microsecond=0)
    elif isinstance(value, date):
        day, at = value, None
    else:  # a period, a duration or a bare time: no meeting date
        return None
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        return None  # a date no body's forum meets on (year 1, say): not a meeting
    return CalendarEvent(
        uid=uid[:255],
        date=day,
        time=at,
        location=_text(component.get("LOCATION", ""))[:255],
        cancelled=str(component.get("STATUS", "")).upper() == "CANCELLED",
    )


# --- the forward plan as a feed ----------------------------------------------------------------


def plan_ics(entries: Iterable[PlanEntry], name: str) -> bytes:
    """The entries as events on their forum meetings' dates. A decision taken in private shows
    only its paragraph, never its subject (a feed address is easily shared)."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for entry in entries:
        meeting = entry.forum_meeting
        referral = entry.referral
        event = Event()
        event.add("uid", f"plan-entry-{entry.pk}@bluelight")
        event.add("dtstamp", stamp)
        if meeting.time is None:
            event.add("dtstart", meeting.date)
        else:
            event.add("dtstart", meeting.starts_at)
        body = referral.organisation.short_name
        opportunity = referral.recommendation.opportunity
        if entry.private:
            subject = f"Private decision (exempt, {entry.paragraph_label})"
        elif referral.recommendation.is_sensitive:
            # A feed leaves the portal (calendar apps, phones): sensitive matter is not named.
            subject = f"{opportunity.reference} ({referral.recommendation.handling.text})"
        else:
            subject = f"{opportunity.reference} {opportunity.title}"
        key = "Key decision: " if entry.key_decision else ""
        event.add("summary", f"{key}{subject} — {body}, {meeting.forum.name}")
        event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
        if meeting.location:
            event.add("location", meeting.location)
        calendar.add_component(event)
    return bytes(calendar.to_ical())
