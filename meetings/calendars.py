"""iCalendar (RFC 5545) for meetings: emailed invitations, updates and cancellations, the
per-meeting download and each person's private feed.

A meeting keeps one UID for its whole life; each change invitees are told about raises its
SEQUENCE, so calendar programs update (or cancel) the event they already have.
"""

import hashlib
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from core import caching

from .models import Meeting

PRODID = "-//Warwickshire Blue Light Collaboration//Board portal//EN"


def event_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.uid}@bluelight"


def _organiser() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organiser = vCalAddress(f"mailto:{address}")
    organiser.params["cn"] = vText(name or settings.PORTAL_NAME)
    return organiser


def meeting_event(meeting: Meeting, *, attendee=None) -> Event:
    event = Event()
    event.add("uid", event_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", f"{meeting.title} — {meeting.board.name}")
    if meeting.venue:
        event.add("location", meeting.venue)
    link = settings.SITE_URL + meeting.get_absolute_url()
    description = [f"Meeting page: {link}"]
    if meeting.online_link:
        description.append(f"Join online: {meeting.online_link}")
    if meeting.status == Meeting.Status.CANCELLED:
        event.add("status", "CANCELLED")
        if meeting.cancelled_reason:
            description.insert(0, f"Cancelled: {meeting.cancelled_reason}")
    else:
        event.add("status", "CONFIRMED")
    event.add("description", "\n".join(description))
    event.add("url", link)
    event.add("organizer", _organiser())
    if attendee is not None:
        address = vCalAddress(f"mailto:{attendee.email}")
        address.params["cn"] = vText(attendee.full_name)
        address.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", address)
    return event


def _calendar(method: str | None = None, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def invitation_ics(meeting: Meeting, attendee) -> bytes:
    """A REQUEST for the invitee, or a CANCEL for the same event once the meeting is cancelled."""
    method = "CANCEL" if meeting.status == Meeting.Status.CANCELLED else "REQUEST"
    calendar = _calendar(method)
    calendar.add_component(meeting_event(meeting, attendee=attendee))
    return calendar.to_ical()


def meeting_ics(meeting: Meeting) -> bytes:
    calendar = _calendar("PUBLISH")
    calendar.add_component(meeting_event(meeting))
    return calendar.to_ical()


def feed_ics(meetings: Iterable[Meeting], person) -> bytes:
    """The person's feed. Each event's text is kept in the cache under a key made of everything
    it shows, so a changed meeting gets a new key and calendar programs polling the feed do not
    rebuild every event each time."""
    meetings = list(meetings)
    keys = {meeting.pk: _event_cache_key(meeting) for meeting in meetings}
    cached = caching.get_many(keys.values())
    fresh = {}
    events = []
    for meeting in meetings:
        text = cached.get(keys[meeting.pk])
        if text is None:
            text = meeting_event(meeting).to_ical()
            fresh[keys[meeting.pk]] = text
        events.append(text)
    if fresh:
        caching.set_many(fresh, EVENT_CACHE_SECONDS)
    calendar = _calendar("PUBLISH", name=f"Board meetings — {person.full_name}").to_ical()
    end = b"END:VCALENDAR\r\n"
    return calendar[: -len(end)] + b"".join(events) + end


EVENT_CACHE_SECONDS = 24 * 60 * 60


def _event_cache_key(meeting: Meeting) -> str:
    shown = "\x1f".join(
        str(value)
        for value in (
            meeting.uid,
            meeting.sequence,
            meeting.status,
            meeting.starts_at.isoformat(),
            meeting.ends_at.isoformat(),
            meeting.title,
            meeting.board.name,
            meeting.venue,
            meeting.online_link,
            meeting.cancelled_reason,
            settings.SITE_URL,
            settings.DEFAULT_FROM_EMAIL,
        )
    )
    return "ics-event:" + hashlib.sha256(shown.encode()).hexdigest()
