"""A meeting's moves, as data: for each status a meeting can move to, who may move it there,
what stops the move, the button's words and the message afterwards.

``TRANSITIONS`` (in ``meetings.models``) says where a meeting may go from each status; this table
says the rest. The service checks a move with ``blocker``, the view finds who may make it here,
and the meeting page lists ``moves_open_to`` — so a button is never shown for a move the
request would refuse, nor hidden for one it would accept.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from boards.permissions import Person

from .models import TRANSITIONS, Meeting
from .permissions import can_chair_meeting, can_manage_meeting

S = Meeting.Status
SECRETARIAT_ONLY = "Only the board's secretariat may do this."
CHAIR_ONLY = "Only the board's chair or vice-chair may do this."


def _unblocked(meeting: Meeting, reason: str | None) -> str | None:
    return None


def _starts_in_future(meeting: Meeting, reason: str | None) -> str | None:
    if meeting.starts_at <= timezone.now():
        return "The meeting's start is in the past: change its date first."
    return None


def _agenda_signed_off(meeting: Meeting, reason: str | None) -> str | None:
    if meeting.agenda_signed_off_at is None:
        return "The chair must sign the agenda off before the papers go out."
    return None


def _has_started(meeting: Meeting, reason: str | None) -> str | None:
    if meeting.starts_at > timezone.now():
        return "The meeting has not started yet, so it cannot be marked held."
    return None


def _reason_given(meeting: Meeting, reason: str | None) -> str | None:
    # ``None``: the reason is asked for on the move's own page, not yet given.
    if reason is not None and not reason.strip():
        return "Give the reason for cancelling; invitees are told it."
    return None


@dataclass(frozen=True)
class Move:
    to: str
    button: str
    done: str
    allowed: Callable[[Person, Meeting], bool]
    refusal: str
    blocker: Callable[[Meeting, str | None], str | None] = _unblocked
    # A move that needs more than a button press (the reason for cancelling) has its own page.
    page: str | None = None
    style: str = "btn-primary"


MOVES: dict[str, Move] = {
    move.to: move
    for move in (
        Move(
            S.SCHEDULED,
            "Schedule and send invitations",
            "The meeting is scheduled and the invitations are on their way.",
            can_manage_meeting,
            SECRETARIAT_ONLY,
            _starts_in_future,
        ),
        Move(
            S.PAPERS_PUBLISHED,
            "Publish the papers",
            "The papers are published; invitees are being told and the agenda pack is being built.",
            can_manage_meeting,
            SECRETARIAT_ONLY,
            _agenda_signed_off,
        ),
        Move(
            S.HELD,
            "Mark as held",
            "The meeting is marked as held. Record attendance and write the minutes.",
            can_manage_meeting,
            SECRETARIAT_ONLY,
            _has_started,
        ),
        Move(
            S.MINUTES_DRAFTED,
            "Minutes are drafted",
            "The minutes are marked as drafted, ready for the chair to approve.",
            can_manage_meeting,
            SECRETARIAT_ONLY,
        ),
        Move(
            S.MINUTES_APPROVED,
            "Approve the minutes",
            "The minutes are approved and locked; their PDF is being produced.",
            can_chair_meeting,
            CHAIR_ONLY,
            style="btn-success",
        ),
        Move(
            S.CANCELLED,
            "Cancel the meeting",
            "The meeting is cancelled and every invitee is being told.",
            can_manage_meeting,
            SECRETARIAT_ONLY,
            _reason_given,
            page="meeting_cancel",
            style="btn-outline-danger",
        ),
    )
}


def blocker(meeting: Meeting, to: str, reason: str | None = None) -> str | None:
    """Why the meeting cannot move to ``to`` now, in a sentence; None when it can."""
    if to not in TRANSITIONS.get(meeting.status, ()):
        return (
            f"A meeting that is {meeting.get_status_display().lower()} cannot be marked "
            f"{S(to).label.lower()}."
        )
    return MOVES[to].blocker(meeting, reason)


@dataclass(frozen=True)
class OpenMove:
    move: Move
    blocked_by: str | None


def moves_open_to(person: Person, meeting: Meeting) -> list[OpenMove]:
    """The moves this person may make from the meeting's status, in the order of a meeting's
    life, each with what stops it now (if anything)."""
    return [
        OpenMove(MOVES[to], blocker(meeting, to))
        for to in meeting.next_statuses()
        if MOVES[to].allowed(person, meeting)
    ]
