"""iCalendar (RFC 5545) for meetings: emailed invitations, updates and cancellations, the
per-meeting download and each person's private feed.

A meeting keeps one UID for its whole life; each change invitees are told about raises its
SEQUENCE, so calendar programs update (or cancel) the event they already have.

icalendar is imported where an event or calendar is written, not with this module (which the
meetings' e-mails import at start-up): a web worker that never serves a calendar never loads it.
"""

import hashlib
from collections.abc import Sequence
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from boards.models import Board
from core import caching

from .models import Meeting

if TYPE_CHECKING:
    from icalendar import Calendar, Event, vCalAddress

PRODID = "-//Warwickshire Blue Light Collaboration//Board portal//EN"


def event_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.uid}@bluelight"


def _organiser() -> "vCalAddress":
    from icalendar import vCalAddress, vText

    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organiser = vCalAddress(f"mailto:{address}")
    organiser.params["cn"] = vText(name or settings.PORTAL_NAME)
    return organiser


def meeting_event(meeting: Meeting, *, attendee=None) -> "Event":
    from icalendar import Event, vCalAddress, vText

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


def _calendar(method: str | None = None, name: str | None = None) -> "Calendar":
    from icalendar import Calendar

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


# What the feed shows of each meeting, read as plain values (no model instances per row).
FEED_FIELDS = (
    "pk",
    "uid",
    "sequence",
    "status",
    "starts_at",
    "ends_at",
    "title",
    "board__name",
    "venue",
    "online_link",
    "cancelled_reason",
)
FeedRow = tuple[Any, ...]


def _meeting_of(row: FeedRow) -> Meeting:
    """A meeting (and its board's name) made from a feed row, for ``meeting_event``."""
    values = dict(zip(FEED_FIELDS, row, strict=True))
    board = Board(name=values.pop("board__name"))
    return Meeting(board=board, **values)


def feed_version(digest: str, person) -> str:
    """The person's feed's ETag and cache key: from the digest of its meetings
    (``selectors.feed_digest`` of ``FEED_FIELDS``) and everything else it shows, so a change
    to any meeting in it, to which meetings the person sees or to their name gives a new
    one."""
    parts = (
        digest,
        person.pk,
        person.full_name,
        settings.SITE_URL,
        settings.DEFAULT_FROM_EMAIL,
        settings.PORTAL_NAME,
    )
    return hashlib.sha256("\x1e".join(str(part) for part in parts).encode()).hexdigest()


def feed_ics(rows: Sequence[FeedRow], person) -> bytes:
    """The person's feed, from ``FEED_FIELDS`` rows. Each event's text is kept in the cache
    under a key made of everything it shows, so a changed meeting gets a new key and only the
    events that changed are built again."""
    keys = {row[0]: _event_cache_key(row) for row in rows}
    cached = caching.get_many(keys.values())
    fresh = {}
    events = []
    for row in rows:
        text = cached.get(keys[row[0]])
        if text is None:
            text = meeting_event(_meeting_of(row)).to_ical()
            fresh[keys[row[0]]] = text
        events.append(text)
    if fresh:
        caching.set_many(fresh, EVENT_CACHE_SECONDS)
    calendar = _calendar("PUBLISH", name=f"Board meetings — {person.full_name}").to_ical()
    end = b"END:VCALENDAR\r\n"
    return calendar[: -len(end)] + b"".join(events) + end


EVENT_CACHE_SECONDS = 24 * 60 * 60


def _shown(row: FeedRow) -> str:
    return "\x1f".join(
        value.isoformat() if hasattr(value, "isoformat") else str(value) for value in row
    )


def _event_cache_key(row: FeedRow) -> str:
    shown = "\x1f".join((_shown(row), settings.SITE_URL, settings.DEFAULT_FROM_EMAIL))
    return "ics-event:" + hashlib.sha256(shown.encode()).hexdigest()
