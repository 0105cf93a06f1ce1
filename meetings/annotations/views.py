"""The paper viewer, the notes' JSON endpoint (with the same URLs taking plain forms, for
readers without JavaScript) and a member's copies of the papers with their notes."""

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.services import download_record
from boards.http import AuthenticatedHttpRequest
from core.concurrency import EditConflict
from core.exceptions import Refused
from meetings.conversions import libreoffice
from meetings.models import OFFICE_KINDS, Meeting, Paper, PaperVersion
from meetings.permissions import can_view_meeting

from . import permissions, services
from .forms import NoteEditForm, NoteForm
from .models import NotesPack, PaperNote

NOT_YOURS = "Only the note's author may change or delete it."


def _meeting_for(request: AuthenticatedHttpRequest, pk: int) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("board"), pk=pk)
    if not can_view_meeting(request.user, meeting):
        raise Http404("No meeting here that you are invited to.")
    return meeting


def _paper_for(request: AuthenticatedHttpRequest, pk: int, paper: int) -> Paper:
    meeting = _meeting_for(request, pk)
    found = get_object_or_404(
        Paper.objects.select_related("agenda_item", "current_version"), pk=paper, meeting=meeting
    )
    found.meeting = meeting
    if not permissions.can_annotate(request.user, found):
        raise Http404("No paper here that you may read.")
    return found


def _note_for(request: AuthenticatedHttpRequest, pk: int, paper: int, note: int) -> PaperNote:
    found_paper = _paper_for(request, pk, paper)
    found = get_object_or_404(
        PaperNote.objects.select_related("author", "version"), pk=note, paper=found_paper
    )
    found.paper = found_paper
    if not permissions.can_read_note(request.user, found):
        raise Http404("No note here that you may read.")
    if not permissions.can_change_note(request.user, found):
        raise PermissionDenied(NOT_YOURS)
    return found


def _notes_on(request: AuthenticatedHttpRequest, paper: Paper) -> list[PaperNote]:
    notes = list(
        PaperNote.objects.visible_to(request.user)
        .filter(paper=paper)
        .select_related("author", "version")
    )
    for note in notes:
        note.paper = paper
    return notes


def _wants_json(request: AuthenticatedHttpRequest) -> bool:
    return request.content_type == "application/json"


class BadJson(Exception):
    pass


def _posted(request: AuthenticatedHttpRequest) -> Any:
    """The submitted fields: the viewer sends JSON, the form on the page sends a form."""
    if not _wants_json(request):
        return request.POST
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadJson from None
    if not isinstance(data, dict):
        raise BadJson
    return data


def note_json(note: PaperNote, person) -> dict[str, Any]:
    return {
        "id": note.pk,
        "page": note.page,
        "quote": note.quote,
        "start": note.start_offset,
        "end": note.end_offset,
        "body": note.body,
        "shared": note.shared,
        "mine": note.author_id == person.pk,
        "author": note.author.full_name,
        "version": note.version.number,
        "earlier_version": note.on_earlier_version,
        "edit_version": note.edit_version,
        "edit_url": reverse("note_edit", args=[note.paper.meeting_id, note.paper_id, note.pk]),
        "delete_url": reverse("note_delete", args=[note.paper.meeting_id, note.paper_id, note.pk]),
    }


def _json_refusal(message: str, status: int = 400, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


BAD_JSON = "The note could not be read: send the page, the note and whether it is shared as JSON."


@require_GET
def paper_read(request: AuthenticatedHttpRequest, pk: int, paper: int) -> HttpResponse:
    """The paper in the viewer, its notes the reader may see, and the form to add one."""
    found = _paper_for(request, pk, paper)
    if found.current_version is None:
        raise Http404("This paper has no file yet.")
    return _read_page(request, found, NoteForm())


def _pdf_url(paper: Paper, version: PaperVersion) -> str:
    """Where the viewer reads the paper: the PDF itself, or an Office paper's converted PDF
    ("" while there is none)."""
    args = [paper.meeting_id, paper.pk, version.number]
    if version.kind == "pdf":
        return reverse("paper_version_download", args=args)
    return reverse("paper_pdf", args=args) if version.readable_pdf is not None else ""


def _read_page(request, paper: Paper, form: NoteForm, status: int = 200) -> HttpResponse:
    notes = _notes_on(request, paper)
    version = paper.current_version
    assert version is not None  # paper_read refuses a paper without a file
    return render(
        request,
        "annotations/paper_read.html",
        {
            "meeting": paper.meeting,
            "paper": paper,
            "version": version,
            "pdf_url": _pdf_url(paper, version),
            "office": version.kind in OFFICE_KINDS,
            "libreoffice_missing": libreoffice() is None,
            "notes": notes,
            "form": form,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def paper_notes(request: AuthenticatedHttpRequest, pk: int, paper: int) -> HttpResponse:
    """GET: the notes the reader may see, as JSON. POST: a new note, from the viewer (JSON in,
    JSON out) or from the form on the paper's page (back to the page)."""
    found = _paper_for(request, pk, paper)
    if request.method == "GET":
        notes = _notes_on(request, found)
        return JsonResponse({"notes": [note_json(n, request.user) for n in notes]})
    try:
        data = _posted(request)
    except BadJson:
        return _json_refusal(BAD_JSON)
    form = NoteForm(data)
    if not form.is_valid():
        if _wants_json(request):
            return _json_refusal("The note was not saved.", errors=_errors(form))
        return _read_page(request, found, form, status=400)
    try:
        note = services.note_add(paper=found, author=request.user, **form.cleaned_data)
    except Refused as refusal:
        if _wants_json(request):
            return _json_refusal(refusal.message)
        messages.error(request, refusal.message)
        return redirect("paper_read", pk=pk, paper=paper)
    note.paper = found
    if _wants_json(request):
        return JsonResponse({"note": note_json(note, request.user)}, status=201)
    messages.success(request, "Your note is saved." + (" It is shared." if note.shared else ""))
    return redirect(reverse("paper_read", args=[pk, paper]) + "#notes-heading")


def _errors(form) -> dict[str, list[str]]:
    return {field: [str(e) for e in errors] for field, errors in form.errors.items()}


@require_http_methods(["GET", "POST"])
def note_edit(request: AuthenticatedHttpRequest, pk: int, paper: int, note: int) -> HttpResponse:
    """Change one's own note; a version opened before a later change is refused."""
    found = _note_for(request, pk, paper, note)
    if request.method == "GET":
        form = NoteEditForm(instance=found, version=found.edit_version)
        return render(request, "annotations/note_form.html", {"form": form, "note": found})
    try:
        data = _posted(request)
    except BadJson:
        return _json_refusal(BAD_JSON)
    form = NoteEditForm(data, instance=found, version=found.edit_version)
    if form.is_valid():
        try:
            saved = services.note_edit(
                note=found,
                body=form.cleaned_data["body"],
                shared=form.cleaned_data["shared"],
                seen=form.opened_version,
            )
        except EditConflict as conflict:
            if _wants_json(request):
                return _json_refusal(conflict.message, status=409)
            form.show_conflict(conflict)
        else:
            saved.paper = found.paper
            if _wants_json(request):
                return JsonResponse({"note": note_json(saved, request.user)})
            messages.success(request, "Your note is saved.")
            return redirect(reverse("paper_read", args=[pk, paper]) + "#notes-heading")
    elif _wants_json(request):
        return _json_refusal("The note was not saved.", errors=_errors(form))
    return render(request, "annotations/note_form.html", {"form": form, "note": found}, status=400)


@require_POST
def note_delete(request: AuthenticatedHttpRequest, pk: int, paper: int, note: int) -> HttpResponse:
    found = _note_for(request, pk, paper, note)
    services.note_delete(note=found)
    if _wants_json(request):
        return JsonResponse({"deleted": note})
    messages.success(request, "Your note is deleted.")
    return redirect(reverse("paper_read", args=[pk, paper]) + "#notes-heading")


@require_http_methods(["GET", "POST"])
def notes_packs(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The reader's copies of the meeting's papers with their notes; POST asks for a new one."""
    meeting = _meeting_for(request, pk)
    if not permissions.can_ask_for_notes_pack(request.user, meeting):
        raise Http404("The papers of this meeting are not published yet.")
    if request.method == "POST":
        services.notes_pack_request(meeting=meeting, person=request.user)
        messages.success(
            request, "Your copy is being built. This page offers it as soon as it is ready."
        )
        return redirect("notes_packs", pk=pk)
    packs = NotesPack.objects.filter(meeting=meeting, person=request.user)
    return render(request, "annotations/notes_packs.html", {"meeting": meeting, "packs": packs})


@require_GET
def notes_pack_download(request: AuthenticatedHttpRequest, pk: int, pack: int) -> FileResponse:
    meeting = _meeting_for(request, pk)
    found = get_object_or_404(NotesPack, pk=pack, meeting=meeting, person=request.user)
    found.meeting = meeting
    if not permissions.can_download_notes_pack(request.user, found):
        raise Http404("No copy here that you may download.")
    if found.status != NotesPack.Status.READY or not found.file:
        raise Http404("This copy is not ready yet; try again in a minute.")
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing from the store; ask for a new copy.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=found.download_name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    download_record(
        request=request,
        subject=meeting,
        what="notes_pack",
        name=f"their copy of the papers of {meeting.title} with their notes",
    )
    return response
