"""Writing the bodies' decision calendars and the forward plan."""

import secrets
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from audit.services import audit_record
from boards.models import Board, User
from core.batching import batch_size_for
from core.concurrency import ensure_current
from core.exceptions import Refused
from notifications.tasks import sweep_time
from opportunities.models import Referral

from . import calendars, selectors
from .models import (
    CalendarChange,
    CalendarReading,
    DecisionForum,
    ForumMeeting,
    PlanEntry,
    PlanFeed,
    PublishedPlan,
    month_start,
)


def _no_changes(_since: datetime | None) -> list[str]:
    return []


def _referrals_follow(meeting: ForumMeeting) -> int:
    """Undecided referrals planned at the meeting are due on its (new) date."""
    return Referral.objects.filter(
        plan_entry__forum_meeting=meeting, status__in=Referral.DECIDABLE
    ).update(due_on=meeting.date)


# --- forums and their meetings -----------------------------------------------------------------


@transaction.atomic
def forum_save(
    *, forum: DecisionForum, actor: User, values: dict[str, Any], seen: str | None = None
) -> DecisionForum:
    """Create or change a body's decision forum. Side effects: the row (a stale form is
    refused); an audit event."""
    if forum.pk:
        locked = DecisionForum.objects.select_for_update().get(pk=forum.pk)
        ensure_current(current=locked.updated_at, seen=seen, what="this forum", changes=_no_changes)
    for name, value in values.items():
        setattr(forum, name, value)
    created = forum.pk is None
    forum.updated_at = timezone.now()
    forum.save()
    audit_record(
        subject=forum,
        actor=actor,
        verb="forum.added" if created else "forum.changed",
        summary=f"{forum.name} of {forum.organisation.short_name}",
        at=forum.updated_at,
    )
    return forum


@transaction.atomic
def forum_meeting_add(
    *,
    forum: DecisionForum,
    actor: User | None,
    on: date,
    at: time | None = None,
    location: str = "",
    calendar_uid: str = "",
) -> ForumMeeting:
    """A new date of the forum. Side effects: the row; an audit event when a person adds it."""
    meeting = ForumMeeting.objects.create(
        forum=forum,
        date=on,
        time=at,
        location=location,
        calendar_uid=calendar_uid,
        source=ForumMeeting.Source.CALENDAR if calendar_uid else ForumMeeting.Source.ENTERED,
    )
    if actor is not None:
        audit_record(
            subject=meeting,
            actor=actor,
            verb="forum_meeting.added",
            summary=f"{forum.name} of {forum.organisation.short_name} meets on {on:%-d %B %Y}",
        )
    return meeting


@transaction.atomic
def forum_meeting_change(
    *,
    meeting: ForumMeeting,
    actor: User | None,
    on: date,
    at: time | None,
    location: str,
    cancelled: bool,
    seen: str | None = None,
) -> list[CalendarChange]:
    """Move, re-time or cancel a forum's meeting (by the secretariat, or from the body's
    calendar when ``actor`` is None).

    Side effects: the meeting row (a move keeps the date it moved from); a ``CalendarChange``
    per move or cancellation, for the secretariat's eyes; undecided referrals planned there
    follow the new date; an audit event.
    """
    locked = ForumMeeting.objects.select_for_update().get(pk=meeting.pk)
    ensure_current(
        current=locked.updated_at, seen=seen, what="this meeting date", changes=_no_changes
    )
    now = timezone.now()
    changes = []
    before = {"date": locked.date.isoformat(), "status": locked.status}
    if on != locked.date and not cancelled:
        changes.append(
            CalendarChange(
                forum_id=locked.forum_id,
                meeting=locked,
                kind=CalendarChange.Kind.MOVED,
                before=locked.date,
                after=on,
                found_at=now,
            )
        )
        locked.moved_from, locked.moved_at, locked.date = locked.date, now, on
    if cancelled and not locked.is_cancelled:
        changes.append(
            CalendarChange(
                forum_id=locked.forum_id,
                meeting=locked,
                kind=CalendarChange.Kind.CANCELLED,
                before=locked.date,
                found_at=now,
            )
        )
        locked.status, locked.cancelled_at = ForumMeeting.Status.CANCELLED, now
    elif not cancelled and locked.is_cancelled:
        locked.status, locked.cancelled_at = ForumMeeting.Status.SCHEDULED, None
        changes.append(
            CalendarChange(
                forum_id=locked.forum_id,
                meeting=locked,
                kind=CalendarChange.Kind.ADDED,
                after=on,
                found_at=now,
            )
        )
    locked.time, locked.location, locked.updated_at = at, location, now
    locked.save()
    CalendarChange.objects.bulk_create(changes)
    _referrals_follow(locked)
    audit_record(
        subject=locked,
        actor=actor,
        verb="forum_meeting.changed",
        summary=f"{locked} ({locked.get_status_display().lower()})"
        + ("" if actor else ", from the body's calendar"),
        before=before,
        after={"date": locked.date.isoformat(), "status": locked.status},
        at=now,
    )
    meeting.refresh_from_db()
    return changes


@transaction.atomic
def forum_calendar_apply(
    *, forum: DecisionForum, events: Sequence[calendars.CalendarEvent]
) -> list[CalendarChange]:
    """Bring the forum's dates in line with its calendar: new events are added, moved ones
    moved, cancelled ones (or future ones no longer in the calendar) cancelled. Meetings the
    secretariat entered by hand are left alone. Returns what changed, each change also kept as
    a ``CalendarChange`` row."""
    forum = DecisionForum.objects.select_for_update().get(pk=forum.pk)
    known = {meeting.calendar_uid: meeting for meeting in forum.meetings.exclude(calendar_uid="")}
    changes: list[CalendarChange] = []
    seen_uids = set()
    for event in events:
        seen_uids.add(event.uid)
        meeting = known.get(event.uid)
        if meeting is None:
            if event.cancelled:
                continue
            added = forum_meeting_add(
                forum=forum,
                actor=None,
                on=event.date,
                at=event.time,
                location=event.location,
                calendar_uid=event.uid,
            )
            changes.append(
                CalendarChange.objects.create(
                    forum=forum, meeting=added, kind=CalendarChange.Kind.ADDED, after=event.date
                )
            )
            continue
        if (
            meeting.date != event.date
            or meeting.is_cancelled != event.cancelled
            or meeting.time != event.time
            or meeting.location != event.location
        ):
            changes += forum_meeting_change(
                meeting=meeting,
                actor=None,
                on=event.date,
                at=event.time,
                location=event.location,
                cancelled=event.cancelled,
            )
    today = timezone.localdate()
    for uid, meeting in known.items():
        if uid not in seen_uids and not meeting.is_cancelled and meeting.date >= today:
            changes += forum_meeting_change(
                meeting=meeting,
                actor=None,
                on=meeting.date,
                at=meeting.time,
                location=meeting.location,
                cancelled=True,
            )
    forum.calendar_read_at, forum.calendar_error = timezone.now(), ""
    forum.save(update_fields=["calendar_read_at", "calendar_error"])
    return changes


def forum_calendar_import(*, forum: DecisionForum, content: bytes) -> list[CalendarChange]:
    """Read an uploaded .ics file into the forum's dates (``CalendarUnreadable`` if it is not
    one)."""
    return forum_calendar_apply(forum=forum, events=calendars.parse_calendar(content))


def forum_calendar_refresh(*, forum: DecisionForum) -> list[CalendarChange]:
    """Read the forum's calendar address again. A failure is kept on the forum (shown to the
    secretariat) and raised as ``CalendarUnreadable``."""
    if not forum.calendar_url:
        raise calendars.CalendarUnreadable("This forum has no calendar address to read.")
    try:
        events = calendars.parse_calendar(calendars.fetch_calendar(forum.calendar_url))
    except calendars.CalendarUnreadable as error:
        DecisionForum.objects.filter(pk=forum.pk).update(
            calendar_error=error.message, calendar_read_at=timezone.now()
        )
        raise
    return forum_calendar_apply(forum=forum, events=events)


def calendar_changes_summary(changes: Sequence[CalendarChange]) -> str:
    """What a reading found, as the secretariat reads it: "1 added, 0 moved, 0 cancelled."."""
    if not changes:
        return "no meetings added, moved or cancelled."
    counts = {kind: 0 for kind in ("added", "moved", "cancelled")}
    for change in changes:
        counts[change.kind] += 1
    return f"{counts['added']} added, {counts['moved']} moved, {counts['cancelled']} cancelled."


# --- readings of a calendar address, by a task -------------------------------------------------

Reading = CalendarReading.Status


def calendar_reading_waiting(forum: DecisionForum) -> CalendarReading | None:
    return forum.readings.filter(status__in=CalendarReading.WAITING).first()


def calendar_reading_run(*, reading_id: int) -> CalendarReading | None:
    """Do a queued reading (the task's work): fetch the forum's calendar address and bring its
    dates in line. Quietly nothing unless the reading is waiting to start, so a duplicate task
    reads once.

    Side effects: the reading claimed ("being read", one more attempt), then finished with what
    it found (as ``forum_calendar_refresh``: the changes, and the forum's last reading or
    error), or failed with the sentence saying why.
    """
    claimed = CalendarReading.objects.filter(pk=reading_id, status=Reading.QUEUED).update(
        status=Reading.READING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        next_attempt_at=None,
    )
    if not claimed:
        return None
    reading = CalendarReading.objects.select_related("forum__organisation").get(pk=reading_id)
    try:
        changes = forum_calendar_refresh(forum=reading.forum)
    except calendars.CalendarUnreadable as error:
        return _reading_finished(reading, Reading.FAILED, error.message)
    return _reading_finished(reading, Reading.DONE, calendar_changes_summary(changes))


def _reading_finished(reading: CalendarReading, status: str, outcome: str) -> CalendarReading:
    CalendarReading.objects.filter(pk=reading.pk, status=Reading.READING).update(
        status=status, outcome=outcome, finished_at=timezone.now()
    )
    reading.refresh_from_db()
    return reading


def calendar_readings_daily() -> list[int]:
    """The daily run's readings: one queued for each forum with a calendar address (none for a
    forum whose reading already waits). Returns their ids, for their tasks."""
    waiting = CalendarReading.objects.filter(status__in=CalendarReading.WAITING)
    forums = DecisionForum.objects.exclude(calendar_url="").exclude(
        pk__in=waiting.values("forum_id")
    )
    later = sweep_time(timezone.now())
    readings = CalendarReading.objects.bulk_create(
        [CalendarReading(forum=forum, next_attempt_at=later) for forum in forums],
        batch_size=batch_size_for(CalendarReading),
    )
    return [reading.pk for reading in readings]


def calendar_readings_due(now: datetime) -> list[int]:
    """For the sweep: the queued readings no worker has taken by their time (the broker was
    down), marked so the next sweep leaves them while their tasks wait; and the readings whose
    worker died, queued again (or failed after ``MAX_ATTEMPTS``). Returns the ids to queue."""
    lost = CalendarReading.objects.filter(
        status=Reading.READING,
        started_at__lt=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60),
    )
    lost.filter(attempts__gte=CalendarReading.MAX_ATTEMPTS).update(
        status=Reading.FAILED,
        finished_at=now,
        outcome="The calendar could not be read: the reading stopped before it finished, each "
        "time it was tried. Try again later.",
    )
    lost.update(status=Reading.QUEUED, next_attempt_at=now)
    due = list(
        CalendarReading.objects.filter(status=Reading.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:100]
    )
    CalendarReading.objects.filter(pk__in=due).update(next_attempt_at=sweep_time(now))
    return due


# --- the plan ----------------------------------------------------------------------------------


def _entry_values(entry: PlanEntry) -> dict[str, Any]:
    return {
        "forum_meeting": str(entry.forum_meeting),
        "key_decision": entry.key_decision,
        "private": entry.private,
        "exempt_paragraph": entry.exempt_paragraph,
    }


@transaction.atomic
def plan_entry_save(
    *,
    referral: Referral,
    actor: User,
    forum_meeting: ForumMeeting,
    key_decision: bool,
    private: bool,
    exempt_paragraph: int | None,
    seen: str | None = None,
) -> PlanEntry:
    """Plan where the referral's body decides it.

    Side effects: the entry (created or changed, refusing a stale form); the referral's due
    date becomes the meeting's date while it is undecided; an audit event.
    """
    if forum_meeting.forum.organisation_id != referral.organisation_id:
        raise Refused("Choose a meeting of the body the recommendation is referred to.")
    if forum_meeting.is_cancelled:
        raise Refused("That meeting is cancelled: choose another.")
    if private and exempt_paragraph is None:
        raise Refused("A decision taken in private needs its exempt paragraph.")
    entry = PlanEntry.objects.select_for_update().filter(referral=referral).first()
    before = None
    if entry is not None:
        ensure_current(
            current=entry.updated_at, seen=seen, what="this plan entry", changes=_no_changes
        )
        before = _entry_values(entry)
    else:
        entry = PlanEntry(referral=referral, planned_by=actor)
    entry.forum_meeting = forum_meeting
    entry.key_decision = key_decision
    entry.private = private
    entry.exempt_paragraph = exempt_paragraph if private else None
    entry.updated_at = timezone.now()
    entry.save()
    if referral.status in Referral.DECIDABLE:
        Referral.objects.filter(pk=referral.pk).update(due_on=forum_meeting.date)
    audit_record(
        subject=referral,
        actor=actor,
        verb="forward_plan.planned",
        summary=f"Planned for {forum_meeting}",
        before=before,
        after=_entry_values(entry),
        at=entry.updated_at,
    )
    return entry


@transaction.atomic
def plan_publish(*, board: Board, actor: User) -> PublishedPlan:
    """Publish the forward plan as it stands: the next four months.

    Side effects: a new ``PublishedPlan`` (numbered within the month, earlier ones kept); each
    entry carried is marked published (the day it first was, and the meeting date it carried);
    an audit event.
    """
    Board.objects.select_for_update().filter(pk=board.pk).get()
    today = timezone.localdate()
    first, last = selectors.plan_window(today)
    entries = list(selectors.plan_entries(board, first, last))
    month = month_start(today)
    number = (
        PublishedPlan.objects.filter(board=board, month=month).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    published = PublishedPlan.objects.create(
        board=board,
        month=month,
        number=number,
        published_by=actor,
        covers_from=first,
        covers_to=last,
        entries=[selectors.entry_as_published(entry) for entry in entries],
    )
    for entry in entries:
        entry.first_published_on = entry.first_published_on or today
        entry.published_meeting_on = entry.forum_meeting.date
    PlanEntry.objects.bulk_update(entries, ["first_published_on", "published_meeting_on"])
    audit_record(
        subject=published,
        actor=actor,
        verb="forward_plan.published",
        summary=f"Published the forward plan of {board.name} ({len(entries)} decisions)",
    )
    return published


def plan_feed_of(*, person: User) -> PlanFeed:
    feed, _ = PlanFeed.objects.get_or_create(
        person=person, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed


def plan_feed_reset(*, person: User) -> PlanFeed:
    feed = plan_feed_of(person=person)
    feed.token = secrets.token_urlsafe(32)
    feed.created_at = timezone.now()
    feed.save(update_fields=["token", "created_at"])
    return feed
