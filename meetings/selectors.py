"""Reads about meetings: who sees which meetings and business, and the lists pages show."""

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from .models import Action, Meeting, MeetingInvitation

Status = Meeting.Status
HOME_LIST_LIMIT = 10
FEED_HISTORY = timedelta(days=365)


def feed_meetings(person) -> QuerySet[Meeting]:
    """The person's meetings from a year ago onwards: what a calendar program needs, without
    re-sending years of history on every refresh."""
    return (
        Meeting.objects.filter(
            invitations__person=person, starts_at__gte=timezone.now() - FEED_HISTORY
        )
        .exclude(status=Status.DRAFT)
        .select_related("board")
        .order_by("starts_at")
    )


def home_panels(person) -> dict:
    """My next meetings, the replies I owe and my open actions, for the home page."""
    now = timezone.now()
    upcoming = (
        MeetingInvitation.objects.filter(
            person=person,
            meeting__ends_at__gte=now,
            meeting__status__in=[Status.SCHEDULED, Status.PAPERS_PUBLISHED],
        )
        .select_related("meeting__board")
        .order_by("meeting__starts_at")
    )
    return {
        "next_meetings": list(upcoming[:5]),
        "replies_owed": list(
            upcoming.filter(reply=MeetingInvitation.Reply.NO_REPLY, meeting__starts_at__gt=now)[
                :HOME_LIST_LIMIT
            ]
        ),
        "my_actions": list(
            Action.objects.filter(owner=person, status__in=Action.OPEN_STATES)
            .select_related("meeting")
            .order_by("due_on")[:HOME_LIST_LIMIT]
        ),
    }
