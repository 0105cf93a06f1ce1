"""The PDFs of a meeting: the agenda packs and the approved minutes. Built by Celery tasks.

A pack is a front sheet and the agenda (rendered by WeasyPrint) followed by the PDF papers in
agenda order (appended with pypdf, one bookmark each). Part 1 goes to every invitee, so it holds
open business only (``meetings.selectors.open_business``), each exempt item shown as its number
and Schedule 12A paragraph; Part 2 holds the exempt items and their papers, served only to those
the one rule lets see exempt business. Both are rebuilt whenever what they show changes (date,
time, place, papers) and are never served while a rebuild is under way.
"""

import io
import logging
import uuid
from datetime import datetime, timedelta
from html import escape
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from audit.services import document_issued_record
from boards.selectors import role_label_on
from core.govuk import govuk_date
from core.markings import Marking, strictest
from core.pdf import render_pdf
from core.signing import Issued, sign_pdf

from .models import (
    Action,
    AgendaItem,
    DeclarationOfInterest,
    Meeting,
    Paper,
    PaperVersion,
    Resolution,
)
from .selectors import numbered_agenda, open_business

if TYPE_CHECKING:
    from pypdf import PageObject, PdfWriter
    from pypdf.generic import IndirectObject

log = logging.getLogger(__name__)


def _papers_in_order(meeting: Meeting, *, part: int = 1) -> list[Paper]:
    """Part 1: meeting-level papers first, then each open item's papers in agenda order.
    Part 2: the exempt items' papers, in agenda order."""
    papers = meeting.papers.select_related("agenda_item", "current_version").filter(
        current_version__isnull=False
    )
    if part == 1:
        papers = open_business(papers, confidential_ok=False)
    else:
        papers = papers.filter(agenda_item__confidential=True)
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


def pack_marking(meeting: Meeting, *, part: int = 1) -> Marking:
    """The strictest marking of what the pack holds: the items it shows and every paper it
    includes or names (an exempt item withheld from Part 1 is not in it)."""
    agenda = numbered_agenda(meeting.items.all(), confidential_ok=part == 2)
    items = [
        item for item in agenda if isinstance(item, AgendaItem) and (part == 1 or item.confidential)
    ]
    papers = _papers_in_order(meeting, part=part)
    return strictest([*(i.handling for i in items), *(p.handling for p in papers)])


def minutes_marking(meeting: Meeting, *, part: int = 1) -> Marking:
    """The strictest marking of the items whose minutes the PDF holds."""
    agenda = numbered_agenda(meeting.items.all(), confidential_ok=part == 2)
    return strictest(
        item.handling
        for item in agenda
        if isinstance(item, AgendaItem) and (part == 1 or item.confidential)
    )


def agenda_pack_pdf(meeting: Meeting, *, part: int = 1) -> bytes:
    """Front sheet, agenda, then every PDF paper (Office papers converted) in agenda order,
    bookmarked.

    Part 1 (for everyone invited) holds the open business, each exempt item shown only as its
    number and paragraph; Part 2 (for those who see exempt business) holds the exempt items,
    with the members' numbering, and their papers. pypdf is imported here (and WeasyPrint where
    pages are drawn): only the workers build PDFs, and the web workers need neither."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    agenda = numbered_agenda(meeting.items.all(), confidential_ok=part == 2)
    items = agenda if part == 1 else [item for item in agenda if item.confidential]
    numbers = {item.pk: item.number for item in agenda}
    included, left_out = [], []
    for paper in _papers_in_order(meeting, part=part):
        # PDFs, and Office papers once converted to PDF; the rest are listed as left out.
        if _version(paper).readable_pdf is not None:
            included.append(paper)
        else:
            left_out.append(paper)
    marking = pack_marking(meeting, part=part)
    writer = PdfWriter()
    unreadable = []
    readers = []
    for paper in included:
        readable = _version(paper).readable_pdf
        assert readable is not None  # chosen above for having one
        try:
            with readable.open("rb") as handle:
                readers.append((paper, PdfReader(io.BytesIO(handle.read()))))
        except (OSError, PyPdfError):
            log.warning("Paper %s could not be read for the agenda pack", paper.pk)
            unreadable.append(paper)
    for paper, _ in readers:
        paper.item_number = numbers.get(paper.agenda_item_id or 0, 0)
    front = render_pdf(
        "pdf/agenda_pack.html",
        {
            "meeting": meeting,
            "part": part,
            "items": items,
            "included": [paper for paper, _ in readers],
            "left_out": left_out + unreadable,
            "exempt_items": len([item for item in agenda if item.confidential]),
            "built_at": timezone.now(),
        },
        marking=marking,
    )
    front_reader = PdfReader(io.BytesIO(front))
    writer.append(front_reader, outline_item="Front sheet and agenda", import_outline=False)
    stamps = [""] * len(front_reader.pages)  # the front sheet numbers its own pages
    for paper, reader in readers:
        label = f"Item {paper.item_number}: {paper.title}" if paper.item_number else paper.title
        writer.append(reader, outline_item=label)
        item = f"Item {paper.item_number}" if paper.item_number else "Whole meeting"
        stamps += [item] * len(reader.pages)
    _stamp(writer, stamps, part, marking)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _after_any_build() -> datetime:
    """Past the longest a build may run (its task's hard time limit), with a margin."""
    return timezone.now() + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


A4 = (595.28, 841.89)
# How many pages' labels are drawn at once (see _stamp).
STAMPS_AT_ONCE = 100


def render_html_pdf(html: str) -> bytes:
    """A PDF of a little HTML (WeasyPrint is heavy: imported only where PDFs are drawn)."""
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf())


def _stamp(writer: "PdfWriter", items: list[str], part: int, marking: Marking) -> None:
    """Continuous page numbers and the item number on every page of the papers, in the top
    right-hand corner, and the pack's handling marking at the head and foot of each (the front
    sheet and agenda carry their own numbers and marking)."""
    from pypdf import PdfReader

    total = len(writer.pages)
    labels = [
        f"{'Part 2 · ' if part == 2 else ''}{item} · page {number} of {total}" if item else ""
        for number, item in enumerate(items, start=1)
    ]
    targets = [(page, label) for page, label in zip(writer.pages, labels, strict=True) if label]
    if not targets:
        return
    page_box = "size: A4; margin: 0.9cm 0.8cm 0.9cm 0;"
    text = escape(marking.text)
    # The marking is the same on every page: drawn once, that one drawing shown on each.
    drawn = render_html_pdf(
        f"<style>@page {{ {page_box} "
        f'@top-center {{ content: "{text}"; font: bold 9pt sans-serif; }} '
        f'@bottom-center {{ content: "{text}"; font: bold 9pt sans-serif; }} }}</style>'
    )
    marked = _form(writer, PdfReader(io.BytesIO(drawn)).pages[0])
    style = (
        f"<style>@page {{ {page_box} }} .stamp {{ text-align: right; font: 8pt sans-serif; "
        "color: #333; page-break-after: always; }</style>"
    )
    # The labels are drawn a batch of pages at a time: WeasyPrint holds the whole layout of
    # what it draws, so a 500-page pack drawn at once would hold 500 pages of it.
    for start in range(0, len(targets), STAMPS_AT_ONCE):
        batch = targets[start : start + STAMPS_AT_ONCE]
        stamps = "".join(f'<div class="stamp">{escape(label)}</div>' for _, label in batch)
        overlay = PdfReader(io.BytesIO(render_html_pdf(style + stamps)))
        for number, ((page, _), stamp) in enumerate(
            zip(batch, overlay.pages, strict=True), start=start
        ):
            forms = {"/PackMarking": marked, f"/PackLabel{number}": _form(writer, stamp)}
            _draw_over(writer, page, forms)


def _form(writer: "PdfWriter", drawing: "PageObject") -> "IndirectObject":
    """A page drawn by WeasyPrint, as a form XObject of ``writer`` to show on other pages."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    contents = drawing.get_contents()
    form = DecodedStreamObject()
    form.set_data(contents.get_data() if contents is not None else b"")
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(drawing.mediabox)
    form[NameObject("/Resources")] = drawing.get("/Resources", DictionaryObject()).clone(writer)
    return writer._add_object(form.flate_encode())


def _draw_over(writer: "PdfWriter", page: "PageObject", forms: dict[str, "IndirectObject"]) -> None:
    """The A4 ``forms`` (by name) drawn over ``page``, their top right-hand corner on the
    page's. The page's own content is wrapped as it is, never parsed: pypdf's
    merge_transformed_page reads every operation of it, which was most of a 500-page pack's
    build time and memory."""
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
    )

    def stream(data: bytes) -> "IndirectObject":
        content = DecodedStreamObject()
        content.set_data(data)
        return writer._add_object(content)

    # ``get`` gives a reference as it is, never the dictionary it refers to.
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else None
    if not isinstance(resources, DictionaryObject):
        resources = page[NameObject("/Resources")] = DictionaryObject()
    shown = resources.get("/XObject")
    shown = shown.get_object() if shown is not None else None
    if not isinstance(shown, DictionaryObject):
        shown = resources[NameObject("/XObject")] = DictionaryObject()
    for name, form in forms.items():
        shown[NameObject(name)] = form

    raw = page.raw_get("/Contents") if "/Contents" in page else None
    if raw is None:
        existing = []
    elif isinstance(raw.get_object(), ArrayObject):
        existing = list(raw.get_object())
    elif isinstance(raw, IndirectObject):
        existing = [raw]
    else:  # a stream written into the page itself: streams in an array must be indirect
        existing = [writer._add_object(raw)]
    box = page.mediabox
    x, y = float(box.right) - A4[0], float(box.top) - A4[1]
    drawn = " ".join(f"{name} Do" for name in forms)
    # The page's content between q and Q, so whatever state it leaves does not move the stamp.
    page[NameObject("/Contents")] = ArrayObject(
        [
            stream(b"q\n"),
            *existing,
            stream(f"\nQ q 1 0 0 1 {x:.4f} {y:.4f} cm {drawn} Q\n".encode()),
        ]
    )


def _store(meeting: Meeting, content: bytes | None, folder: str) -> str:
    if content is None:
        return ""
    return meeting.pack_file.storage.save(f"{folder}/{uuid.uuid4().hex}.pdf", ContentFile(content))


def agenda_pack_store(*, meeting_id: int, generation: int) -> None:
    """Build and store both packs for ``generation`` (Part 2 only when there is exempt
    business); quietly do nothing if it is out of date."""
    meeting = Meeting.objects.select_related("board").filter(pk=meeting_id).first()
    if meeting is None or meeting.pack_generation != generation:
        return
    # Not queued again by the sweep while this build may still be running.
    Meeting.objects.filter(pk=meeting_id, pack_generation=generation).update(
        pack_next_attempt_at=_after_any_build()
    )
    try:
        content = agenda_pack_pdf(meeting)
        exempt = meeting.items.filter(confidential=True).exists()
        part2 = agenda_pack_pdf(meeting, part=2) if exempt else None
    except Exception:
        log.exception("The agenda pack of meeting %s could not be built", meeting_id)
        Meeting.objects.filter(pk=meeting_id, pack_generation=generation).update(
            pack_state=Meeting.FileState.FAILED, pack_next_attempt_at=None
        )
        return
    old_names = [meeting.pack_file.name, meeting.part2_pack_file.name]
    names = [_store(meeting, content, "packs"), _store(meeting, part2, "packs")]
    stored = Meeting.objects.filter(pk=meeting_id, pack_generation=generation).update(
        pack_state=Meeting.FileState.READY,
        pack_file=names[0],
        part2_pack_file=names[1],
        pack_marking=pack_marking(meeting).text,
        pack_built_at=timezone.now(),
        pack_next_attempt_at=None,
    )
    storage = meeting.pack_file.storage
    # A newer build was asked for meanwhile: this one is not needed; otherwise the old files go.
    for name in names if stored != 1 else old_names:
        if name:
            storage.delete(name)


def minutes_pdf(meeting: Meeting, *, part: int = 1) -> bytes:
    """The approved minutes. Part 1 (public, and every invitee's): attendance, declarations and
    the open items' minutes and resolutions, each exempt item by its minute number and
    paragraph only. Part 2: the exempt items, with their declarations, minutes, resolutions and
    actions."""
    invitations = list(meeting.invitations.select_related("person", "organisation"))
    agenda = numbered_agenda(
        meeting.items.prefetch_related(
            Prefetch("declarations", queryset=_declarations()),
            Prefetch("actions", queryset=_actions()),
            Prefetch("resolutions", queryset=Resolution.objects.select_related("recommendation")),
        ),
        confidential_ok=part == 2,
    )
    items = agenda if part == 1 else [item for item in agenda if item.confidential]
    return render_pdf(
        "pdf/minutes.html",
        {
            "meeting": meeting,
            "part": part,
            "invitations": invitations,
            "items": items,
            "meeting_declarations": _declarations().filter(
                meeting=meeting, agenda_item__isnull=True
            ),
            "meeting_actions": _actions().filter(meeting=meeting, agenda_item__isnull=True),
            "exempt_items": len([item for item in agenda if item.confidential]),
        },
        marking=minutes_marking(meeting, part=part),
    )


def _declarations() -> QuerySet[DeclarationOfInterest]:
    return DeclarationOfInterest.objects.select_related("person")


def _actions() -> QuerySet[Action]:
    return Action.objects.select_related("owner")


def minutes_pdf_store(*, meeting_id: int) -> None:
    """Build the approved minutes' PDFs (Part 1, and Part 2 when there is exempt business)
    once; nothing to do if they exist or the minutes are not approved."""
    meeting = (
        Meeting.objects.select_related("board", "minutes_approved_by")
        .filter(pk=meeting_id, status=Meeting.Status.MINUTES_APPROVED)
        .first()
    )
    if meeting is None or meeting.minutes_pdf_state == Meeting.FileState.READY:
        return
    Meeting.objects.filter(pk=meeting_id).update(minutes_pdf_next_attempt_at=_after_any_build())
    reason = minutes_signature_reason(meeting)
    try:
        content = minutes_pdf(meeting)
        exempt = meeting.items.filter(confidential=True).exists()
        part2 = minutes_pdf(meeting, part=2) if exempt else None
        # Signed last, once every page is drawn: a change to the bytes after this breaks it.
        issued = sign_pdf(content, reason=reason)
        issued_part2 = sign_pdf(part2, reason=reason) if part2 else None
    except Exception:
        log.exception("The minutes PDF of meeting %s could not be built", meeting_id)
        Meeting.objects.filter(pk=meeting_id).update(
            minutes_pdf_state=Meeting.FileState.FAILED, minutes_pdf_next_attempt_at=None
        )
        return
    storage = meeting.minutes_pdf.storage
    name = storage.save(f"minutes/{uuid.uuid4().hex}.pdf", ContentFile(issued.content))
    part2_name = (
        storage.save(f"minutes/{uuid.uuid4().hex}.pdf", ContentFile(issued_part2.content))
        if issued_part2
        else ""
    )
    with transaction.atomic():
        Meeting.objects.filter(pk=meeting_id).update(
            minutes_pdf=name,
            minutes_part2_pdf=part2_name,
            minutes_marking=minutes_marking(meeting).text,
            minutes_pdf_state=Meeting.FileState.READY,
            minutes_pdf_next_attempt_at=None,
        )
        _anchor(meeting, MINUTES_PART1, issued, reason)
        if issued_part2:
            _anchor(meeting, MINUTES_PART2, issued_part2, reason)


# The kinds of minutes PDF anchored in the audit trail, and how the verify page names them.
MINUTES_PART1 = "minutes"
MINUTES_PART2 = "minutes_part2"
MINUTES_TITLES = {
    MINUTES_PART1: "the approved minutes (public version, Part 1) of {meeting}",
    MINUTES_PART2: "the approved minutes (members' version, Part 2: exempt business) of {meeting}",
}


def minutes_signature_reason(meeting: Meeting) -> str:
    """ "Approved by Helen Marsh, Chair, 12 March 2027": who approved the minutes, in which
    role on the board, and when."""
    approver = meeting.minutes_approved_by
    approved_at = timezone.localtime(meeting.minutes_approved_at or timezone.now())
    if approver is None:
        return f"Minutes approved on {govuk_date(approved_at.date())}"
    role = role_label_on(approver, meeting.board, approved_at.date())
    names = ", ".join(part for part in (approver.full_name, role) if part)
    return f"Approved by {names}, {govuk_date(approved_at.date())}"


def _anchor(meeting: Meeting, kind: str, issued: Issued, reason: str) -> None:
    when = timezone.localtime(meeting.starts_at)
    document_issued_record(
        subject=meeting,
        actor=None,
        kind=kind,
        title=MINUTES_TITLES[kind].format(meeting=f"{meeting.title}, {govuk_date(when.date())}"),
        sha256=issued.sha256,
        signed=issued.signed,
        reason=reason,
    )
