"""Reading the bodies' published calendars: one task per reading (asked for by the secretariat
or by the daily run), and the sweep that queues again what the broker did not take."""

import logging

from celery import shared_task
from django.utils import timezone

from core.enqueue import enqueue

logger = logging.getLogger("bluelight.forwardplan")


@shared_task(ignore_result=True, time_limit=120, soft_time_limit=90)
def refresh_forum_calendars() -> int:
    """Daily: a reading of every forum that has a calendar address, each queued as a task."""
    from . import services

    reading_ids = services.calendar_readings_daily()
    for queued, reading_id in enumerate(reading_ids):
        if not enqueue(
            read_forum_calendar, reading_id, what=f"{len(reading_ids) - queued} calendar readings"
        ):
            break
    return len(reading_ids)


@shared_task(acks_late=True, ignore_result=True, time_limit=120, soft_time_limit=90)
def read_forum_calendar(reading_id: int) -> None:
    """Do one queued reading of a forum's calendar address (nothing if it is not waiting); a
    failure is kept on the reading and the forum, for the secretariat."""
    from . import services

    reading = services.calendar_reading_run(reading_id=reading_id)
    if reading is not None and reading.status == reading.Status.FAILED:
        logger.warning(
            "Calendar of forum %s could not be read: %s", reading.forum_id, reading.outcome
        )


@shared_task(acks_late=True)
def sweep_calendar_readings() -> int:
    """Every minute: queue again the readings left waiting (the broker was down when they were
    asked for) and start again those whose worker died. Returns how many were queued."""
    from . import services

    due = services.calendar_readings_due(timezone.now())
    for queued, reading_id in enumerate(due):
        if not enqueue(read_forum_calendar, reading_id, what=f"{len(due) - queued} readings"):
            return queued
    return len(due)


@shared_task(ignore_result=True, time_limit=120, soft_time_limit=90)
def refresh_forum_calendar(forum_id: int) -> int:
    """The former reading of one forum, for a task an earlier release queued: read as the daily
    run reads it now, through a reading of its own."""
    from . import services
    from .models import CalendarReading, DecisionForum

    forum = DecisionForum.objects.filter(pk=forum_id).exclude(calendar_url="").first()
    if forum is None or services.calendar_reading_waiting(forum) is not None:
        return 0
    reading = CalendarReading.objects.create(forum=forum)
    services.calendar_reading_run(reading_id=reading.pk)
    return 1
