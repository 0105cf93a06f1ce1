"""A member's own copy of a meeting's papers: each paper they may read, followed by a page of
their notes on it."""

import io
import logging
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Prefetch
from django.utils import timezone

from core.markings import strictest
from core.pdf import render_pdf
from meetings.models import Paper
from meetings.selectors import papers_visible_to

from .models import NotesPack, PaperNote

if TYPE_CHECKING:
    # pypdf is imported where a copy is built: only the workers build PDFs.
    from pypdf import PdfWriter

log = logging.getLogger(__name__)


def _papers_with_notes(pack: NotesPack) -> list[Paper]:
    """The meeting's papers the person may read today (agenda order), each with their own
    notes on it (``paper.my_notes``), in one query for the papers and one for the notes."""
    mine = PaperNote.objects.filter(author=pack.person).select_related("version")
    papers = (
        papers_visible_to(pack.person)
        .filter(meeting=pack.meeting, current_version__isnull=False)
        .select_related("agenda_item", "current_version")
        .prefetch_related(Prefetch("notes", queryset=mine, to_attr="my_notes"))
    )
    return sorted(
        papers,
        key=lambda p: (
            (0, 0) if p.agenda_item is None else (1, p.agenda_item.position, p.agenda_item.pk),
            p.created_at,
            p.pk,
        ),
    )


def _append_paper(writer: "PdfWriter", paper: Paper) -> bool:
    """The paper's pages (an Office paper's converted PDF), bookmarked; False when there is
    no PDF of it or it cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    version = paper.current_version
    readable = version.readable_pdf if version is not None else None
    if readable is None:
        return False
    try:
        with readable.open("rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
        writer.append(reader, outline_item=paper.title, import_outline=False)
    except (OSError, PyPdfError):
        log.warning("Paper %s could not be read for a copy with notes", paper.pk)
        return False
    return True


def notes_pack_pdf(pack: NotesPack) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    papers = _papers_with_notes(pack)
    # The copy carries the strictest handling marking of the papers in it; each page of notes
    # the marking of its paper.
    cover = render_pdf(
        "pdf/notes_pack_cover.html",
        {
            "meeting": pack.meeting,
            "person": pack.person,
            "papers": papers,
            "built_at": timezone.now(),
        },
        marking=strictest(paper.handling for paper in papers),
    )
    writer.append(PdfReader(io.BytesIO(cover)), outline_item="Contents", import_outline=False)
    for paper in papers:
        included = _append_paper(writer, paper)
        notes = render_pdf(
            "pdf/notes_on_paper.html",
            {"paper": paper, "notes": getattr(paper, "my_notes", []), "included": included},
            marking=paper.handling,
        )
        writer.append(
            PdfReader(io.BytesIO(notes)),
            outline_item=f"My notes: {paper.title}",
            import_outline=False,
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _after_any_build() -> timedelta:
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def notes_pack_store(*, pack_id: int) -> None:
    """Build the copy asked for; quietly nothing if it is built already or gone."""
    pack = (
        NotesPack.objects.select_related("meeting__board", "person")
        .filter(pk=pack_id, status=NotesPack.Status.QUEUED)
        .first()
    )
    if pack is None:
        return
    NotesPack.objects.filter(pk=pack_id).update(next_attempt_at=timezone.now() + _after_any_build())
    try:
        content = notes_pack_pdf(pack)
    except Exception:
        log.exception("The copy with notes %s could not be built", pack_id)
        NotesPack.objects.filter(pk=pack_id, status=NotesPack.Status.QUEUED).update(
            status=NotesPack.Status.FAILED, next_attempt_at=None
        )
        return
    name = pack.file.storage.save(f"notes-packs/{uuid.uuid4().hex}.pdf", ContentFile(content))
    stored = NotesPack.objects.filter(pk=pack_id, status=NotesPack.Status.QUEUED).update(
        status=NotesPack.Status.READY, file=name, built_at=timezone.now(), next_attempt_at=None
    )
    if not stored:  # built meanwhile by a duplicate task: this file is not needed
        pack.file.storage.delete(name)
