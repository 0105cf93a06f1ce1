"""Asking for a forum's calendar address to be read now, by a task.

Apart from ``services`` because it queues the task, and the tasks do the services' work: the
tasks import the services, never the other way round.
"""

from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from boards.models import User
from core.enqueue import enqueue
from notifications.tasks import sweep_time

from . import calendars, tasks
from .models import CalendarReading, DecisionForum
from .services import calendar_reading_waiting


def calendar_reading_request(*, forum: DecisionForum, actor: User) -> tuple[CalendarReading, bool]:
    """Ask for the forum's calendar address to be read shortly; returns the reading and whether
    it is new (False: a reading already waits, and it is the one returned).

    Side effects: a queued ``CalendarReading``; an audit event; its task queued after commit
    (if the broker cannot take it, the sweep queues it). Nothing is fetched here: the reading
    is the task's (``services.calendar_reading_run``). ``CalendarUnreadable`` if the forum has
    no calendar address.
    """
    if not forum.calendar_url:
        raise calendars.CalendarUnreadable("This forum has no calendar address to read.")
    waiting = calendar_reading_waiting(forum)
    if waiting is not None:
        return waiting, False
    try:
        with transaction.atomic():
            reading = CalendarReading.objects.create(
                forum=forum, requested_by=actor, next_attempt_at=sweep_time(timezone.now())
            )
            audit_record(
                subject=forum,
                actor=actor,
                verb="forum.calendar_read_requested",
                summary=f"Reading of the calendar of {forum} asked for",
                after={"reading": reading.pk},
            )
    except IntegrityError:
        # Asked for twice at once: the other request's reading is the one that waits.
        waiting = calendar_reading_waiting(forum)
        if waiting is None:
            raise
        return waiting, False
    transaction.on_commit(
        partial(enqueue, tasks.read_forum_calendar, reading.pk, what="a calendar reading")
    )
    return reading, True
