"""The PDFs of a meeting: the agenda pack and the approved minutes. Built by Celery tasks.

The pack is a front sheet and the agenda (rendered by WeasyPrint) followed by the PDF papers in
agenda order (appended with pypdf). Every invitee may download the pack and the minutes, so both
hold open business only (``meetings.selectors.open_business``): exempt items, their papers,
declarations and actions stay in the portal, for those entitled to them; the PDFs say how many.
"""

import io
import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from core.pdf import render_pdf

from .models import Action, DeclarationOfInterest, Meeting, Paper, PaperVersion
from .selectors import open_business

log = logging.getLogger(__name__)


def _papers_in_order(meeting: Meeting) -> list[Paper]:
    """Meeting-level papers first, then each item's papers in agenda order."""
    papers = list(
        open_business(
            meeting.papers.select_related("agenda_item", "current_version"), confidential_ok=False
        ).filter(current_version__isnull=False)
    )
    return sorted(
        papers,
        key=lambda p: (
            (0, 0) if p.agenda_item is None else (1, p.agenda_item.position, p.agenda_item.pk),
            p.created_at,
            p.pk,
        ),
    )


def _version(paper: Paper) -> PaperVersion:
    """The paper's current version (_papers_in_order keeps only papers that have one)."""
    if paper.current_version is None:
        raise ValueError(f"Paper {paper.pk} has no version.")
    return paper.current_version


def agenda_pack_pdf(meeting: Meeting) -> bytes:
    """Front sheet, agenda, then every PDF paper of open business, in agenda order."""
    items = list(open_business(meeting.items.all(), confidential_ok=False, item=""))
    included, left_out = [], []
    for paper in _papers_in_order(meeting):
        if _version(paper).kind == "pdf":
            included.append(paper)
        else:
            left_out.append(paper)
    writer = PdfWriter()
    unreadable = []
    readers = []
    for paper in included:
        try:
            with _version(paper).file.open("rb") as handle:
                readers.append((paper, PdfReader(io.BytesIO(handle.read()))))
        except (OSError, PyPdfError):
            log.warning("Paper %s could not be read for the agenda pack", paper.pk)
            unreadable.append(paper)
    front = render_pdf(
        "pdf/agenda_pack.html",
        {
            "meeting": meeting,
            "items": items,
            "included": [paper for paper, _ in readers],
            "left_out": left_out + unreadable,
            "exempt_items": meeting.items.filter(confidential=True).count(),
            "built_at": timezone.now(),
        },
    )
    writer.append(
        PdfReader(io.BytesIO(front)), outline_item="Front sheet and agenda", import_outline=False
    )
    for paper, reader in readers:
        writer.append(reader, outline_item=paper.title)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _after_any_build() -> datetime:
    """Past the longest a build may run (its task's hard time limit), with a margin."""
    return timezone.now() + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def agenda_pack_store(*, meeting_id: int, generation: int) -> None:
    """Build and store the pack for ``generation``; quietly do nothing if it is out of date."""
    meeting = Meeting.objects.select_related("board").filter(pk=meeting_id).first()
    if meeting is None or meeting.pack_generation != generation:
        return
    # Not queued again by the sweep while this build may still be running.
    Meeting.objects.filter(pk=meeting_id, pack_generation=generation).update(
        pack_next_attempt_at=_after_any_build()
    )
    try:
        content = agenda_pack_pdf(meeting)
    except Exception:
        log.exception("The agenda pack of meeting %s could not be built", meeting_id)
        Meeting.objects.filter(pk=meeting_id, pack_generation=generation).update(
            pack_state=Meeting.FileState.FAILED, pack_next_attempt_at=None
        )
        return
    old_name = meeting.pack_file.name
    name = meeting.pack_file.storage.save(f"packs/{uuid.uuid4().hex}.pdf", ContentFile(content))
    stored = Meeting.objects.filter(pk=meeting_id, pack_generation=generation).update(
        pack_state=Meeting.FileState.READY,
        pack_file=name,
        pack_built_at=timezone.now(),
        pack_next_attempt_at=None,
    )
    storage = meeting.pack_file.storage
    if stored != 1:  # a newer build was asked for meanwhile: this one is not needed
        storage.delete(name)
    elif old_name:
        storage.delete(old_name)


def minutes_pdf(meeting: Meeting) -> bytes:
    invitations = list(meeting.invitations.select_related("person", "organisation"))
    items = list(
        open_business(meeting.items.all(), confidential_ok=False, item="").prefetch_related(
            Prefetch("declarations", queryset=_declarations()),
            Prefetch("actions", queryset=_actions()),
        )
    )
    return render_pdf(
        "pdf/minutes.html",
        {
            "meeting": meeting,
            "invitations": invitations,
            "items": items,
            "meeting_declarations": _declarations().filter(
                meeting=meeting, agenda_item__isnull=True
            ),
            "meeting_actions": _actions().filter(meeting=meeting, agenda_item__isnull=True),
            "exempt_items": meeting.items.filter(confidential=True).count(),
        },
    )


def _declarations() -> QuerySet[DeclarationOfInterest]:
    return DeclarationOfInterest.objects.select_related("person")


def _actions() -> QuerySet[Action]:
    return Action.objects.select_related("owner")


def minutes_pdf_store(*, meeting_id: int) -> None:
    """Build the approved minutes' PDF once; nothing to do if it exists or is not approved."""
    meeting = (
        Meeting.objects.select_related("board", "minutes_approved_by")
        .filter(pk=meeting_id, status=Meeting.Status.MINUTES_APPROVED)
        .first()
    )
    if meeting is None or meeting.minutes_pdf_state == Meeting.FileState.READY:
        return
    Meeting.objects.filter(pk=meeting_id).update(minutes_pdf_next_attempt_at=_after_any_build())
    try:
        content = minutes_pdf(meeting)
    except Exception:
        log.exception("The minutes PDF of meeting %s could not be built", meeting_id)
        Meeting.objects.filter(pk=meeting_id).update(
            minutes_pdf_state=Meeting.FileState.FAILED, minutes_pdf_next_attempt_at=None
        )
        return
    name = meeting.minutes_pdf.storage.save(f"minutes/{uuid.uuid4().hex}.pdf", ContentFile(content))
    Meeting.objects.filter(pk=meeting_id).update(
        minutes_pdf=name,
        minutes_pdf_state=Meeting.FileState.READY,
        minutes_pdf_next_attempt_at=None,
    )
