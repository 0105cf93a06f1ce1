"""Check your answers (GOV.UK's pattern) before a step that cannot be taken back.

A form that leads to such a step (an executive's decision, cancelling a meeting, withdrawing an
opportunity) is not acted on when it is first sent. Its answers are kept in the person's session
(an uploaded document in the file storage, under ``pending/``) and shown back as a summary list,
each with a "Change" link to the form filled in as it was; only the check page's own button,
which posts ``confirm=yes``, acts. At that point the kept answers go through the same form again,
so every check (the document's content included) is made on what is acted on. Steps without a
form (sending a recommendation, approving minutes) show the same page with what will happen.

The page is ``check_answers.html`` with the summary list of ``components/check_answers.html``.
"""

import datetime
import posixpath
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.text import get_valid_filename

from core import govuk

CONFIRM_FIELD = "confirm"
CHECK_PARAMETER = "check"
CHANGE_PARAMETER = "change"
# Posted from the "Change" form to drop the document kept from the first go.
DISCARD_FILES_FIELD = "discard_kept_documents"
PENDING_FOLDER = "pending"
NOT_GIVEN = "Not given"
NOT_KEPT = (
    "Your answers were not kept (you may have signed in again or opened the form in another "
    "window). Nothing has been recorded: fill in the form again."
)


@dataclass(frozen=True)
class Row:
    """One line of the summary list: what was asked, the answer, and where to change it."""

    key: str
    value: str
    change_url: str = ""


def is_confirmation(request: HttpRequest) -> bool:
    """The person pressed the check page's button (not the form's first send)."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def check_url(request: HttpRequest) -> str:
    return f"{request.path}?{CHECK_PARAMETER}"


def change_url(request: HttpRequest, anchor: str = "") -> str:
    return f"{request.path}?{CHANGE_PARAMETER}{'#' + anchor if anchor else ''}"


class PendingAnswers:
    """What a person entered on one form, kept in their session until they confirm or leave.

    ``name`` tells the forms apart (one decision per referral, one cancellation per meeting): a
    second form in another window keeps its own answers.
    """

    def __init__(self, request: HttpRequest, name: str) -> None:
        self.request = request
        self.session_key = f"check_answers:{name}"

    @property
    def _kept(self) -> dict[str, Any] | None:
        return self.request.session.get(self.session_key)

    def keep(self) -> None:
        """Keep what was posted (the CSRF token aside) and store each uploaded file; a file
        field sent empty on the "Change" form keeps the document chosen before, unless the
        person asked to drop it."""
        post = self.request.POST
        data = {
            key: post.getlist(key)
            for key in post
            if key not in ("csrfmiddlewaretoken", CONFIRM_FIELD, DISCARD_FILES_FIELD)
        }
        before = self._kept or {}
        files: dict[str, dict[str, Any]] = {}
        if post.get(DISCARD_FILES_FIELD) == "yes":
            self._delete_files(before.get("files", {}))
        else:
            files = dict(before.get("files", {}))
        for field, upload in self.request.FILES.items():
            if field in files:
                self._delete_files({field: files.pop(field)})
            files[field] = self._store(upload)
        self.request.session[self.session_key] = {"data": data, "files": files}

    def _store(self, upload: Any) -> dict[str, Any]:
        name = get_valid_filename(posixpath.basename(upload.name or "document")) or "document"
        path = default_storage.save(f"{PENDING_FOLDER}/{uuid.uuid4().hex}/{name}", upload)
        return {"path": path, "name": upload.name, "content_type": upload.content_type or ""}

    def data(self) -> QueryDict | None:
        kept = self._kept
        if kept is None:
            return None
        query = QueryDict(mutable=True)
        for key, values in kept["data"].items():
            query.setlist(key, values)
        return query

    def files(self) -> MultiValueDict:
        """The kept documents, read back from storage as uploads for the form to check again."""
        uploads: MultiValueDict = MultiValueDict()
        for field, stored in ((self._kept or {}).get("files") or {}).items():
            if not default_storage.exists(stored["path"]):
                continue
            with default_storage.open(stored["path"], "rb") as handle:
                content = handle.read()
            uploads[field] = SimpleUploadedFile(stored["name"], content, stored["content_type"])
        return uploads

    def file_names(self) -> dict[str, str]:
        return {
            field: stored["name"]
            for field, stored in ((self._kept or {}).get("files") or {}).items()
        }

    def discard(self) -> None:
        kept = self.request.session.pop(self.session_key, None)
        if kept:
            self._delete_files(kept.get("files", {}))

    @staticmethod
    def _delete_files(files: dict[str, dict[str, Any]]) -> None:
        for stored in files.values():
            if default_storage.exists(stored["path"]):
                default_storage.delete(stored["path"])


def answer_text(form: forms.Form, name: str, kept_files: dict[str, str] | None = None) -> str:
    """An answer as the person would read it: a choice's label, a date in GOV.UK's style, a
    document's name; "Not given" for an optional question left empty."""
    field = form.fields[name]
    value = form.cleaned_data.get(name)
    if isinstance(field, forms.FileField):
        return (kept_files or {}).get(name) or (value.name if value else NOT_GIVEN)
    if value in (None, "", [], ()):
        return NOT_GIVEN
    if isinstance(field, forms.ModelMultipleChoiceField):
        return ", ".join(str(item) for item in value)
    if isinstance(field, forms.ModelChoiceField):
        return str(value)
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
    if isinstance(value, datetime.datetime):
        return govuk.govuk_datetime(timezone.localtime(value))
    if isinstance(value, datetime.date):
        return govuk.govuk_date(value)
    return str(value)


def field_anchor(form: forms.Form, name: str) -> str:
    """The id of the first input of the question, for the "Change" link to land on."""
    widget = form.fields[name].widget
    auto_id = form[name].auto_id
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return f"{auto_id}_0"
    if isinstance(widget, forms.MultiWidget):
        return f"{auto_id}_0"  # the day box of a date
    return auto_id


def rows_from_form(
    request: HttpRequest,
    form: forms.Form,
    names: Iterable[str],
    kept_files: dict[str, str] | None = None,
) -> list[Row]:
    """A row per question of a valid form, each changed on the form itself."""
    return [
        Row(
            key=str(form.fields[name].label),
            value=answer_text(form, name, kept_files),
            change_url=change_url(request, field_anchor(form, name)),
        )
        for name in names
    ]


def render_check_page(
    request: HttpRequest,
    *,
    title: str,
    heading: str,
    rows: Sequence[Row],
    confirm_label: str,
    back_url: str,
    back_label: str,
    warning: str = "",
    hidden: dict[str, str] | None = None,
    action: str = "",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The check page: the answers, what happens next, and the one button that acts."""
    return render(
        request,
        "check_answers.html",
        {
            "check_title": title,
            "check_heading": heading,
            "check_rows": rows,
            "check_confirm_label": confirm_label,
            "check_back_url": back_url,
            "check_back_label": back_label,
            "check_warning": warning,
            "check_hidden": hidden or {},
            "check_action": action or request.path,
            "check_confirm_field": CONFIRM_FIELD,
            **(context or {}),
        },
    )
