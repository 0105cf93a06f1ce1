"""Writing notes on papers, and asking for a copy of a meeting's papers with one's notes."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from boards.models import User
from core.concurrency import ensure_current
from core.enqueue import enqueue
from core.exceptions import Refused
from meetings.models import Meeting, Paper, PaperVersion
from notifications.tasks import sweep_time

from .models import NotesPack, PaperNote
from .tasks import build_notes_pack


def note_add(
    *,
    paper: Paper,
    author: User,
    page: int,
    body: str,
    quote: str = "",
    start_offset: int | None = None,
    end_offset: int | None = None,
    shared: bool = False,
    version: PaperVersion | None = None,
) -> PaperNote:
    """Write a note on the paper's current version (or on ``version``, one of its own).

    Side effects: one PaperNote row. No audit event: a note is a reader's own working
    material, not a record of the board."""
    version = version or paper.current_version
    if version is None or version.paper_id != paper.pk:
        raise Refused("This paper has no file to write notes on.")
    return PaperNote.objects.create(
        paper=paper,
        version=version,
        author=author,
        page=page,
        quote=quote,
        start_offset=start_offset,
        end_offset=end_offset,
        body=body,
        shared=shared,
    )


def note_edit(*, note: PaperNote, body: str, shared: bool, seen: str | None) -> PaperNote:
    """Change a note's text and who sees it, unless it changed since ``seen`` (its version
    when the form was opened): then ``EditConflict`` and nothing is written.

    Side effects: the note's row."""
    with transaction.atomic():
        current = PaperNote.objects.select_for_update().get(pk=note.pk)
        ensure_current(current=current.updated_at, seen=seen, what="this note", changes=_changes)
        current.body = body
        current.shared = shared
        current.save(update_fields=["body", "shared", "updated_at"])
    return current


def _changes(since: datetime | None) -> list[str]:
    # Only its author changes a note: the author, in another tab or on another device.
    return ["You changed this note in another window or on another device."]


def note_delete(*, note: PaperNote) -> None:
    """Delete a note (its author's working material, never part of the record)."""
    PaperNote.objects.filter(pk=note.pk).delete()


def notes_pack_request(*, meeting: Meeting, person: User) -> NotesPack:
    """Ask for the person's own copy of the meeting's papers with their notes.

    Side effects: a NotesPack row (waiting to start), and its build queued once the
    transaction commits; if the broker is down the row waits for the sweep."""
    pack = NotesPack.objects.create(
        meeting=meeting, person=person, next_attempt_at=sweep_time(timezone.now())
    )
    transaction.on_commit(lambda: enqueue(build_notes_pack, pack.pk, what="a copy with notes"))
    return pack
