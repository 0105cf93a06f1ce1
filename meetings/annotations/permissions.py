"""Who may write, change and read notes on papers, and ask for a copy of the pack with them.

Reading a note follows reading its paper (``PaperNote.objects.visible_to`` for many notes, the
functions here for one): whoever may open the paper may write notes on it, see their own and
see the notes others shared; nobody else sees a note, not even its author once the paper is
closed to them (a guest whose invitation ended, a member who left the board).
"""

from boards.permissions import Person, register_rule
from meetings.models import Meeting, Paper
from meetings.permissions import can_view_paper, can_view_papers

from .models import NotesPack, PaperNote


@register_rule("annotate_paper")
def can_annotate(person: Person, paper: Paper) -> bool:
    """Anyone who may open the paper writes notes on it (private unless they share them)."""
    return person.is_authenticated and can_view_paper(person, paper)


def can_read_note(person: Person, note: PaperNote) -> bool:
    if not can_annotate(person, note.paper):
        return False
    return note.shared or note.author_id == person.pk


def can_change_note(person: Person, note: PaperNote) -> bool:
    """Only the author changes or deletes a note, while they may still open its paper."""
    return note.author_id == person.pk and can_annotate(person, note.paper)


def can_ask_for_notes_pack(person: Person, meeting: Meeting) -> bool:
    """Anyone who may read the meeting's papers asks for their own copy with their notes."""
    return person.is_authenticated and can_view_papers(person, meeting)


def can_download_notes_pack(person: Person, pack: NotesPack) -> bool:
    """A copy is its requester's alone, while they may still read the meeting's papers."""
    return pack.person_id == person.pk and can_view_papers(person, pack.meeting)
