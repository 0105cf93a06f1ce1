"""An Atom feed of what a board published: agendas, approved minutes, cancellations and the
bodies' decisions, newest first. It reads the same public querysets as the pages, so what the
feed names is exactly what a visitor may open."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from audit.models import AuditEvent
from boards.models import Board
from meetings.models import PUBLISHED_STATES, Meeting

from . import permissions
from .views import public_page

ENTRIES = 50
SUBTITLE = "Agendas, approved minutes, cancelled meetings and the bodies' decisions."
Status = Meeting.Status
# The meeting's moves that publish something, and what each published.
PUBLISHING_MOVES = {
    f"meeting.{Status.PAPERS_PUBLISHED}": "Agenda and papers published",
    f"meeting.{Status.MINUTES_APPROVED}": "Minutes approved",
    f"meeting.{Status.CANCELLED}": "Meeting cancelled",
}


@dataclass(frozen=True)
class Entry:
    key: str
    title: str
    link: str
    at: datetime
    description: str


def _still_public(verb: str, meeting: Meeting) -> bool:
    """A publishing move's entry stands while what it published is still public."""
    if verb == f"meeting.{Status.PAPERS_PUBLISHED}":
        return meeting.status in PUBLISHED_STATES
    if verb == f"meeting.{Status.MINUTES_APPROVED}":
        return meeting.status == Status.MINUTES_APPROVED
    return meeting.status == Status.CANCELLED


def meeting_entries(board: Board) -> list[Entry]:
    meetings = {m.pk: m for m in permissions.public_meetings(board).order_by()}
    events = AuditEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(Meeting),
        subject_id__in=sorted(meetings),
        verb__in=list(PUBLISHING_MOVES),
    ).order_by("-at")[:ENTRIES]
    entries = []
    for event in events:
        meeting = meetings[event.subject_id or 0]
        if not _still_public(event.verb, meeting):
            continue
        day = timezone.localtime(meeting.starts_at).strftime("%-d %B %Y")
        description = (
            f"Reason: {meeting.cancelled_reason}" if meeting.is_cancelled else meeting.where
        )
        entries.append(
            Entry(
                key=f"urn:bluelight:{board.slug}:meeting-{meeting.pk}:{event.verb}",
                title=f"{PUBLISHING_MOVES[event.verb]}: {meeting.title}, {day}",
                link=reverse("public_meeting", args=[board.slug, meeting.pk]),
                at=event.at,
                description=description,
            )
        )
    return entries


def decision_entries(board: Board) -> list[Entry]:
    decisions = (
        permissions.public_decisions(board)
        .select_related("organisation", "recommendation__opportunity")
        .order_by("-decided_at")[:ENTRIES]
    )
    return [
        Entry(
            key=f"urn:bluelight:{board.slug}:decision-{referral.pk}",
            title=(
                f"{referral.organisation.name}: {referral.status_label.lower()} — "
                f"{referral.recommendation.opportunity.reference} "
                f"{referral.recommendation.opportunity.title}"
            ),
            link=reverse("public_decision", args=[board.slug, referral.pk]),
            at=referral.decided_at or timezone.now(),
            description=f"Decision reference {referral.decision_reference or 'not given'}",
        )
        for referral in decisions
    ]


def published_entries(board: Board) -> list[Entry]:
    """What the board published, newest first: the feed's entries (and the API's)."""
    found = meeting_entries(board) + decision_entries(board)
    return sorted(found, key=lambda entry: entry.at, reverse=True)[:ENTRIES]


class PublishedFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> Board:
        return permissions.public_board(slug)

    def title(self, board: Board) -> str:
        return f"{board.name}: published"

    def subtitle(self, board: Board) -> str:
        return SUBTITLE

    def link(self, board: Board) -> str:
        return reverse("public_home", args=[board.slug])

    def items(self, board: Board) -> list[Entry]:
        return published_entries(board)

    def item_title(self, item: Entry) -> str:
        return item.title

    def item_description(self, item: Entry) -> str:
        return item.description

    def item_link(self, item: Entry) -> str:
        return item.link

    def item_guid(self, item: Entry) -> str:
        return item.key

    item_guid_is_permalink = False

    def item_updateddate(self, item: Entry) -> datetime:
        return item.at

    def item_pubdate(self, item: Entry) -> datetime:
        return item.at


_feed = PublishedFeed()


@public_page
def public_feed(request: HttpRequest, slug: str) -> HttpResponse:
    return _feed(request, slug=slug)
