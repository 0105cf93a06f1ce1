"""Re-reading the bodies' published calendars, daily (beat), one task per forum."""

import logging

from celery import shared_task

from core.enqueue import enqueue

logger = logging.getLogger("bluelight.forwardplan")


@shared_task(ignore_result=True, time_limit=120, soft_time_limit=90)
def refresh_forum_calendars() -> int:
    """Queue a reading of every forum that has a calendar address."""
    from .models import DecisionForum

    forum_ids = list(DecisionForum.objects.exclude(calendar_url="").values_list("pk", flat=True))
    for forum_id in forum_ids:
        enqueue(refresh_forum_calendar, forum_id)
    return len(forum_ids)


@shared_task(ignore_result=True, time_limit=120, soft_time_limit=90)
def refresh_forum_calendar(forum_id: int) -> int:
    """Read one forum's calendar address again; what changed is kept for the secretariat, and
    a failure is kept on the forum (not retried until tomorrow's run)."""
    from . import services
    from .calendars import CalendarUnreadable
    from .models import DecisionForum

    forum = DecisionForum.objects.filter(pk=forum_id).exclude(calendar_url="").first()
    if forum is None:
        return 0
    try:
        changes = services.forum_calendar_refresh(forum=forum)
    except CalendarUnreadable as error:
        logger.warning("Calendar of forum %s could not be read: %s", forum_id, error)
        return 0
    return len(changes)
